from odoo import _, api, models
from odoo.exceptions import AccessError


class Base(models.AbstractModel):
    """Fields that only the add-on's own processes set (erasure date,
    restriction flags, who verified an identity...): they run as superuser;
    everyone else is refused, over RPC, in imports and forms."""

    _inherit = "base"

    _gdpr_process_fields = ()

    def _gdpr_default(self, name):
        default = self._fields[name].default
        return default(self) if default else False

    def _gdpr_refuse_process_fields(self, vals_list, creating):
        if self.env.su or not self._gdpr_process_fields:
            return
        given = {
            name
            for vals in vals_list
            for name in self._gdpr_process_fields
            if name in vals
            and (
                not creating
                or vals[name] not in (False, None, self._gdpr_default(name))
            )
        }
        if given:
            raise AccessError(
                _(
                    "%(fields)s of %(model)s can only be set by the privacy "
                    "processes (erasure, restriction, consent collection), not "
                    "written directly.",
                    fields=", ".join(sorted(self._fields[n].string for n in given)),
                    model=self._description,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._gdpr_refuse_process_fields(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._gdpr_refuse_process_fields([vals], creating=False)
        return super().write(vals)
