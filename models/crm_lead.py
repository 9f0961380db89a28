from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    gdpr_consent_ids = fields.One2many(
        related="partner_id.gdpr_consent_ids", string="Contact's consents"
    )
