from odoo import models


class GdprDataCategory(models.Model):
    _name = "gdpr.data.category"
    _inherit = "gdpr.category.mixin"
    _description = "Personal Data Category"

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The code of a data category must be unique."),
    ]
