from odoo import api, fields, models


class GdprSuppressionMixin(models.AbstractModel):
    """Records that may bring an erased person back (contacts, leads): the
    form warns the user, and the block mode refuses them everywhere (UI,
    import, RPC)."""

    _name = "gdpr.suppression.mixin"
    _description = "Warns About Erased People"
    _gdpr_email_fields = ()
    _gdpr_phone_fields = ()

    gdpr_suppression_warning = fields.Char(compute="_compute_gdpr_suppression_warning")

    @api.depends(lambda self: (*self._gdpr_email_fields, *self._gdpr_phone_fields))
    def _compute_gdpr_suppression_warning(self):
        Suppression = self.env["gdpr.suppression"]
        for record in self:
            record.gdpr_suppression_warning = Suppression._warning(
                [record[name] for name in self._gdpr_email_fields],
                [record[name] for name in self._gdpr_phone_fields],
            )

    def _onchange_gdpr_suppression(self):
        if self.gdpr_suppression_warning:
            return {
                "warning": {
                    "title": self.env._("Erased person"),
                    "message": self.gdpr_suppression_warning,
                }
            }

    def _gdpr_check_suppression(self, vals_list):
        self.env["gdpr.suppression"]._check_new_data(
            vals_list, self._gdpr_email_fields, self._gdpr_phone_fields
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._gdpr_check_suppression(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._gdpr_check_suppression([vals])
        return super().write(vals)
