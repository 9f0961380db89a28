from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.tools.misc import hmac

RETENTION_PARAM = "crm_gdpr.login_journal_days"
ALERT_FAILURES_PARAM = "crm_gdpr.login_alert_failures"
ALERT_MINUTES_PARAM = "crm_gdpr.login_alert_minutes"
RESULTS = [
    ("success", "Success"),
    ("failure", "Wrong login or password"),
    ("blocked", "Refused during the cooldown"),
]
FAILED = ("failure", "blocked")
RPC_PATHS = ("/xmlrpc", "/jsonrpc", "/json/")


def login_hash(env, login):
    """A keyed hash of what was typed as login (HMAC-SHA256 under the
    database secret): the same text gives the same hash in this database
    only, and the text cannot be read back."""
    return hmac(env(su=True), "crm_gdpr.login", (login or "").strip().lower())


class GdprLoginAttempt(models.Model):
    """One attempt to log in, successful or not.

    What was typed as login is kept in clear only when it is the login of a
    user. Anything else (a typo, an address probed by an attacker, or a
    password typed in the wrong field) is kept only as a keyed hash: the
    journal can still count repeated failures of the same text and raise an
    alert, but never shows it. Passwords are never read."""

    _name = "gdpr.login.attempt"
    _description = "Login Attempt"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _rec_name = "login_display"

    date = fields.Datetime(
        required=True, readonly=True, index=True, default=fields.Datetime.now
    )
    result = fields.Selection(RESULTS, required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, index=True, ondelete="set null"
    )
    login = fields.Char(
        "Login tried",
        readonly=True,
        help="Kept only when it is the login of a user; other texts are kept "
        "as a fingerprint.",
    )
    login_hash = fields.Char(readonly=True, index=True)
    login_fingerprint = fields.Char(compute="_compute_login_display")
    login_display = fields.Char("Login", compute="_compute_login_display")
    ip_address = fields.Char("IP address", readonly=True, index=True)
    user_agent = fields.Char("Browser", readonly=True)
    interface = fields.Selection(
        [("web", "Web"), ("rpc", "RPC")], readonly=True, default="web"
    )

    @api.depends("login", "login_hash")
    def _compute_login_display(self):
        for attempt in self:
            attempt.login_fingerprint = (attempt.login_hash or "")[:10]
            attempt.login_display = attempt.login or _(
                "unknown login (%s)", attempt.login_fingerprint
            )

    @api.model
    def _record(self, login, result, uid=None, httprequest=None):
        """Journal an attempt (called as superuser, in its own cursor)."""
        login = (login or "").strip() if isinstance(login, str) else ""
        Users = self.env["res.users"].with_context(active_test=False)
        user = Users.browse(uid) if uid else Users.browse()
        if not user and login:
            user = Users.search(Users._get_login_domain(login), limit=1)
        values = {
            "result": result,
            "user_id": user.id,
            "login": user.login if user else False,
            "login_hash": login_hash(self.env, user.login if user else login),
        }
        if httprequest is not None:
            values.update(
                ip_address=httprequest.remote_addr,
                user_agent=(httprequest.user_agent.string or "")[:512] or False,
                interface="rpc" if httprequest.path.startswith(RPC_PATHS) else "web",
            )
        attempt = (
            self.sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create(values)
        )
        if result in FAILED:
            attempt._check_alert()
        return attempt

    # ------------------------------------------------------------------
    # Alert
    # ------------------------------------------------------------------

    @api.model
    def _alert_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            failures = int(params.get_param(ALERT_FAILURES_PARAM, 10))
            minutes = int(params.get_param(ALERT_MINUTES_PARAM, 15))
        except ValueError:
            failures, minutes = 10, 15
        return failures, minutes

    def _check_alert(self):
        """Alert the data protection officer when the failures from one
        address or for one login reach the threshold within the window; once
        per burst (when the count reaches the threshold exactly)."""
        self.ensure_one()
        failures, minutes = self._alert_settings()
        if failures <= 0:
            return
        since = fields.Datetime.now() - relativedelta(minutes=minutes)
        base = [("result", "in", FAILED), ("date", ">=", since)]
        reasons = []
        if self.ip_address:
            count = self.search_count([*base, ("ip_address", "=", self.ip_address)])
            if count == failures:
                reasons.append(
                    _(
                        "%(count)s failed logins from the address %(ip)s in "
                        "%(minutes)s minutes.",
                        count=count,
                        ip=self.ip_address,
                        minutes=minutes,
                    )
                )
        count = self.search_count([*base, ("login_hash", "=", self.login_hash)])
        if count == failures:
            reasons.append(
                _(
                    "%(count)s failed logins for the login %(login)s in "
                    "%(minutes)s minutes.",
                    count=count,
                    login=self.login_display,
                    minutes=minutes,
                )
            )
        if reasons:
            self._alert_dpo(reasons)

    def _alert_dpo(self, reasons):
        users = self.env.ref("crm_gdpr.group_gdpr_dpo").users.filtered(
            lambda u: u.active and not u.share and u.id != SUPERUSER_ID
        )
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Repeated failed logins"),
                note=" ".join(reasons),
                user_id=user.id,
            )

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------

    @api.model
    def _cron_purge(self):
        """Delete the attempts older than the retention period (days)."""
        try:
            days = int(
                self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, 90)
            )
        except ValueError:
            days = 90
        if days <= 0:
            return 0
        old = self.sudo().search(
            [("date", "<", fields.Datetime.now() - relativedelta(days=days))]
        )
        count = len(old)
        old.unlink()
        return count
