import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.base.models.res_bank import ResPartnerBank

from .gdpr_footprint import ERASED, Footprint, find_mentions

_logger = logging.getLogger(__name__)

# dependent records first, the person's own records last
DELETE_ORDER = [
    "mail.notification",
    "mail.mail",
    "mail.tracking.value",
    "mail.message",
]
MESSAGE_COLUMNS = ("body", "subject", "email_from", "reply_to", "record_name")
TRACKING_COLUMNS = (
    "old_value_char",
    "new_value_char",
    "old_value_text",
    "new_value_text",
)


class GdprErasure(models.AbstractModel):
    """The erasing: applies a footprint's plan in one transaction."""

    _inherit = "gdpr.erasure"

    def _erase_footprint(self, footprint, request_ref, send_certificate, suppress=True):
        return self._erase_footprints(
            [footprint], request_ref, send_certificate, suppress=suppress
        )[0]

    def _merged(self, footprints):
        """One plan for several people erased together: the records of all,
        the identifiers of all (each is a person being erased); a record one
        of them must keep is kept."""
        if len(footprints) == 1:
            return footprints[0]
        first = footprints[0]
        merged = Footprint(
            first.label,
            first.partners.browse(
                sorted({i for fp in footprints for i in fp.partners.ids})
            ),
            first.leads.browse(sorted({i for fp in footprints for i in fp.leads.ids})),
            emails=set().union(*(fp.emails for fp in footprints)),
            phones=set().union(*(fp.phones for fp in footprints)),
            texts=set().union(*(fp.texts for fp in footprints)),
            scan_text=any(fp.scan_text for fp in footprints),
        )
        env = first.partners.env
        for keep_first in (True, False):
            for fp in footprints:
                for (model, action), reasons in fp.places.items():
                    if (action == "keep") == keep_first:
                        merged.add(env[model].browse(list(reasons)), action, "")
        return merged

    def _erase_footprints(
        self, footprints, request_ref, send_certificate, suppress=True
    ):
        """Erase several people in one pass (one plan for all), then leave
        a certificate for each. Returns the certificates, in order."""
        env = self.env(
            su=True,
            context={
                "active_test": False,
                "tracking_disable": True,
                "mail_notrack": True,
                "mail_create_nolog": True,
                # the files of the attachments deleted go once this commits
                "gdpr_remove_files": True,
            },
        )
        footprint = self._merged(footprints)
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
                method(env, footprint)
            env.flush_all()
            step = _("cleaning notifications")
            self._delete_bus_messages(env, footprint)
            logs = self.env["gdpr.erasure.log"]
            for person in footprints:
                step = _("writing the certificate")
                log = (
                    self.env["gdpr.erasure.log"]
                    .sudo()
                    ._record(person, self._counts(person), request_ref, suppress)
                )
                # remembered before the data went
                certificate_email = next(iter(sorted(person.emails)), False)
                if send_certificate and certificate_email:
                    step = _("sending the certificate")
                    log._send_certificate(
                        certificate_email, partner=person.partners[:1]
                    )
                logs |= log
        except (UserError, AccessError, ValidationError):
            raise
        except Exception as error:
            if isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise  # a concurrent transaction: Odoo retries the request
            _logger.exception("Erasure failed while %s", step)
            raise UserError(
                _(
                    "The erasure failed while %(step)s: %(error)s. Nothing was erased.",
                    step=step,
                    error=error,
                )
            ) from error
        return logs.with_env(self.env)

    def _counts(self, footprint):
        """``{(model, action): count}`` of what the erasure did for one
        person: its plan, without what the law keeps."""
        counts = defaultdict(int)
        for (model, action), reasons in footprint.places.items():
            if action == "destroy_key":
                # the keys of the person's contacts and leads
                counts[("gdpr.subject.key", action)] += len(reasons)
            elif action != "keep":
                counts[(model, action)] += len(reasons)
        return counts

    def _scrub_chatter(self, env, footprint):
        counts = {}
        messages = footprint.records(env, "mail.message", "scrub")
        authors = footprint.partners
        for message in messages:
            values = {}
            for name in MESSAGE_COLUMNS:
                value = message[name]
                scrubbed = footprint.scrub_value(value, html=name == "body")
                if scrubbed != value:
                    values[name] = scrubbed
            if message.author_id & authors:
                values.update(body=Markup("<p>%s</p>") % ERASED, email_from=False)
            if values:
                message.write(values)
        counts[("mail.message", "scrub")] = len(messages)
        values = footprint.records(env, "mail.tracking.value", "scrub")
        for value in values:
            changes = {
                name: footprint.scrub_value(value[name]) for name in TRACKING_COLUMNS
            }
            value.write(
                {name: new for name, new in changes.items() if new != value[name]}
            )
        counts[("mail.tracking.value", "scrub")] = len(values)
        return counts

    def _delete_records(self, env, footprint):
        counts = {}
        models_ = sorted(
            {model for model, action in footprint.places if action == "delete"},
            key=lambda m: (
                DELETE_ORDER.index(m) if m in DELETE_ORDER else len(DELETE_ORDER),
                m,
            ),
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
            text_fields = {
                name: fld.type == "html"
                for name, fld in records._fields.items()
                if fld.type in ("char", "text", "html")
                and fld.store
                and not fld.compute
                and not fld.related
            }
            kept = footprint.records(env, "calendar.attendee", "keep").partner_id
            for record in records:
                values = {}
                for name, html in text_fields.items():
                    value = record[name]
                    scrubbed = footprint.scrub_value(value, html=html)
                    if scrubbed != value:
                        values[name] = scrubbed
                if model == "calendar.event":
                    # removing a partner deletes its attendance, unless kept
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
            footprint.partners, footprint.leads, redact=footprint.scrub_value
        )
        return {("gdpr.subject.key", "destroy_key"): len(keys)}

    def _delete_bus_messages(self, env, footprint):
        """Notifications waiting for browsers may repeat the person's data."""
        found = find_mentions(env, "bus.bus", ("message",), footprint)
        if found:
            env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE id = ANY(%s)",
                    SQL.identifier(env["bus.bus"]._table),
                    sorted(found),
                )
            )
