from odoo import _, api, fields, models
from odoo.exceptions import UserError


class GdprConsentRequestWizard(models.TransientModel):
    """E-mail contacts a personal link to give, refuse or withdraw their
    consent to the purposes the DPO chooses."""

    _name = "gdpr.consent.request.wizard"
    _description = "Ask for Consent"

    partner_ids = fields.Many2many("res.partner", string="Contacts", required=True)
    purpose_ids = fields.Many2many(
        "gdpr.purpose",
        string="Purposes asked",
        required=True,
        domain=[("consent_required", "=", True)],
    )
    validity_days = fields.Integer("Link valid for (days)", default=30, required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "res.partner":
            values["partner_ids"] = [fields.Command.set(ids)]
        elif context.get("active_model") == "crm.lead":
            leads = self.env["crm.lead"].browse(ids)
            if leads.filtered(lambda lead: not lead.partner_id):
                raise UserError(
                    _("Link the leads to contacts before asking for consent.")
                )
            values["partner_ids"] = [fields.Command.set(leads.partner_id.ids)]
        return values

    def action_send(self):
        self.ensure_one()
        if self.validity_days < 1:
            raise UserError(_("The link must be valid for at least a day."))
        requests = self.env["gdpr.consent.request"]._send(
            self.partner_ids, self.purpose_ids, "consent", self.validity_days
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _("%s consent requests sent.", len(requests)),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
