from odoo import api, fields, models

from ..models.gdpr_consent import CONSENT_CHANNELS, WITNESSED_CHANNELS


class GdprConsentRecordWizard(models.TransientModel):
    """Record what one or several contacts decided about a purpose."""

    _name = "gdpr.consent.record.wizard"
    _description = "Record Consent"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    purpose_id = fields.Many2one(
        "gdpr.purpose",
        required=True,
        domain=[("consent_required", "=", True)],
        default=lambda self: self._default_purpose_id(),
    )
    decision = fields.Selection(
        [("given", "Given"), ("refused", "Refused"), ("withdrawn", "Withdrawn")],
        required=True,
        default="given",
    )
    channel = fields.Selection(
        [item for item in CONSENT_CHANNELS if item[0] in WITNESSED_CHANNELS],
        required=True,
        default="phone",
        help="How the decision reached you. A decision made on the consent page "
        "or a web form is recorded there, with its proof.",
    )
    consent_text = fields.Text(
        string="Wording", related="purpose_id.consent_text", readonly=True
    )
    note = fields.Text()

    @api.model
    def _default_purpose_id(self):
        return self.env["gdpr.purpose"].search(
            [("consent_required", "=", True)], limit=1
        )

    def action_confirm(self):
        self.ensure_one()
        self.env["gdpr.consent"]._record_decision(
            self.partner_ids,
            self.purpose_id,
            self.decision,
            channel=self.channel,
            note=self.note,
        )
        return {"type": "ir.actions.act_window_close"}
