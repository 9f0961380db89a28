from odoo import fields, models

from .gdpr_footprint import ACTIONS


class GdprErasureLogLine(models.Model):
    _name = "gdpr.erasure.log.line"
    _description = "Erasure Certificate Line"
    _order = "log_id, model, action"

    log_id = fields.Many2one(
        "gdpr.erasure.log", required=True, ondelete="cascade", index=True
    )
    model = fields.Char(required=True, readonly=True)
    model_description = fields.Char("Data", readonly=True)
    action = fields.Selection(ACTIONS, required=True, readonly=True)
    count = fields.Integer("Records", readonly=True)
