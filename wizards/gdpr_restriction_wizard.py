from odoo import api, fields, models


class GdprRestrictionWizard(models.TransientModel):
    """Restrict the processing of contacts (Art. 18), saying why."""

    _name = "gdpr.restriction.wizard"
    _description = "Restrict Processing"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    reason = fields.Text(
        required=True, help="e.g. the person contests the accuracy of their data"
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner":
            values["partner_ids"] = [
                fields.Command.set(self.env.context.get("active_ids", []))
            ]
        return values

    def action_restrict(self):
        self.partner_ids.gdpr_set_restriction(True, self.reason)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
