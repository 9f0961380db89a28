from odoo import fields, models


class GdprCategoryMixin(models.AbstractModel):
    """What the categories of the register share: a translatable name, a
    stable code for integrations, an order."""

    _name = "gdpr.category.mixin"
    _description = "Register Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Stable identifier used by integrations and exports.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
