from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    _gdpr_erasure_sequence = 30

    def _gdpr_erasure_places(self, footprint):
        leads = footprint.leads
        if not leads:
            return
        Erasure = self.env["gdpr.erasure"]
        delete = any(
            entry.erasure_method == "delete"
            for entry in Erasure._map_methods(self._name).values()
        )
        footprint.add(
            leads, "delete" if delete else "anonymise", Erasure._map_reason(self._name)
        )
