from odoo import api, models


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    def _gdpr_display_name_fields(self):
        return ["acc_number"]

    @api.depends_context("uid")
    def _compute_display_name(self):
        """The account number is the display name of a bank account: mask it
        for users who may not read it (the map makes it sensitive)."""
        if self._gdpr_user_may_read("acc_number"):
            return super()._compute_display_name()
        for account in self:
            number = account.sudo().acc_number or ""
            masked = "*" * max(len(number) - 4, 0) + number[-4:]
            account.display_name = (
                f"{masked} - {account.bank_id.name}" if account.bank_id else masked
            )
