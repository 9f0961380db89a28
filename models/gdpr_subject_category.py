from odoo import fields, models


class GdprSubjectCategory(models.Model):
    _name = "gdpr.subject.category"
    _description = "Data Subject Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by integrations and exports.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_unique",
            "UNIQUE(code)",
            "The code of a data subject category must be unique.",
        ),
    ]
