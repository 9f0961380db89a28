from odoo import _, models


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        if footprint.emails:
            footprint.add(
                self.search([("email", "in", sorted(footprint.emails))]),
                "delete",
                _("Replaced by the suppression entry of the erasure."),
            )


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        # the numbers are stored in E.164, as the person finder compares them
        if footprint.phones:
            footprint.add(
                self.search([("number", "in", sorted(footprint.phones))]),
                "delete",
                _("Replaced by the suppression entry."),
            )
