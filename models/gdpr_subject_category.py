from odoo import models


class GdprSubjectCategory(models.Model):
    _name = "gdpr.subject.category"
    _inherit = "gdpr.category.mixin"
    _description = "Data Subject Category"

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(code)",
            "The code of a data subject category must be unique.",
        ),
    ]
