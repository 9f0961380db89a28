from odoo import api, fields, models

INIT_PARAM = "crm_gdpr.subject_editable_set"
SUBJECT_EDITABLE = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
)


class GdprField(models.Model):
    _inherit = "gdpr.field"

    subject_editable = fields.Boolean(
        string="The person may correct it",
        help="Shown on the page where contacts confirm or correct their data "
        "(text fields and the country).",
    )

    @api.model
    def _gdpr_init_subject_editable(self):
        """Let people correct their name, e-mail, phones and address: once,
        the DPO's choices stand after."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(INIT_PARAM):
            return
        params.set_param(INIT_PARAM, "1")
        self.search(
            [("model", "=", "res.partner"), ("field_name", "in", SUBJECT_EDITABLE)]
        ).write({"subject_editable": True})
