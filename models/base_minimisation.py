from odoo import _, api, models
from odoo.exceptions import UserError


class Base(models.AbstractModel):
    """Minimisation: fields the company decided not to collect are refused,
    in forms, imports and over RPC alike."""

    _inherit = "base"

    def _gdpr_refuse_not_collected(self, vals_list):
        """Refuse values for switched-off fields, with a message that says
        why, in forms, imports and over RPC alike."""
        if self.env.su:
            return
        names = self.env["gdpr.field"]._not_collected_fields().get(self._name)
        given = names and {n for vals in vals_list for n in names if vals.get(n)}
        if given:
            raise UserError(
                _(
                    "Your company does not collect %(fields)s (switched off in the "
                    "personal-data map): leave it empty.",
                    fields=", ".join(sorted(self._fields[n].string for n in given)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._gdpr_refuse_not_collected(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._gdpr_refuse_not_collected([vals])
        return super().write(vals)
