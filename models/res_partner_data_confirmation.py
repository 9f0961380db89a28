from odoo import fields, models
from odoo.exceptions import UserError


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

    def write(self, vals):
        if (
            "gdpr_data_confirmed_on" in vals
            and not self.env.context.get("gdpr_data_confirmation")
            and not self.env.su
        ):
            raise UserError(
                self.env._(
                    "The date the data was confirmed is set only by the person "
                    "on their data page."
                )
            )
        return super().write(vals)
