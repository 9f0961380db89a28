from odoo import _, models


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
