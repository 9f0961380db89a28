from odoo import fields, models

from .gdpr_consent import CONSENT_CHANNELS, CONSENT_STATES


class GdprConsentHistory(models.Model):
    """Append-only trail of every change of a consent, with its proof.

    Created only by the consent's state actions (as superuser); the access
    rules let nobody but the DPO edit or delete an entry.
    """

    _name = "gdpr.consent.history"
    _description = "Consent History"
    _order = "date desc, id desc"

    consent_id = fields.Many2one(
        "gdpr.consent", required=True, ondelete="cascade", index=True, readonly=True
    )
    partner_id = fields.Many2one(
        related="consent_id.partner_id", string="Contact", store=True, index=True
    )
    purpose_id = fields.Many2one(related="consent_id.purpose_id", store=True)
    company_id = fields.Many2one(related="consent_id.company_id", store=True)
    previous_state = fields.Selection(CONSENT_STATES, readonly=True)
    state = fields.Selection(CONSENT_STATES, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    channel = fields.Selection(CONSENT_CHANNELS, readonly=True)
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True)
    ip_address = fields.Char(string="IP address", readonly=True)
    user_agent = fields.Char(readonly=True)
    consent_text = fields.Text(string="Wording shown", readonly=True)
    consent_hash = fields.Char(string="Wording hash", readonly=True)
    lang = fields.Char(string="Language", readonly=True)
    note = fields.Text(readonly=True)
