from odoo import fields, models

from ..models.gdpr_footprint import ACTIONS


class GdprErasureWizardLine(models.TransientModel):
    _name = "gdpr.erasure.wizard.line"
    _description = "Place of a Person's Data"
    _order = "person, model, action, res_id"

    wizard_id = fields.Many2one(
        "gdpr.erasure.wizard", required=True, ondelete="cascade"
    )
    person = fields.Integer()
    model = fields.Char()
    res_id = fields.Integer("Record ID")
    label = fields.Char("Record")
    action = fields.Selection(ACTIONS)
    reason = fields.Char()
