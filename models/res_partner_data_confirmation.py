from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    gdpr_data_confirmed_on = fields.Date(
        string="Data confirmed on",
        readonly=True,
        copy=False,
        index=True,
        help="When the person last confirmed or corrected their data on the "
        "page of their personal link.",
    )
