from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "gdpr.suppression.mixin"]
    _gdpr_email_fields = ("email_from",)
    _gdpr_phone_fields = ("phone", "mobile")

    gdpr_consent_ids = fields.One2many(
        related="partner_id.gdpr_consent_ids", string="Contact's consents"
    )

    def write(self, vals):
        if set(vals) & set(self._gdpr_audited() or ()):
            self.partner_id._gdpr_check_restriction()
        return super().write(vals)

    @api.onchange("email_from", "phone", "mobile")
    def _onchange_gdpr_suppression(self):
        return super()._onchange_gdpr_suppression()
