from odoo import _, models


class GdprConsent(models.Model):
    _inherit = "gdpr.consent"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        footprint.add(
            self.search([("partner_id", "in", footprint.partners.ids)]),
            "delete",
            _("Consents of the person, with their history."),
        )


class GdprConsentRequest(models.Model):
    _inherit = "gdpr.consent.request"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        footprint.add(
            self.search([("partner_id", "in", footprint.partners.ids)]),
            "delete",
            _("Consent links sent to the person."),
        )


class GdprObjection(models.Model):
    _inherit = "gdpr.objection"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        footprint.add(
            self.search([("partner_id", "in", footprint.partners.ids)]),
            "delete",
            _("Objections of the person."),
        )
