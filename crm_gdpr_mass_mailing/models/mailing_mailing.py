from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import email_normalize

from .failure_types import GDPR_FAILURE_TYPES, REASON_TO_FAILURE, REFUSAL_ORDER


class MailingMailing(models.Model):
    """A mailing names its processing purpose: at sending, the recipients
    the purpose does not allow are left out, and counted per reason."""

    _inherit = "mailing.mailing"

    gdpr_purpose_id = fields.Many2one(
        "gdpr.purpose",
        string="Processing purpose",
        domain=[("legal_basis", "in", ("consent", "legitimate_interest"))],
        help="Recipients without a valid consent to this purpose (if it relies "
        "on consent), who objected to it (legitimate interests), or whose "
        "data is restricted or erased are left out at sending. Unsubscribing "
        "withdraws the consent.",
    )
    gdpr_left_out_count = fields.Integer(
        string="Left out for privacy", compute="_compute_gdpr_left_out"
    )
    gdpr_left_out_summary = fields.Char(
        string="Left out because", compute="_compute_gdpr_left_out"
    )

    def _compute_gdpr_left_out(self):
        keys = [key for key, _label in GDPR_FAILURE_TYPES]
        labels = dict(
            self.env["mailing.trace"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        )
        counts = {}
        if self.ids:
            for mailing, failure, count in self.env["mailing.trace"]._read_group(
                [("mass_mailing_id", "in", self.ids), ("failure_type", "in", keys)],
                ["mass_mailing_id", "failure_type"],
                ["__count"],
            ):
                counts.setdefault(mailing.id, {})[failure] = count
        for mailing in self:
            found = counts.get(mailing.id, {})
            mailing.gdpr_left_out_count = sum(found.values())
            mailing.gdpr_left_out_summary = ", ".join(
                f"{labels[key]}: {found[key]}" for key in keys if found.get(key)
            )

    @api.model
    def _gdpr_failure_types(self, purpose, emails):
        """``{normalised e-mail: failure type}`` of the recipients
        ``purpose`` does not allow (each judged on all its records)."""
        refusals = self.env["gdpr.purpose"]._gdpr_contact_refusals(purpose, emails)
        return {
            email: REASON_TO_FAILURE[next(r for r in REFUSAL_ORDER if r in reasons)]
            for email, reasons in refusals.items()
            if reasons
        }

    def _gdpr_unsubscribe(self, email, proof):
        """The person behind ``email`` unsubscribed from this mailing: withdraw
        their consent to its purpose (or record their objection), on every
        contact with that address, with the proof of the request."""
        self.ensure_one()
        purpose = self.sudo().gdpr_purpose_id
        normalized = email_normalize(email or "")
        if not purpose or not normalized:
            return self.env["gdpr.consent"]
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("email_normalized", "=", normalized)])
        )
        note = self.env._("Unsubscribed from the mailing %s.", self.subject or "")
        if purpose.consent_required:
            consents = (
                self.env["gdpr.consent"]
                .sudo()
                .search(
                    [
                        ("partner_id", "in", partners.ids),
                        ("purpose_id", "=", purpose.id),
                        ("state", "=", "given"),
                    ]
                )
            )
            consents._set_state("withdrawn", channel="email", proof=proof, note=note)
            return consents
        objected = (
            self.env["gdpr.objection"]
            .sudo()
            .search(
                [("partner_id", "in", partners.ids), ("purpose_id", "=", purpose.id)]
            )
            .partner_id
        )
        self.env["gdpr.objection"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "purpose_id": purpose.id,
                    "channel": "email",
                    "note": note,
                }
                for partner in partners - objected
            ]
        )
        return self.env["gdpr.consent"]

    def gdpr_check_recipients(self):
        """Public RPC: for each mailing, how many of its recipients would be
        left out now, per reason. Mailing rights are checked; returns plain
        data."""
        self.check_access("read")
        if not self.env.user.has_group("mass_mailing.group_mass_mailing_user"):
            raise AccessError(self.env._("Only e-mail marketing users may check this."))
        result = {}
        for mailing in self:
            purpose = mailing.gdpr_purpose_id
            if not purpose:
                raise ValidationError(
                    self.env._("The mailing %s names no purpose.", mailing.subject)
                )
            records = self.env[mailing.mailing_model_real].search(
                mailing._get_recipients_domain()
            )
            field = (
                "email_normalized" if "email_normalized" in records._fields else None
            )
            emails = (
                set(filter(None, records.mapped(field)))
                if field
                else {email_normalize(r.email or "") for r in records} - {False}
            )
            failures = self._gdpr_failure_types(purpose.sudo(), emails)
            counts = {}
            for failure in failures.values():
                counts[failure] = counts.get(failure, 0) + 1
            result[mailing.id] = {"recipients": len(emails), "left_out": counts}
        return result
