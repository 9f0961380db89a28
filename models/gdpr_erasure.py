import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tools import SQL, email_normalize

from odoo.addons.base.models.res_bank import ResPartnerBank

_logger = logging.getLogger(__name__)

DPO_GROUP = "crm_gdpr.group_gdpr_dpo"
ERASED = "[erased]"
# models the law makes the company keep when installed, and why
LEGAL_HOLD_MODELS = {
    "account.move": "Accounting documents must be kept for the period the "
    "accounting and tax laws require (GDPR Art. 17(3)(b)).",
    "account.move.line": "Accounting entries must be kept for the period the "
    "accounting and tax laws require (GDPR Art. 17(3)(b)).",
}
# the shortest identifiers searched in free text, to avoid erasing "Jan"
MIN_TEXT_LENGTH = 5
MIN_PHONE_DIGITS = 6
PHONE_SUFFIX = 9  # digits compared, so that +48 600... and 600... match
NO_ERASE = {"erasure_log", "suppression"}
ACTIONS = [
    ("anonymise", "Anonymise"),
    ("delete", "Delete"),
    ("scrub", "Remove the person's data from it"),
    ("keep", "Keep"),
    ("destroy_key", "Destroy the key of its values"),
]


def contains_patterns(values):
    """ILIKE patterns matching text that contains one of ``values``."""
    return ["%" + re.sub(r"([%_\\])", r"\\\1", value) + "%" for value in sorted(values)]


def phone_suffix(number):
    digits = re.sub(r"\D", "", number or "")
    return digits[-PHONE_SUFFIX:] if len(digits) >= MIN_PHONE_DIGITS else None


@dataclass
class Footprint:
    """Where one person's data lives: their records, the identifiers that
    find them in other places, and the places found."""

    label: str
    partners: models.BaseModel
    leads: models.BaseModel
    emails: set = field(default_factory=set)
    phones: set = field(default_factory=set)
    texts: set = field(default_factory=set)
    # search free text (messages, files, meetings, copies) for mentions;
    # retention anonymises the records of many people without it
    scan_text: bool = True
    # (model, action) -> {res_id: reason}
    places: dict = field(default_factory=lambda: defaultdict(dict))

    def add(self, records, action, reason):
        """Plan ``action`` on ``records``; a record kept for a legal reason
        is kept whatever else would be done to it."""
        kept = self.places.get((records._name, "keep"), {})
        for record_id in records.ids:
            if action == "keep":
                for (model, other), reasons in self.places.items():
                    if model == records._name and other != "keep":
                        reasons.pop(record_id, None)
            elif record_id in kept:
                continue
            self.places[(records._name, action)].setdefault(record_id, reason)

    def ids(self, model, action):
        return list(self.places.get((model, action), {}))

    def records(self, env, model, action):
        return (
            env[model].browse(self.ids(model, action)).with_context(active_test=False)
        )

    def is_empty(self):
        return not any(self.places.values())

    def text_patterns(self):
        """Identifiers searched in free text: ILIKE patterns."""
        return contains_patterns(self.emails | self.texts)

    def scrub(self, value):
        """``value`` with every identifier of the person replaced."""
        if not value:
            return value
        markup = isinstance(value, Markup)
        text = str(value)
        for identifier in sorted(self.emails | self.texts, key=len, reverse=True):
            text = re.sub(re.escape(identifier), ERASED, text, flags=re.IGNORECASE)
        for suffix in self.phones:
            # any formatting of the number: +48 600-100 200, (600) 100200...
            pattern = r"(\+?\d[\s().-]*){0,4}" + r"[\s().-]*".join(suffix)
            text = re.sub(pattern, ERASED, text)
        return Markup(text) if markup else text


class GdprErasure(models.AbstractModel):
    """The right to be forgotten (GDPR Art. 17), guided by the personal-data
    map: finds every place a person's data lives, then, in one transaction,
    anonymises, deletes or cleans each of them, keeps what the law requires,
    destroys the person's audit-trail key, and leaves a certificate and a
    suppression entry without personal data."""

    _name = "gdpr.erasure"
    _description = "Erasure of a Person's Data"

    # ------------------------------------------------------------------
    # Public API (RPC)
    # ------------------------------------------------------------------

    @api.model
    def preview(self, partner_ids=None, identifiers=None):
        """What erasing these people would do, without changing anything.

        :param partner_ids: ids of contacts
        :param identifiers: ``[{"email":..., "phone":..., "name":...}]`` for
            people who only exist as leads or messages
        :return: ``[{"person", "status", "places": [{"model", "res_id",
            "action", "reason"}]}]``; status is ``to_erase``,
            ``already_erased`` or ``not_found``
        """
        self._check_dpo()
        return [
            {
                "person": footprint.label,
                "status": status,
                "places": [
                    {
                        "model": model,
                        "res_id": res_id,
                        "action": action,
                        "reason": reason,
                    }
                    for (model, action), reasons in sorted(footprint.places.items())
                    for res_id, reason in sorted(reasons.items())
                ],
            }
            for footprint, status in self._footprints(partner_ids, identifiers)
        ]

    @api.model
    def erase(
        self,
        partner_ids=None,
        identifiers=None,
        request_ref=None,
        send_certificate=False,
    ):
        """Erase these people, in one transaction: any failure erases
        nothing and raises an exception saying what failed.

        :return: one result per person, in the order given (contacts, then
            identifiers): ``{"status", "certificate", "log_id", "counts":
            {model: {action: count}}}``; status is ``erased``,
            ``already_erased`` or ``not_found`` (nothing was done then)
        """
        self._check_dpo()
        results = []
        for footprint, status in self._footprints(partner_ids, identifiers):
            log = self.env["gdpr.erasure.log"]
            if status == "to_erase":
                log = self._erase_footprint(footprint, request_ref, send_certificate)
            results.append(
                {
                    "status": "erased" if log else status,
                    "certificate": log.name or False,
                    "log_id": log.id or False,
                    "counts": log._counts() if log else {},
                }
            )
        return results

    # ------------------------------------------------------------------
    # Finding the footprint
    # ------------------------------------------------------------------

    def _check_dpo(self):
        if not self.env.user.has_group(DPO_GROUP):
            raise AccessError(
                _("Only the data protection officer can erase personal data.")
            )

    @api.model
    def _footprints(self, partner_ids=None, identifiers=None):
        """``[(Footprint, status)]``, one per person: each given contact (with
        its child contacts), and each set of identifiers."""
        if not partner_ids and not identifiers:
            raise ValidationError(
                _("Name the contacts or the identifiers of the people to erase.")
            )
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = Partner.browse()
        if partner_ids:
            if not isinstance(partner_ids, list | tuple) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in partner_ids
            ):
                raise ValidationError(_("partner_ids must be a list of contact ids."))
            partners = Partner.browse(partner_ids)
            missing = set(partner_ids) - set(partners.exists().ids)
            if missing:
                raise MissingError(
                    _(
                        "There is no contact with id %s.",
                        ", ".join(map(str, sorted(missing))),
                    )
                )
        people = [("partner", partner) for partner in partners]
        for ident in identifiers or []:
            if not isinstance(ident, dict) or not (
                ident.get("email") or ident.get("phone")
            ):
                raise ValidationError(
                    _(
                        "Each set of identifiers needs an e-mail address or a phone "
                        "number."
                    )
                )
            email = ident.get("email") and email_normalize(ident["email"])
            if ident.get("email") and not email:
                raise ValidationError(_("%r is not an e-mail address.", ident["email"]))
            if ident.get("phone") and not phone_suffix(ident["phone"]):
                raise ValidationError(_("%r is not a phone number.", ident["phone"]))
            people.append(("identifiers", dict(ident, email=email)))
        result = []
        for kind, person in people:
            if kind == "partner":
                footprint = self._footprint(person, {}, label=person.display_name)
            else:
                footprint = self._footprint(
                    Partner.browse(),
                    person,
                    label=person.get("email") or person.get("phone"),
                )
            result.append((footprint, self._status(footprint)))
        return result

    def _status(self, footprint):
        partners = footprint.partners
        if partners and all(partners.mapped("gdpr_erased_date")):
            return "already_erased"
        if footprint.is_empty():
            suppressed = self.env["gdpr.suppression"]._match(
                footprint.emails, footprint.phones
            )
            return "already_erased" if suppressed else "not_found"
        return "to_erase"

    def _find_by_phone(self, model, columns, suffixes):
        if not suffixes:
            return self.env[model].browse()
        table = SQL.identifier(self.env[model]._table)
        conditions = SQL(" OR ").join(
            SQL(
                "RIGHT(regexp_replace(COALESCE(%s, ''), '\\D', '', 'g'), %s) = ANY(%s)",
                SQL.identifier(column),
                PHONE_SUFFIX,
                list(suffixes),
            )
            for column in columns
        )
        self.env.cr.execute(SQL("SELECT id FROM %s WHERE %s", table, conditions))
        return self.env[model].browse([row[0] for row in self.env.cr.fetchall()])

    def _footprint(self, partners, ident, label):
        env = self.env(su=True, context={"active_test": False})
        Partner, Lead = env["res.partner"], env["crm.lead"]
        emails = {ident["email"]} if ident.get("email") else set()
        phones = {phone_suffix(ident["phone"])} if ident.get("phone") else set()
        texts = {ident["name"].strip()} if ident.get("name") else set()
        partners = partners.with_env(env)
        # the person's contacts: the given ones, those with their e-mail
        # address or phone, and their child contacts
        if emails:
            partners |= Partner.search([("email_normalized", "in", list(emails))])
        partners |= self._find_by_phone(
            "res.partner", ("phone", "mobile"), phones
        ).with_env(env)
        partners = (
            Partner.search([("id", "child_of", partners.ids)]) if partners else partners
        )
        users = partners.user_ids.with_context(active_test=False)
        if users:
            raise UserError(
                _(
                    "%(contacts)s is the contact of the user %(users)s: archive the "
                    "user and unlink the contact before erasing it.",
                    contacts=", ".join(users.partner_id.mapped("display_name")),
                    users=", ".join(users.mapped("login")),
                )
            )
        emails |= set(filter(None, partners.mapped("email_normalized")))
        phones |= set(
            filter(
                None,
                map(phone_suffix, partners.mapped("phone") + partners.mapped("mobile")),
            )
        )
        leads = Lead.search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                ("email_normalized", "in", list(emails)),
            ]
        ) | self._find_by_phone("crm.lead", ("phone", "mobile"), phones).with_env(env)
        emails |= set(filter(None, leads.mapped("email_normalized")))
        banks = partners.bank_ids
        texts |= {
            value.strip()
            for value in partners.mapped("name")
            + leads.mapped("contact_name")
            + partners.mapped("street")
            + leads.mapped("street")
            + banks.mapped("acc_number")
            + banks.mapped("sanitized_acc_number")
            if value and len(value.strip()) >= MIN_TEXT_LENGTH
        }
        footprint = Footprint(label or "", partners, leads, emails, phones, texts)
        self._find_places(footprint, banks)
        return footprint

    def _map_methods(self, model):
        """``{field name: map entry}`` of the model's active map entries."""
        entries = self.env["gdpr.field"].sudo().search([("model", "=", model)])
        return {entry.field_name: entry for entry in entries}

    def _records_footprint(self, partners, leads, label):
        """The footprint of the records of many people at once (retention):
        their contacts, leads and what hangs on them, without searching free
        text for mentions."""
        env = self.env(su=True, context={"active_test": False})
        partners = partners.with_env(env)
        leads = leads.with_env(env) | env["crm.lead"].search(
            [("partner_id", "in", partners.ids)]
        )
        footprint = Footprint(label, partners, leads, scan_text=False)
        footprint.emails = set(
            filter(
                None,
                partners.mapped("email_normalized") + leads.mapped("email_normalized"),
            )
        )
        self._find_places(footprint, partners.bank_ids)
        return footprint

    def _map_reason(self, model, reason=None):
        """Why a record is treated so: the map, and the fields it keeps for a
        legal reason."""
        reasons = [reason or _("Personal-data map")]
        reasons += [
            self.env._(
                "%(field)s kept: %(reason)s",
                field=entry.field_id.field_description,
                reason=entry.legal_hold_reason,
            )
            for entry in self._map_methods(model).values()
            if entry.erasure_method == "keep"
        ]
        return " ".join(reasons)

    def _find_places(self, footprint, banks):
        env = footprint.partners.env
        partners, leads = footprint.partners, footprint.leads
        if partners:
            anonymised = _("The contact is anonymised and archived.")
            footprint.add(
                partners, "anonymise", self._map_reason("res.partner", anonymised)
            )
        if banks:
            footprint.add(banks, "delete", self._map_reason("res.partner.bank"))
        if leads:
            delete = any(
                e.erasure_method == "delete"
                for e in self._map_methods("crm.lead").values()
            )
            footprint.add(
                leads,
                "delete" if delete else "anonymise",
                self._map_reason("crm.lead"),
            )
        requests = env["gdpr.request"].search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                ("requester_email", "in", list(footprint.emails)),
            ]
        )
        footprint.add(
            requests,
            "anonymise",
            _("The request stays in the register, without the person's data."),
        )
        footprint.add(
            env["gdpr.objection"].search([("partner_id", "in", partners.ids)]),
            "delete",
            _("Objections of the person."),
        )
        footprint.add(
            env["gdpr.consent.request"].search([("partner_id", "in", partners.ids)]),
            "delete",
            _("Consent links sent to the person."),
        )
        consents = env["gdpr.consent"].search([("partner_id", "in", partners.ids)])
        footprint.add(
            consents, "delete", _("Consents of the person, with their history.")
        )
        if footprint.emails:
            blacklist = env["mail.blacklist"].search(
                [("email", "in", list(footprint.emails))]
            )
            footprint.add(
                blacklist,
                "delete",
                _("Replaced by the suppression entry of the erasure."),
            )
        if "phone.blacklist" in env and footprint.phones:
            numbers = self._find_by_phone(
                "phone.blacklist", ("number",), footprint.phones
            )
            footprint.add(
                numbers.with_env(env), "delete", _("Replaced by the suppression entry.")
            )
        self._find_legal_holds(footprint)
        self._find_copies(footprint)
        self._find_optional(footprint)
        # the chatter and activities of the records erased above
        erased = [
            (model, ids)
            for (model, action), ids in footprint.places.items()
            if action in ("anonymise", "delete")
        ]
        for model, ids in erased:
            domain = [("model", "=", model), ("res_id", "in", list(ids))]
            footprint.add(
                env["mail.message"].search(domain),
                "delete",
                _("Message on an erased record."),
            )
            footprint.add(
                env["mail.activity"].search(
                    [("res_model", "=", model), ("res_id", "in", list(ids))]
                ),
                "delete",
                _("Activity on an erased record."),
            )
            footprint.add(
                env["ir.attachment"].search(
                    [("res_model", "=", model), ("res_id", "in", list(ids))]
                ),
                "delete",
                _("Attachment of an erased record."),
            )
        self._find_messages(footprint)
        self._find_mail(footprint)
        self._find_calendar(footprint)
        # leads have keys of their own for the changes made while they had
        # no contact
        lead_keys = env["gdpr.subject.key"].search(
            [
                ("subject_model", "=", "crm.lead"),
                ("subject_res_id", "in", leads.ids),
                ("destroyed_date", "=", False),
            ]
        )
        footprint.add(
            leads.browse(lead_keys.mapped("subject_res_id")),
            "destroy_key",
            _("Audit trail values recorded while the lead had no contact."),
        )
        if partners:
            footprint.add(
                partners, "destroy_key", _("Audit trail values of the person.")
            )

    def _find_legal_holds(self, footprint):
        """Records the law makes the company keep: the built-in accounting
        models, and models with fields the map keeps for legal reasons."""
        env = footprint.partners.env
        if not footprint.partners:
            return
        keep_entries = env["gdpr.field"].search([("erasure_method", "=", "keep")])
        hold_models = dict(LEGAL_HOLD_MODELS)
        for entry in keep_entries:
            if entry.model not in ("res.partner", "crm.lead", "res.partner.bank"):
                hold_models.setdefault(entry.model, entry.legal_hold_reason)
        for model_name, reason in hold_models.items():
            if model_name not in env:
                continue
            model = env[model_name]
            references = [
                name
                for name, fld in model._fields.items()
                if fld.type == "many2one"
                and fld.comodel_name == "res.partner"
                and fld.store
            ]
            if not references:
                continue
            domain = ["|"] * (len(references) - 1) + [
                (name, "in", footprint.partners.ids) for name in references
            ]
            footprint.add(model.search(domain), "keep", reason)

    def _find_copies(self, footprint):
        """Fields of the map, on any record, holding a copy of the person's
        e-mail address (``email_cc`` of another lead...)."""
        env = footprint.partners.env
        if not footprint.emails or not footprint.scan_text:
            return
        patterns = contains_patterns(footprint.emails)
        by_model = defaultdict(list)
        for entry in env["gdpr.field"].search(
            [("field_type", "in", ("char", "text", "html"))]
        ):
            by_model[entry.model].append(entry.field_name)
        handled = {model for model, _action in footprint.places}
        for model_name, names in by_model.items():
            if model_name not in env or env[model_name]._transient:
                continue
            model = env[model_name]
            names = [n for n in names if n in model._fields and model._fields[n].store]
            if not names:
                continue
            model.flush_model(names)
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE %s",
                    SQL.identifier(model._table),
                    SQL(" OR ").join(
                        SQL("%s::text ILIKE ANY(%s)", SQL.identifier(n), patterns)
                        for n in names
                    ),
                )
            )
            ids = {row[0] for row in self.env.cr.fetchall()}
            if model_name in handled:
                ids -= {
                    res_id
                    for (m, action), reasons in footprint.places.items()
                    if m == model_name and action != "keep"
                    for res_id in reasons
                }
            footprint.add(
                model.browse(sorted(ids)),
                "scrub",
                _("Holds a copy of the person's e-mail address."),
            )

    def _find_optional(self, footprint):
        """Places of modules that may be installed."""
        env = footprint.partners.env
        emails = list(footprint.emails)
        if "mailing.contact" in env and emails:
            footprint.add(
                env["mailing.contact"].search([("email_normalized", "in", emails)]),
                "delete",
                _("Mailing list contact."),
            )
        if "mailing.trace" in env and emails:
            footprint.add(
                env["mailing.trace"].search([("email", "in", emails)]),
                "scrub",
                _("Mailing statistics keep no address."),
            )
        if "website.visitor" in env and footprint.partners:
            footprint.add(
                env["website.visitor"].search(
                    [("partner_id", "in", footprint.partners.ids)]
                ),
                "delete",
                _("Website visitor."),
            )
        if "privacy.log" in env and emails:
            Log = env["privacy.log"]
            anonymized = [Log._anonymize_email(email) for email in emails]
            footprint.add(
                Log.search([("anonymized_email", "in", anonymized)]),
                "delete",
                _("Privacy lookup log of the person."),
            )

    def _search_text(self, model, columns, footprint, extra=None):
        """Records of ``model`` whose ``columns`` mention the person."""
        patterns = footprint.text_patterns() if footprint.scan_text else []
        phones = (
            [f"%{suffix}%" for suffix in footprint.phones]
            if footprint.scan_text
            else []
        )
        conditions = [
            SQL("%s::text ILIKE ANY(%s)", SQL.identifier(column), patterns)
            for column in columns
            if patterns
        ]
        conditions += [
            SQL(
                "regexp_replace(COALESCE(%s::text, ''), '\\D', '', 'g') LIKE ANY(%s)",
                SQL.identifier(column),
                phones,
            )
            for column in columns
            if phones
        ]
        if extra is not None:
            conditions.append(extra)
        if not conditions:
            return self.env[model].browse()
        self.env[model].flush_model(columns)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE %s",
                SQL.identifier(self.env[model]._table),
                SQL(" OR ").join(conditions),
            )
        )
        return self.env[model].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _find_messages(self, footprint):
        deleted = set(footprint.ids("mail.message", "delete"))
        authored = (
            SQL("author_id = ANY(%s)", footprint.partners.ids)
            if footprint.partners
            else None
        )
        messages = self._search_text(
            "mail.message",
            ("body", "subject", "email_from", "reply_to", "record_name"),
            footprint,
            extra=authored,
        )
        footprint.add(
            messages.filtered(lambda m: m.id not in deleted),
            "scrub",
            _("Message written by or mentioning the person."),
        )
        # the old values of a tracked field, on any record
        values = self._search_text(
            "mail.tracking.value",
            ("old_value_char", "new_value_char", "old_value_text", "new_value_text"),
            footprint,
        )
        footprint.add(
            values.filtered(lambda v: v.mail_message_id.id not in deleted),
            "scrub",
            _("Tracked value of the person's data."),
        )
        # files of the messages deleted or written by them, and files whose
        # text mentions them
        Message = self.env["mail.message"].sudo()
        authored = footprint.records(self.env, "mail.message", "scrub").filtered(
            lambda m: m.author_id & footprint.partners
        )
        attachments = (Message.browse(deleted) | authored).attachment_ids
        attachments |= self._search_text(
            "ir.attachment", ("name", "index_content"), footprint
        )
        footprint.add(attachments, "delete", _("File of or about the person."))

    def _find_mail(self, footprint):
        Mail = self.env["mail.mail"].sudo()
        mails = self._search_text(
            "mail.mail", ("email_to", "email_cc", "body_html"), footprint
        )
        if footprint.partners:
            mails |= Mail.search([("recipient_ids", "in", footprint.partners.ids)])
        footprint.add(mails, "delete", _("E-mail to or about the person."))
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search([("res_partner_id", "in", footprint.partners.ids)])
        )
        footprint.add(
            notifications, "delete", _("Delivery status of an e-mail to the person.")
        )

    def _find_calendar(self, footprint):
        if "calendar.event" not in self.env:
            return
        attendees = (
            self.env["calendar.attendee"]
            .sudo()
            .search([("partner_id", "in", footprint.partners.ids)])
        )
        footprint.add(attendees, "delete", _("Attendance of the person."))
        events = attendees.event_id | self._search_text(
            "calendar.event", ("name", "description", "location"), footprint
        )
        footprint.add(
            events, "scrub", _("Meeting the person attends or that mentions them.")
        )

    # ------------------------------------------------------------------
    # Erasing
    # ------------------------------------------------------------------

    def _erase_footprint(self, footprint, request_ref, send_certificate, suppress=True):
        env = self.env(
            su=True,
            context={
                "active_test": False,
                "tracking_disable": True,
                "mail_notrack": True,
                "mail_create_nolog": True,
            },
        )
        counts = defaultdict(int)
        # remember what the certificate needs before the data goes
        certificate_email = next(iter(sorted(footprint.emails)), False)
        step = None
        try:
            for label, method in [
                (_("scrubbing messages and tracked values"), self._scrub_chatter),
                (_("deleting records"), self._delete_records),
                (_("scrubbing copies and meetings"), self._scrub_records),
                (_("anonymising records"), self._anonymise_records),
                (_("erasing the audit trail values"), self._destroy_keys),
            ]:
                step = label
                for (model, action), count in method(env, footprint).items():
                    counts[(model, action)] += count
            env.flush_all()
            step = _("cleaning notifications")
            self._delete_bus_messages(env, footprint)
            step = _("writing the certificate")
            log = (
                self.env["gdpr.erasure.log"]
                .sudo()
                ._record(footprint, counts, request_ref, suppress=suppress)
            )
            if send_certificate and certificate_email:
                step = _("sending the certificate")
                log._send_certificate(certificate_email)
        except (UserError, AccessError, ValidationError):
            raise
        except Exception as error:
            _logger.exception("Erasure failed while %s", step)
            raise UserError(
                _(
                    "The erasure failed while %(step)s: %(error)s. Nothing was erased.",
                    step=step,
                    error=error,
                )
            ) from error
        return log.with_env(self.env)

    def _scrub_chatter(self, env, footprint):
        counts = {}
        messages = footprint.records(env, "mail.message", "scrub")
        authors = footprint.partners
        for message in messages:
            values = {
                "body": footprint.scrub(message.body),
                "subject": footprint.scrub(message.subject),
                "email_from": footprint.scrub(message.email_from),
                "reply_to": footprint.scrub(message.reply_to),
                "record_name": footprint.scrub(message.record_name),
            }
            if message.author_id & authors:
                values.update(body=Markup("<p>%s</p>") % ERASED, email_from=False)
            message.write(values)
        counts[("mail.message", "scrub")] = len(messages)
        values = footprint.records(env, "mail.tracking.value", "scrub")
        for value in values:
            value.write(
                {
                    name: footprint.scrub(value[name])
                    for name in (
                        "old_value_char",
                        "new_value_char",
                        "old_value_text",
                        "new_value_text",
                    )
                }
            )
        counts[("mail.tracking.value", "scrub")] = len(values)
        return counts

    def _delete_records(self, env, footprint):
        counts = {}
        # dependent records first, the person's own records last
        order = [
            "mail.notification",
            "mail.mail",
            "mail.tracking.value",
            "mail.message",
        ]
        models_ = sorted(
            {model for model, action in footprint.places if action == "delete"},
            key=lambda m: (order.index(m) if m in order else len(order), m),
        )
        for model in models_:
            records = footprint.records(env, model, "delete").exists()
            counts[(model, "delete")] = len(footprint.ids(model, "delete"))
            if model == "res.partner.bank":
                # Odoo archives bank accounts on unlink: erasure deletes them
                super(ResPartnerBank, records).unlink()
            else:
                records.unlink()
        return counts

    def _scrub_records(self, env, footprint):
        counts = {}
        for (model, action), reasons in list(footprint.places.items()):
            if action != "scrub" or model in ("mail.message", "mail.tracking.value"):
                continue
            records = env[model].browse(list(reasons)).exists()
            text_fields = [
                name
                for name, fld in records._fields.items()
                if fld.type in ("char", "text", "html")
                and fld.store
                and not fld.compute
                and not fld.related
            ]
            for record in records:
                values = {}
                for name in text_fields:
                    value = record[name]
                    scrubbed = footprint.scrub(value)
                    if scrubbed != value:
                        values[name] = scrubbed
                if model == "calendar.event":
                    # removing a partner deletes its attendance, unless kept
                    kept = footprint.records(
                        env, "calendar.attendee", "keep"
                    ).partner_id
                    values["partner_ids"] = [
                        fields.Command.unlink(partner.id)
                        for partner in (record.partner_ids & footprint.partners) - kept
                    ]
                if values:
                    record.write(values)
            counts[(model, "scrub")] = len(records)
        return counts

    def _anonymise_records(self, env, footprint):
        counts = {}
        for (model, action), reasons in list(footprint.places.items()):
            if action != "anonymise":
                continue
            records = env[model].browse(list(reasons)).exists()
            values = {}
            for name, entry in self._map_methods(model).items():
                if entry.erasure_method in ("clear", "delete"):
                    values[name] = False
                elif entry.erasure_method == "placeholder":
                    values[name] = entry.placeholder or _("Anonymised")
            if model == "res.partner":
                values.update(active=False, gdpr_erased_date=fields.Datetime.now())
            records.write(values)
            counts[(model, "anonymise")] = len(records)
        return counts

    def _destroy_keys(self, env, footprint):
        keys = env["gdpr.audit.entry"]._erase_subjects(
            footprint.partners, footprint.leads
        )
        return {("gdpr.subject.key", "destroy_key"): len(keys)}

    def _delete_bus_messages(self, env, footprint):
        """Notifications waiting for browsers may repeat the person's data."""
        patterns = footprint.text_patterns()
        if patterns:
            env.cr.execute(
                "DELETE FROM bus_bus WHERE message ILIKE ANY(%s)", [patterns]
            )
