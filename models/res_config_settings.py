from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    gdpr_dpo_partner_id = fields.Many2one(
        related="company_id.gdpr_dpo_partner_id", readonly=False
    )
    gdpr_privacy_policy_url = fields.Char(
        related="company_id.gdpr_privacy_policy_url", readonly=False
    )
