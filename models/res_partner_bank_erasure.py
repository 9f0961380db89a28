from odoo import models


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    _gdpr_erasure_sequence = 20

    def _gdpr_erasure_places(self, footprint):
        banks = footprint.partners.bank_ids
        if banks:
            footprint.add(
                banks, "delete", self.env["gdpr.erasure"]._map_reason(self._name)
            )
