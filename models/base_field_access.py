from odoo import api, models
from odoo.osv import expression


class Base(models.AbstractModel):
    """Fields the personal-data map hides from a user stay hidden wherever
    a field path leads to them: in display names and in name searches."""

    _inherit = "base"

    def _gdpr_path_fields(self, names):
        """The (model, field name) pairs along a field path, e.g.
        ``["bank_ids", "acc_number"]``."""
        model = self
        for name in names:
            field = model._fields.get(name)
            if field is None:
                return
            yield model, name
            if not field.relational:
                return
            model = model.env[field.comodel_name]

    def _gdpr_user_may_read(self, field_name):
        """Whether the user may read the field, also in superuser mode: display
        names of linked records are computed as superuser, yet must not show
        the user a field the personal-data map hides from them."""
        groups = self._fields[field_name].groups
        user = self.env.user
        return not groups or user._is_superuser() or user.has_groups(groups)

    @api.model
    def _search_display_name(self, operator, value):
        """Search by name without the fields the user may not read: a
        sensitive field in ``_rec_names_search`` (e.g. the VAT number) must
        neither break the search of a contact by name nor be probed by it."""
        domain = super()._search_display_name(operator, value)
        if self.env.su:
            return domain

        def readable(term):
            # TRUE_LEAF and FALSE_LEAF name no field
            return not isinstance(term[0], str) or all(
                model._fields[name].is_accessible(model.env)
                for model, name in self._gdpr_path_fields(term[0].split("."))
            )

        return [
            term
            if not expression.is_leaf(term) or readable(term)
            else (
                expression.TRUE_LEAF
                if term[1] in expression.NEGATIVE_TERM_OPERATORS
                else expression.FALSE_LEAF
            )
            for term in expression.normalize_domain(domain)
        ]
