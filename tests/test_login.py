import re
from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tests.common import HOST, Opener, get_db_name
from odoo.tools import SQL

from .common import SALESMAN, GdprHttpCase, GdprUsers

SOURCE = "127.0.0.1"


class LoginCase(GdprHttpCase):
    """Logs in through the real login form, with a fresh session each test
    and Odoo's per-address failure counter reset."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "gdpr_login_user", groups=SALESMAN)
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("base.login_cooldown_after", 0)
        cls.params.set_param("crm_gdpr.login_alert_failures", 0)

    def setUp(self):
        super().setUp()
        self.session = http.root.session_store.new()
        self.session.update(http.get_default_session(), db=get_db_name())
        self.opener = Opener(self.env.cr)
        self.opener.cookies.set("session_id", self.session.sid, domain=HOST, path="/")
        self._reset_failures()
        self.addCleanup(self._reset_failures)

    def _reset_failures(self):
        failures = getattr(self.env.registry, "_login_failures", None)
        if failures is not None:
            failures.pop(SOURCE, None)

    def login(self, login, password, **kw):
        response = self.url_open(
            "/web/login",
            data={
                "login": login,
                "password": password,
                "csrf_token": self.csrf_token(self.url_open("/web/login")),
            },
            headers={"User-Agent": "Mozilla/5.0 (X11; Linux) GdprTestBrowser/1.0"},
            **kw,
        )
        response.raise_for_status()
        return response

    def change_password(self, page, new, confirm):
        """Post the password change form of ``page`` (its CSRF token: the
        session changed at the login)."""
        return self.url_open(
            "/web/login/password",
            data={
                "new_password": new,
                "confirm_password": confirm,
                "csrf_token": self.csrf_token(page),
            },
        )

    def csrf_token(self, page):
        """The CSRF token of a form page (the session changes at logins)."""
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        self.assertTrue(token, "the form carries a CSRF token")
        return token.group(1)

    def logged_in(self):
        response = self.url_open("/odoo", allow_redirects=False)
        return response.status_code == 200


@tagged("post_install", "-at_install")
class TestLoginProtection(LoginCase):
    def test_cooldown_after_failures(self):
        """Odoo's cooldown, configured from the Privacy settings: after N
        failures even the right password is refused for a while."""
        self.params.set_param("base.login_cooldown_after", 2)
        self.params.set_param("base.login_cooldown_duration", 600)
        self.login("gdpr_login_user", "wrong-1")
        self.login("gdpr_login_user", "wrong-2")
        with self.assertLogs(
            "odoo.addons.base.models.res_users", level="WARNING"
        ) as logs:
            response = self.login("gdpr_login_user", "gdpr_login_user")
        self.assertIn("Login attempt ignored", logs.output[0])
        self.assertIn("Too many login failures", response.text)
        self.assertFalse(self.logged_in())
        blocked = self.env["gdpr.login.attempt"].search(
            [("user_id", "=", self.user.id), ("result", "=", "blocked")]
        )
        self.assertEqual(len(blocked), 1)

        self._reset_failures()
        self.login("gdpr_login_user", "gdpr_login_user")
        self.assertTrue(self.logged_in())

    def test_expired_password_must_be_changed(self):
        self.params.set_param("crm_gdpr.password_expiry_days", 30)
        self.params.set_param("crm_gdpr.password_history", 3)
        self.env.cr.execute(
            SQL(
                "UPDATE res_users SET gdpr_password_date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=40),
                self.user.id,
            )
        )
        self.user.invalidate_recordset()
        response = self.login("gdpr_login_user", "gdpr_login_user")
        self.assertEqual(response.request.path_url.split("?")[0], "/web/login/password")
        self.assertIn("Your password has expired", response.text)
        self.assertFalse(self.logged_in(), "no session before the change")

        page = self.change_password(response, "Another-pass-1", "Another-pass-2")
        self.assertIn("do not match", page.text)
        page = self.change_password(page, "gdpr_login_user", "gdpr_login_user")
        self.assertIn("not the current one", page.text)
        done = self.change_password(page, "Another-pass-1", "Another-pass-1")
        self.assertIn("Your password was changed", done.text)
        self.user.invalidate_recordset()
        self.assertGreater(
            self.user.gdpr_password_date, fields.Datetime.now() - timedelta(hours=1)
        )
        self.assertFalse(self.logged_in(), "they log in again with the new one")

        self.login("gdpr_login_user", "gdpr_login_user")
        self.assertFalse(self.logged_in(), "the old password is gone")
        response = self.login("gdpr_login_user", "Another-pass-1")
        self.assertEqual(response.request.path_url, "/odoo")
        self.assertTrue(self.logged_in())

    def test_asked_to_change_password(self):
        self.env["res.users"].with_user(self.dpo_user).gdpr_request_password_change(
            [self.user.id], "Our laptop was stolen: please choose a new password."
        )
        response = self.login("gdpr_login_user", "gdpr_login_user")
        self.assertIn("Our laptop was stolen", response.text)
        self.assertFalse(self.logged_in())
        self.change_password(
            response, "Fresh-password-9", "Fresh-password-9"
        ).raise_for_status()
        self.user.invalidate_recordset()
        self.assertFalse(self.user.gdpr_password_change_required)
        self.login("gdpr_login_user", "Fresh-password-9")
        self.assertTrue(self.logged_in())

    def test_password_page_needs_a_login(self):
        response = self.url_open(
            "/web/login/password",
            data={
                "new_password": "Fresh-password-9",
                "confirm_password": "Fresh-password-9",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.request.path_url.split("?")[0], "/web/login")
        self.assertFalse(self.user._gdpr_matches_current("Fresh-password-9"))


class TestPasswordRules(GdprUsers, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "gdpr_pw_user", groups=SALESMAN)
        cls.admin_user = new_test_user(
            cls.env, "gdpr_pw_admin", groups="base.group_user,base.group_erp_manager"
        )
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.History = cls.env["res.users.password.history"].sudo()

    def test_reuse_refused(self):
        self.params.set_param("crm_gdpr.password_history", 2)
        self.user.password = "First-password-1"
        self.user.password = "Second-password-2"
        with self.assertRaisesRegex(UserError, "not used recently"):
            self.user.password = "First-password-1"
        self.assertTrue(self.user._gdpr_matches_current("Second-password-2"))
        self.user.password = "Third-password-3"
        self.user.password = "Fourth-password-4"
        # only the last two are kept: the first may come back
        self.assertEqual(self.History.search_count([("user_id", "=", self.user.id)]), 2)
        self.user.password = "First-password-1"
        self.assertTrue(self.user._gdpr_matches_current("First-password-1"))

    def test_no_history_kept_when_off(self):
        self.params.set_param("crm_gdpr.password_history", 0)
        self.user.password = "First-password-1"
        self.user.password = "First-password-1"
        self.assertEqual(self.History.search_count([("user_id", "=", self.user.id)]), 0)
        self.assertTrue(self.user.sudo().gdpr_password_date)

    def test_history_is_nobody_s(self):
        self.params.set_param("crm_gdpr.password_history", 2)
        self.user.password = "First-password-1"
        for user in (self.user, self.dpo_user, self.admin_user):
            with self.assertRaises(AccessError):
                self.env["res.users.password.history"].with_user(user).search([])

    def test_minimum_length_is_odoo_s(self):
        self.params.set_param("auth_password_policy.minlength", 12)
        with self.assertRaisesRegex(UserError, "at least 12"):
            self.user.password = "short-1"

    def test_expiry(self):
        self.params.set_param("crm_gdpr.password_expiry_days", 0)
        self.env.cr.execute(
            SQL(
                "UPDATE res_users SET gdpr_password_date = %s WHERE id = %s",
                fields.Datetime.now() - timedelta(days=400),
                self.user.id,
            )
        )
        self.user.invalidate_recordset()
        self.assertFalse(self.user._gdpr_password_expired())
        self.params.set_param("crm_gdpr.password_expiry_days", 90)
        self.assertTrue(self.user._gdpr_password_expired())
        self.user.password = "Renewed-password-1"
        self.assertFalse(self.user._gdpr_password_expired())

    def test_two_factor_for_privacy_roles(self):
        self.params.set_param("crm_gdpr.totp_privacy_groups", 1)
        for user in (self.sensitive_user, self.export_user, self.dpo_user):
            self.assertEqual(user._mfa_type(), "totp_mail", user.login)
            self.assertEqual(user._mfa_url(), "/web/login/totp")
        self.assertIsNone(self.sales_user._mfa_type())
        self.params.set_param("crm_gdpr.totp_privacy_groups", 0)
        self.assertIsNone(self.dpo_user._mfa_type())

    def test_request_password_change_rights(self):
        for user in (self.sales_user, self.sensitive_user, self.export_user):
            with self.assertRaises(AccessError):
                self.env["res.users"].with_user(user).gdpr_request_password_change(
                    [self.user.id], "Change it"
                )
            self.assertFalse(self.user.sudo().gdpr_password_change_required)
        for bad in ([], [999999999], "1", [True], None):
            with self.assertRaises(ValidationError):
                self.env["res.users"].with_user(
                    self.dpo_user
                ).gdpr_request_password_change(bad)
        self.assertFalse(self.user.sudo().gdpr_password_change_required)
        count = (
            self.env["res.users"]
            .with_user(self.admin_user)
            .gdpr_request_password_change([self.user.id, self.sales_user.id], "Please")
        )
        self.assertEqual(count, 2)
        self.assertTrue(self.user.sudo().gdpr_password_change_required)
        self.assertEqual(self.user.sudo().gdpr_password_change_message, "Please")
        self.assertTrue(self.user._gdpr_password_expired())

    def test_wizard(self):
        wizard = (
            self.env["gdpr.password.change.request"]
            .with_user(self.dpo_user)
            .create({"user_ids": [(6, 0, self.user.ids)], "message": "New one"})
        )
        wizard.action_apply()
        self.assertTrue(self.user.sudo().gdpr_password_change_required)
        with self.assertRaises(AccessError):
            self.env["gdpr.password.change.request"].with_user(self.sales_user).create(
                {"user_ids": [(6, 0, self.user.ids)]}
            )
