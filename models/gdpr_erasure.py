import logging
import re

from odoo import _, api, models
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tools import SQL

from .gdpr_footprint import (
    ACTIONS,  # noqa: F401 - imported by the log and wizard lines
    Footprint,
    e164,
    map_read_once,
    normalize_email,
    phone_suffix,  # noqa: F401 - the form of the suppression hashes
    text_problem,
)
from .gdpr_rights import check_dpo
from .gdpr_search_index import PHONE_COLUMNS, PHONE_TAIL, phone_candidates

_logger = logging.getLogger(__name__)


class GdprErasure(models.AbstractModel):
    """The right to be forgotten (GDPR Art. 17), guided by the personal-data
    map: finds every place a person's data lives (the person finder, shared
    with the Art. 15 export and retention), then, in one transaction,
    anonymises, deletes or cleans each of them, keeps what the law requires,
    destroys the person's audit-trail key, and leaves a certificate and a
    suppression entry without personal data.

    This file says who the person is; gdpr_erasure_places.py asks each
    model holding personal data where the person is in it (its
    ``_gdpr_erasure_places(footprint)``), gdpr_erasure_engine.py erases."""

    _name = "gdpr.erasure"
    _description = "Erasure of a Person's Data"

    # ------------------------------------------------------------------
    # Public API (RPC)
    # ------------------------------------------------------------------

    @api.model
    def preview(self, partner_ids=None, identifiers=None):
        """What erasing these people would do, without changing anything.

        :param partner_ids: ids of contacts; their child contacts are included
        :param identifiers: ``[{"email":..., "phone":..., "name":...,
            "country": "PL"}]`` for people who only exist as leads or
            messages; ``country`` reads a phone number without a prefix
        :return: ``[{"person", "status", "places": [{"model", "res_id",
            "action", "reason"}], "notes": [str]}]``; status is
            ``to_erase``, ``already_erased`` or ``not_found``; notes say
            which contacts and identifiers were left out and why
        """
        self._check_dpo()
        with map_read_once():
            footprints = self._footprints(partner_ids, identifiers)
        return [
            {
                "person": footprint.label,
                "status": status,
                "places": footprint.listing(),
                "notes": list(footprint.notes),
            }
            for footprint, status in footprints
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
        if send_certificate:
            # refused before anything is done
            self.env["gdpr.erasure.log"].sudo()._certificate_sender()
        with map_read_once():
            footprints = self._footprints(partner_ids, identifiers)
            to_erase = [fp for fp, status in footprints if status == "to_erase"]
            logs = iter(
                self._erase_footprints(to_erase, request_ref, send_certificate)
                if to_erase
                else ()
            )
        results = []
        for _footprint, status in footprints:
            log = next(logs) if status == "to_erase" else self.env["gdpr.erasure.log"]
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
    # Who the person is
    # ------------------------------------------------------------------

    def _check_dpo(self):
        check_dpo(
            self.env, _("Only the data protection officer can erase personal data.")
        )

    @api.model
    def _footprints(self, partner_ids=None, identifiers=None):
        """``[(Footprint, status)]``, one per person: each given contact (with
        its child contacts), and each set of identifiers. Raises before
        anything is done when an input cannot name one person exactly."""
        if not partner_ids and not identifiers:
            raise ValidationError(
                _("Name the contacts or the identifiers of the people to erase.")
            )
        env = self.env(su=True, context={"active_test": False})
        Partner = env["res.partner"]
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
            # the DPO of one company names only the contacts they may change
            partners.with_env(self.env).check_access("write")
            protected = self._protected_partners(partners)
            if protected:
                raise UserError(
                    _(
                        "%s is a company, the contact of a company of this database "
                        "or of a user: it is not erased as a person. Archive the "
                        "user, or erase the people by their own contacts.",
                        ", ".join(protected.mapped("display_name")),
                    )
                )
        if identifiers is not None and not isinstance(identifiers, list | tuple):
            raise ValidationError(_("identifiers must be a list of dictionaries."))
        people = [(partner, {}) for partner in partners]
        people += [
            (Partner.browse(), self._check_identifiers(ident))
            for ident in identifiers or []
        ]
        result = []
        for partner, ident in people:
            footprint = self._person(partner, ident)
            result.append((footprint, self._status(footprint)))
        return result

    @api.model
    def _check_identifiers(self, ident):
        """The identifiers, normalised; refuses what cannot find one person
        exactly."""
        if not isinstance(ident, dict) or not (
            ident.get("email") or ident.get("phone")
        ):
            raise ValidationError(
                _("Each set of identifiers needs an e-mail address or a phone number.")
            )
        for key, value in ident.items():
            if value and not isinstance(value, str):
                raise ValidationError(_("%s must be a text.", key))
        email = ident.get("email") and normalize_email(ident["email"])
        if ident.get("email") and not email:
            raise ValidationError(_("%r is not an e-mail address.", ident["email"]))
        country = (
            ident.get("country") or self.env.company.country_id.code or ""
        ).upper()
        phone = ident.get("phone") and e164(ident["phone"], country)
        if ident.get("phone") and not phone:
            raise ValidationError(
                _(
                    "%r is not a phone number: give it with its international prefix "
                    "(+48...) or the country it belongs to.",
                    ident["phone"],
                )
            )
        name = ident.get("name")
        if name is not None and text_problem(name):
            raise ValidationError(
                _(
                    "%r is too short to find the person in free text without "
                    "reaching others: give the full name (first and last name), or "
                    "leave the name out.",
                    name,
                )
            )
        return {
            "email": email or None,
            "phone": phone or None,
            "name": " ".join(name.split()) if name else None,
        }

    @api.model
    def _protected_partners(self, partners):
        """The contacts never erased as a person: companies, the contacts of
        the database's companies and the contacts of users."""
        if not partners:
            return partners
        env = partners.env
        users = (
            env["res.users"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)])
        )
        companies = (
            env["res.company"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)])
        )
        return partners.filtered(
            lambda p: p.is_company or p in users.partner_id or p in companies.partner_id
        )

    @api.model
    def _person(self, named, ident, scan_text=True):
        """The footprint of one person: a named contact with its child
        contacts, or the contacts and leads with the given identifiers."""
        env = self.env(su=True, context={"active_test": False})
        Partner, Lead = env["res.partner"], env["crm.lead"]
        named = named.with_env(env)
        notes = []
        partners = Partner.browse()
        if named:
            partners = Partner.search([("id", "child_of", named.ids)])
            kept = self._protected_partners(partners - named)
            if kept:
                notes.append(
                    _(
                        "Not erased, although a child contact: %s (a company, the "
                        "contact of a company of this database or of a user).",
                        ", ".join(kept.mapped("display_name")),
                    )
                )
            partners -= kept
        emails = {ident["email"]} if ident.get("email") else set()
        phones = {ident["phone"]} if ident.get("phone") else set()
        found = Partner.browse()
        for value in sorted(emails | phones):
            if value in emails:
                matches = Partner.search([("email_normalized", "=", value)])
            else:
                matches = self._with_phones("res.partner", {value})
            protected = self._protected_partners(matches)
            if protected:
                # a company's switchboard or shared mailbox is no one's own
                emails.discard(value)
                phones.discard(value)
                notes.append(
                    _(
                        "Not used: %(identifier)s belongs to %(contacts)s (a company, "
                        "the contact of a company of this database or of a user).",
                        identifier=value,
                        contacts=", ".join(protected.mapped("display_name")),
                    )
                )
            else:
                found |= matches
        # contacts found by an identifier are not widened to their children
        partners |= found
        # the person's other contacts with their address (under an employer)
        own = set(filter(None, partners.mapped("email_normalized"))) - emails
        if own:
            others = Partner.search(
                [
                    ("email_normalized", "in", sorted(own)),
                    ("id", "not in", partners.ids),
                ]
            )
            protected = self._protected_partners(others)
            shared = set(protected.mapped("email_normalized"))
            partners |= others.filtered(lambda p: p.email_normalized not in shared)
            emails |= own - shared
        phones |= self._phones_of(partners)
        emails, phones = self._unshared(emails, phones, partners, Lead.browse(), notes)
        leads = Lead.search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                ("email_normalized", "in", list(emails)),
            ]
        ) | self._with_phones("crm.lead", phones)
        new_emails = set(filter(None, leads.mapped("email_normalized"))) - emails
        new_phones = self._phones_of(leads) - phones
        if new_emails or new_phones:
            new_emails, new_phones = self._unshared(
                new_emails, new_phones, partners, leads, notes
            )
            emails |= new_emails
            phones |= new_phones
        if not self.env.su:
            partners, leads = self._own_companies(partners, leads, notes)
        texts = self._texts(partners, leads, ident, notes)
        label = named.display_name or ident.get("email") or ident.get("phone") or ""
        footprint = Footprint(
            label,
            partners,
            leads,
            emails=emails,
            phones=phones,
            texts=texts,
            with_children=bool(named),
            scan_text=scan_text,
            notes=notes,
            companies=None if self.env.su else set(self.env.user.company_ids.ids),
        )
        self._find_places(footprint)
        return footprint

    def _own_companies(self, partners, leads, notes):
        """The contacts and leads of the companies the user works for (or of
        none): each company is the controller of its own records, and its
        DPO answers for them."""
        allowed = self.env.user.company_ids

        def own(records):
            return records.filtered(
                lambda r: not r.company_id or r.company_id in allowed
            )

        kept_partners, kept_leads = own(partners), own(leads)
        others = (partners - kept_partners).mapped("display_name") + (
            leads - kept_leads
        ).mapped("display_name")
        if others:
            notes.append(
                _(
                    "Left to the data protection officer of their company: %s.",
                    ", ".join(others),
                )
            )
        return kept_partners, kept_leads

    def _country_code(self, record):
        country = "country_id" in record._fields and record.country_id
        return (country and country.code) or self.env.company.country_id.code

    def _phones_of(self, records):
        return {
            number
            for record in records
            for name in ("phone", "mobile")
            if (number := e164(record[name], self._country_code(record)))
        }

    def _with_phones(self, model_name, phones):
        """The records of ``model_name`` with one of these E.164 numbers:
        candidates through the index of the numbers' last digits, confirmed
        by comparing full numbers read in each record's country."""
        Model = self.env[model_name].sudo().with_context(active_test=False)
        if not phones:
            return Model.browse()
        columns = PHONE_COLUMNS[model_name]
        tails = sorted({phone[-PHONE_TAIL:] for phone in phones})
        Model.flush_model([*columns, "country_id"])
        company_country = self.env.company.country_id.code
        self.env.cr.execute(phone_candidates(Model, columns, tails))
        ids = [
            row[0]
            for row in self.env.cr.fetchall()
            if any(
                e164(number, row[-1] or company_country) in phones
                for number in row[1:-1]
            )
        ]
        return Model.browse(ids)

    def _unshared(self, emails, phones, partners, leads, notes):
        """The identifiers that are the person's alone: an address or number
        that also belongs to another contact (a company switchboard, a shared
        mailbox) finds nothing more."""
        env = partners.env
        shared = set()
        if emails:
            others = env["res.partner"].search(
                [
                    ("email_normalized", "in", list(emails)),
                    ("id", "not in", partners.ids),
                ]
            )
            shared |= set(others.mapped("email_normalized")) & emails
            if leads:
                others = env["crm.lead"].search(
                    [
                        ("email_normalized", "in", list(emails)),
                        ("id", "not in", leads.ids),
                    ]
                )
                shared |= set(others.mapped("email_normalized")) & emails
        if phones:
            others = self._with_phones("res.partner", phones) - partners
            if leads:
                others_leads = self._with_phones("crm.lead", phones) - leads
                shared |= self._phones_of(others_leads) & phones
            shared |= self._phones_of(others) & phones
        if shared:
            notes.append(
                _(
                    "Not searched, as other contacts have them too: %s.",
                    ", ".join(sorted(shared)),
                )
            )
        return emails - shared, phones - shared

    def _texts(self, partners, leads, ident, notes):
        """Names, addresses and account numbers searched in free text: long
        enough, and not also the name or address of someone else."""
        candidates = {}
        for value in (
            partners.mapped("name")
            + leads.mapped("contact_name")
            + partners.mapped("street")
            + leads.mapped("street")
            + partners.bank_ids.mapped("acc_number")
        ):
            text = " ".join((value or "").split())
            if text and not text_problem(text):
                candidates.setdefault(text.lower(), text)
        given = ident.get("name")
        if given:
            candidates.setdefault(given.lower(), given)
        if not candidates:
            return set()
        # someone else's name or address holding it as whole words ("Petr
        # Jan Novák" holds "Jan Novák"): their mentions cannot be told apart
        patterns = [
            r"(^|[^[:alnum:]_])" + re.escape(key) + r"($|[^[:alnum:]_])"
            for key in candidates
        ]
        self.env.cr.execute(
            SQL(" UNION ").join(
                SQL(
                    "SELECT lower(%(column)s) FROM %(table)s "
                    "WHERE lower(%(column)s) ~ ANY(%(texts)s) AND id != ALL(%(ids)s)",
                    column=SQL.identifier(column),
                    table=SQL.identifier(records._table),
                    texts=patterns,
                    ids=records.ids,
                )
                for records, column in (
                    (partners, "name"),
                    (partners, "street"),
                    (leads, "contact_name"),
                    (leads, "street"),
                )
            )
        )
        others = [row[0] for row in self.env.cr.fetchall()]
        shared = {
            key
            for key in candidates
            if any(
                re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", other)
                for other in others
            )
        }
        if given and given.lower() in shared:
            raise ValidationError(
                _(
                    "%s is also the name of another contact or lead: it cannot tell "
                    "this person's mentions from theirs. Leave the name out, or "
                    "erase by the person's contact.",
                    given,
                )
            )
        if shared:
            notes.append(
                _(
                    "Not searched in free text, as others have them too: %s.",
                    ", ".join(sorted(candidates[text] for text in shared)),
                )
            )
        return {text for key, text in candidates.items() if key not in shared}

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
