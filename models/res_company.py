from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    gdpr_dpo_partner_id = fields.Many2one(
        "res.partner",
        string="Data protection officer",
        help="The contact data subjects can reach about their personal data "
        "(GDPR Art. 37-39).",
    )
    gdpr_privacy_policy_url = fields.Char(
        string="Privacy policy URL",
        help="Where the company's privacy notice is published (Art. 13-14).",
    )
