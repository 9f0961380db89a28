from odoo import fields, models


class GdprAuditEntry(models.Model):
    _inherit = "gdpr.audit.entry"

    interface = fields.Selection(
        selection_add=[("portal", "The person's web page")],
        ondelete={"portal": "set null"},
    )
