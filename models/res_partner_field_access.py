from odoo import api, models

# The context keys that add fields to a contact's display name.
DISPLAY_NAME_FIELDS = {
    "show_vat": ("vat",),
    "show_email": ("email",),
    "show_address": ("street", "street2", "zip", "city", "state_id", "country_id"),
}


class ResPartner(models.Model):
    """Fields the personal-data map hides from a user stay out of the
    contact's display name, and Odoo's own copies of commercial fields from
    a company to its contacts still work."""

    _inherit = "res.partner"

    def _gdpr_display_name_fields(self):
        return [
            name
            for key, names in DISPLAY_NAME_FIELDS.items()
            if self.env.context.get(key)
            for name in names
        ]

    @api.depends_context("uid")
    def _compute_display_name(self):
        """Leave out of the display name (``show_vat``, ``show_email``,
        ``show_address``) the fields the user may not read."""
        hidden = {
            key: False
            for key, names in DISPLAY_NAME_FIELDS.items()
            if self.env.context.get(key)
            and not all(self._gdpr_user_may_read(name) for name in names)
        }
        if not hidden:
            return super()._compute_display_name()
        # computed here, not read: the field is being computed, so reading it
        # on the same records would give False
        shown = self.with_context(**hidden)
        super(ResPartner, shown)._compute_display_name()
        for partner, plain in zip(self, shown, strict=True):
            partner.display_name = plain.display_name

    def _gdpr_sync_env(self):
        """Copying commercial fields (VAT, company registry...) from the
        company to its contacts is bookkeeping, not the user reading them: it
        runs as superuser when the map makes one of them sensitive."""
        restricted = any(
            not self._fields[name].is_accessible(self.env)
            for name in self._commercial_fields()
        )
        return self.sudo() if restricted else self

    def _commercial_sync_from_company(self):
        return super(ResPartner, self._gdpr_sync_env())._commercial_sync_from_company()

    def _commercial_sync_to_children(self, fields_to_sync=None):
        return super(ResPartner, self._gdpr_sync_env())._commercial_sync_to_children(
            fields_to_sync
        )
