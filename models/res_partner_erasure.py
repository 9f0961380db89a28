from odoo import _, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    _gdpr_erasure_sequence = 10

    def _gdpr_erasure_places(self, footprint):
        partners = footprint.partners
        if not partners:
            return
        Erasure = self.env["gdpr.erasure"]
        reason = _("The contact is anonymised and archived.")
        named = partners.filtered(
            lambda p: not p.parent_id or p.parent_id not in partners
        )
        footprint.add(named, "anonymise", Erasure._map_reason(self._name, reason))
        children = partners - named
        if children:
            footprint.add(
                children,
                "anonymise",
                Erasure._map_reason(
                    self._name,
                    _(
                        "A child contact of the contact named for erasure: "
                        "anonymised and archived with it."
                    ),
                ),
            )
