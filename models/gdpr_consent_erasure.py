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


class GdprDataConfirmation(models.Model):
    _inherit = "gdpr.data.confirmation"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        # a link sent before the erasure must not fill the contact in again
        footprint.add(
            self.search([("partner_id", "in", footprint.partners.ids)]),
            "delete",
            _("Data confirmation links sent to the person."),
        )


class GdprConsentCampaignLine(models.Model):
    _inherit = "gdpr.consent.campaign.line"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        footprint.add(
            self.search([("partner_id", "in", footprint.partners.ids)]),
            "delete",
            _("The person's lines in consent campaigns."),
        )
