from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .gdpr_rights import DPO_GROUP, check_group

EXPIRY_PARAM = "crm_gdpr.password_expiry_days"
HISTORY_PARAM = "crm_gdpr.password_history"


class ResUsers(models.Model):
    """Passwords: no reuse of the last ones, an expiry period, and changes
    asked by the administrator of access rights or the DPO."""

    _inherit = "res.users"

    gdpr_password_date = fields.Datetime(
        "Password changed on",
        readonly=True,
        copy=False,
        groups="base.group_erp_manager,crm_gdpr.group_gdpr_dpo",
        help="When the user last chose a password; with an expiry period set "
        "in the Privacy settings, they must choose a new one at their next "
        "login once it is past.",
    )
    gdpr_password_change_required = fields.Boolean(
        "Must change password",
        readonly=True,
        copy=False,
        groups="base.group_erp_manager,crm_gdpr.group_gdpr_dpo",
        help="The user must choose a new password at their next login.",
    )
    gdpr_password_change_message = fields.Text(
        "Message at the password change",
        readonly=True,
        copy=False,
        groups="base.group_erp_manager,crm_gdpr.group_gdpr_dpo",
    )

    # ------------------------------------------------------------------
    # Passwords: history and expiry
    # ------------------------------------------------------------------

    @api.model
    def _gdpr_int_param(self, key, default=0):
        try:
            return max(
                0, int(self.env["ir.config_parameter"].sudo().get_param(key, default))
            )
        except ValueError:
            return default

    def _set_password(self):
        """Refuse a password among the user's last N ones, then keep the new
        hash (only the last N, and only when the setting is on) and the date
        of the change."""
        keep = self._gdpr_int_param(HISTORY_PARAM)
        if keep:
            self._gdpr_check_password_reuse(keep)
        super()._set_password()
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET gdpr_password_date = %s, "
                "gdpr_password_change_required = FALSE, "
                "gdpr_password_change_message = NULL WHERE id IN %s",
                SQL.identifier(self._table),
                fields.Datetime.now(),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(
            [
                "gdpr_password_date",
                "gdpr_password_change_required",
                "gdpr_password_change_message",
            ]
        )
        if keep:
            self.env["res.users.password.history"]._record(self, keep)

    def _gdpr_check_password_reuse(self, keep):
        ctx = self._crypt_context()
        History = self.env["res.users.password.history"]
        for user in self:
            if not user.password:
                continue
            hashes = History._last_hashes(user, keep)
            if any(ctx.verify(user.password, digest) for digest in hashes):
                raise UserError(
                    _(
                        "Choose a password you have not used recently: the last "
                        "%(count)s passwords cannot be used again.",
                        count=keep,
                    )
                )

    def _gdpr_password_expired(self):
        """Whether the user must choose a new password before going on."""
        self.ensure_one()
        user = self.sudo()
        if user.gdpr_password_change_required:
            return True
        days = self._gdpr_int_param(EXPIRY_PARAM)
        if not days:
            return False
        changed = user.gdpr_password_date or user.create_date
        return bool(changed) and changed + relativedelta(days=days) < (
            fields.Datetime.now()
        )

    def _gdpr_change_expired_password(self, new_password, confirm_password):
        """The password change at login: both entries must match; Odoo's
        policy (minimum length) and the history apply through
        ``_set_password``."""
        self.ensure_one()
        if not new_password or new_password != confirm_password:
            raise UserError(_("The two passwords do not match."))
        if self._gdpr_password_expired() and self._gdpr_matches_current(new_password):
            raise UserError(_("Choose a new password, not the current one."))
        self.sudo()._change_password(new_password)

    def _gdpr_matches_current(self, password):
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(password, '') FROM %s WHERE id = %s",
                SQL.identifier(self._table),
                self.id,
            )
        )
        digest = self.env.cr.fetchone()[0]
        return bool(digest) and self._crypt_context().verify(password, digest)

    @api.model
    def gdpr_request_password_change(self, user_ids=None, message=None):
        """Ask these users to choose a new password at their next login,
        showing them ``message``. Returns the number of users asked."""
        self._gdpr_check_password_manager()
        if not isinstance(user_ids, list | tuple) or not all(
            isinstance(uid, int) and not isinstance(uid, bool) for uid in user_ids
        ):
            raise ValidationError(_("Give the users as a list of ids."))
        if message is not None and not isinstance(message, str):
            raise ValidationError(_("The message is a text."))
        users = self.sudo().browse(user_ids).exists()
        missing = set(user_ids) - set(users.ids)
        if missing or not users:
            raise ValidationError(
                _("No such users: %s", ", ".join(map(str, sorted(missing))) or "[]")
            )
        # users of the caller's companies only (a DPO of one company does
        # not reach the administrators of another)
        foreign = users.filtered(
            lambda user: not (user.company_ids & self.env.user.company_ids)
        )
        if foreign and not self.env.su:
            raise AccessError(
                _(
                    "%s works for none of your companies.",
                    ", ".join(foreign.mapped("name")),
                )
            )
        users.write(
            {
                "gdpr_password_change_required": True,
                "gdpr_password_change_message": message or False,
            }
        )
        return len(users)

    @api.model
    def _gdpr_check_password_manager(self):
        check_group(
            self.env,
            f"base.group_erp_manager,{DPO_GROUP}",
            _(
                "Only the administrator of access rights or the data "
                "protection officer can ask users to change their password."
            ),
        )
