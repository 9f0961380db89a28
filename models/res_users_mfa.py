from odoo import models

TOTP_PARAM = "crm_gdpr.totp_privacy_groups"
# users who may read sensitive data or export personal data (the DPO
# implies both) must use two-factor authentication when the setting is on
PRIVACY_GROUPS = ("crm_gdpr.group_gdpr_sensitive", "crm_gdpr.group_gdpr_export")


class ResUsers(models.Model):
    """Two-factor authentication for the users of the privacy groups."""

    _inherit = "res.users"

    def _mfa_type(self):
        """Users who may read sensitive data or export personal data log in
        with a second factor: their authenticator app when they set it up,
        otherwise a code by e-mail (Odoo's auth_totp_mail_enforce)."""
        mfa = super()._mfa_type()
        if mfa is not None:
            return mfa
        if self._gdpr_int_param(TOTP_PARAM) and self._gdpr_in_privacy_groups():
            return "totp_mail"
        return None

    def _gdpr_in_privacy_groups(self):
        user = self.sudo()
        return any(user.has_group(group) for group in PRIVACY_GROUPS)
