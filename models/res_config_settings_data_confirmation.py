from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    gdpr_data_confirm_months = fields.Integer(
        "Ask contacts to confirm their data every (months)",
        config_parameter="crm_gdpr.data_confirm_months",
        help="A scheduled action e-mails the contacts whose data was last "
        "confirmed longer ago a personal link to a page where they confirm or "
        "correct it. 0: never.",
    )
