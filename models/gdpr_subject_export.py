import base64
import json

from odoo import _, api, fields, models
from odoo.tools import html2plaintext

from .gdpr_rights import check_dpo
from .rpc_values import rpc_safe

EXPORT_FORMAT = "crm_gdpr.subject_export/1"
# files are not part of the package: they are listed, not copied
SKIPPED_TYPES = {"binary", "image", "one2many", "many2many"}


class GdprSubjectExport(models.AbstractModel):
    """The data of one person, for the right of access (Art. 15) and to
    data portability (Art. 20): every field of the personal-data map on
    their records, their consents, objections, requests and messages, and
    the processing that applies to them. A fixed number of queries,
    whatever the size of the database."""

    _name = "gdpr.subject.export"
    _description = "Export of a Person's Data"

    @api.model
    def export_person(self, partner_id):
        """The person's data package as a dict (see README for the format)."""
        check_dpo(
            self.env, _("Only the data protection officer can export a person's data.")
        )
        partner = self.env["res.partner"]._gdpr_from_rpc(partner_id)
        return rpc_safe(self._build(partner))

    def _values(self, records, names):
        """``[{"id": ..., field: value}]`` with values as JSON holds them."""
        result = []
        fields_ = {name: records._fields[name] for name in names}
        for record in records:
            row = {"id": record.id}
            for name, field in fields_.items():
                value = record[name]
                if field.type == "many2one":
                    value = value.display_name or None
                elif field.type in ("date", "datetime"):
                    value = fields.Datetime.to_string(value) if value else None
                elif value is False and field.type != "boolean":
                    value = None
                else:
                    value = str(value) if field.type == "html" else value
                row[name] = value
            result.append(row)
        return result

    def _mapped_fields(self, model):
        entries = self.env["gdpr.field"].sudo().search([("model", "=", model)])
        return [
            entry.field_name
            for entry in entries
            if entry.field_name in self.env[model]._fields
            and self.env[model]._fields[entry.field_name].type not in SKIPPED_TYPES
        ]

    def _build(self, partner):
        env = self.env(su=True, context={"active_test": False, "lang": partner.lang})
        partner = partner.with_env(env)
        # the same finder as the erasure: what Art. 15 shows is what Art. 17
        # erases
        # as the DPO who asks: the records of their companies
        footprint = self.env["gdpr.erasure"]._person(partner, {})
        partners = footprint.partners
        emails = sorted(footprint.emails)
        records = {}
        for model_name in sorted({model for model, _action in footprint.places}):
            if model_name in ("mail.message", "gdpr.subject.key"):
                continue
            names = self._mapped_fields(model_name)
            if names:
                records[model_name] = env[model_name].browse(
                    footprint.ids(model_name, with_kept=True)
                )
        records.setdefault("res.partner", partners)
        messages = (
            env["mail.message"]
            .browse(footprint.ids("mail.message"))
            .filtered(
                # messages of the records the company processes about the
                # person; never private discussion channels
                lambda m: m.model and m.model != "discuss.channel"
            )
            .sorted(lambda m: (m.date, m.id))
        )
        consents = env["gdpr.consent"].search([("partner_id", "in", partners.ids)])
        objections = env["gdpr.objection"].search([("partner_id", "in", partners.ids)])
        requests = env["gdpr.request"].browse(footprint.ids("gdpr.request"))
        company = partner.company_id or env.company
        data = {
            "format": EXPORT_FORMAT,
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "controller": {
                "name": company.name,
                "address": company.partner_id._display_address(without_company=True),
                "email": company.email or None,
                "data_protection_officer": company.gdpr_dpo_partner_id.display_name
                or None,
                "privacy_policy": company.gdpr_privacy_policy_url or None,
            },
            "subject": {"partner_id": partner.id, "name": partner.name},
            "records": {
                model: self._values(recs, self._mapped_fields(model))
                for model, recs in records.items()
            },
            # every record the erasure of this person would reach, and how
            "places": [
                {key: place[key] for key in ("model", "res_id", "action")}
                for place in footprint.listing()
            ],
            "identifiers": {"emails": emails, "phones": sorted(footprint.phones)},
            "consents": [
                {
                    "purpose": consent.purpose_id.code,
                    "state": consent.state,
                    "date": fields.Datetime.to_string(consent.date)
                    if consent.date
                    else None,
                    "channel": consent.channel or None,
                    "history": [
                        {
                            "date": fields.Datetime.to_string(line.date),
                            "state": line.state,
                            "channel": line.channel or None,
                            "consent_text": line.consent_text or None,
                            "ip_address": line.ip_address or None,
                        }
                        for line in consent.history_ids
                    ],
                }
                for consent in consents
            ],
            "objections": [
                {
                    "purpose": objection.purpose_id.code,
                    "date": fields.Datetime.to_string(objection.date),
                    "channel": objection.channel,
                }
                for objection in objections
            ],
            "messages": [
                {
                    "id": message.id,
                    "date": fields.Datetime.to_string(message.date),
                    "model": message.model or None,
                    "res_id": message.res_id or None,
                    "subject": message.subject or None,
                    "body": html2plaintext(message.body or "") or None,
                }
                for message in messages
            ],
            "requests": [request._to_dict() for request in requests],
            "processing": [
                {
                    "purpose": purpose.code,
                    "name": purpose.name,
                    "legal_basis": purpose.legal_basis,
                    "retention_months": purpose.retention_months,
                    "at_retention_end": purpose.retention_end_action,
                    "recipients": [
                        {
                            "name": recipient.partner_id.display_name,
                            "country": recipient.country_id.name or None,
                            "transfer_safeguard": recipient.transfer_safeguard or None,
                        }
                        for recipient in purpose.recipient_ids
                    ],
                }
                for purpose in partner.gdpr_purpose_ids
            ],
        }
        self.env["gdpr.audit.entry"]._log_data_access(
            "export", partners.with_env(self.env), ["crm_gdpr.subject_export"]
        )
        return data

    def _attach(self, partner, request):
        """The package as JSON and as a readable HTML page, listed on the
        request but attached to no record: only the DPO who made it (and
        administrators) can open the files, not everyone who can read the
        request."""
        data = self._build(partner)
        html = self.env["ir.qweb"]._render(
            "crm_gdpr.gdpr_subject_export_document", {"data": data, "dsr": request}
        )
        Attachment = self.env["ir.attachment"].sudo()
        return Attachment.create(
            [
                {
                    "name": f"{request.name.replace('/', '-')}_data.json",
                    "raw": json.dumps(data, indent=2, ensure_ascii=False).encode(),
                    "mimetype": "application/json",
                },
                {
                    "name": f"{request.name.replace('/', '-')}_data.html",
                    "datas": base64.b64encode(str(html).encode()),
                    "mimetype": "text/html",
                },
            ]
        )
