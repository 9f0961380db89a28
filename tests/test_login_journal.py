from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .test_login import SOURCE, LoginCase

UNKNOWN_LOGIN = "Tr0ub4dor&3-horse"
WRONG_PASSWORD = "Correct-Horse-7"


@tagged("post_install", "-at_install")
class TestLoginJournal(LoginCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Attempt = cls.env["gdpr.login.attempt"]
        cls.sys_admin = new_test_user(
            cls.env, "gdpr_login_sysadmin", groups="base.group_user,base.group_system"
        )

    def attempts(self):
        return self.Attempt.search([("ip_address", "=", SOURCE)], order="id")

    def journal_contains(self, text):
        """Whether any column of any journal row holds ``text``."""
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM gdpr_login_attempt a "
                "WHERE strpos(lower(row_to_json(a)::text), lower(%s)) > 0",
                text,
            )
        )
        return bool(self.env.cr.fetchone()[0])

    def test_success_and_failure(self):
        before = self.attempts()
        self.login("gdpr_login_user", WRONG_PASSWORD)
        self.login("gdpr_login_user", "gdpr_login_user")
        new = self.attempts() - before
        self.assertEqual(new.mapped("result"), ["failure", "success"])
        for attempt in new:
            self.assertEqual(attempt.user_id, self.user)
            self.assertEqual(attempt.login, "gdpr_login_user")
            self.assertEqual(attempt.ip_address, SOURCE)
            self.assertIn("GdprTestBrowser", attempt.user_agent)
            self.assertEqual(attempt.interface, "web")
        # the journal keeps no trace of the wrong password
        self.assertFalse(self.journal_contains(WRONG_PASSWORD))

    def test_unknown_login_is_not_kept_in_clear(self):
        """A text that is nobody's login may be a password typed in the wrong
        field: only its keyed fingerprint is kept."""
        before = self.attempts()
        self.login(UNKNOWN_LOGIN, WRONG_PASSWORD)
        self.login(UNKNOWN_LOGIN, WRONG_PASSWORD)
        new = self.attempts() - before
        self.assertEqual(len(new), 2)
        self.assertEqual(new.mapped("login"), [False, False])
        self.assertFalse(new.user_id)
        self.assertEqual(len(set(new.mapped("login_hash"))), 1, "same text, same hash")
        self.assertEqual(len(new[0].login_hash), 64)
        self.assertIn(new[0].login_fingerprint, new[0].login_display)
        self.assertFalse(self.journal_contains(UNKNOWN_LOGIN))
        self.assertFalse(self.journal_contains(WRONG_PASSWORD))

    def test_alert_on_repeated_failures(self):
        self.params.set_param("crm_gdpr.login_alert_failures", 3)
        self.params.set_param("crm_gdpr.login_alert_minutes", 10)
        warning = self.env.ref("mail.mail_activity_data_warning")
        Activity = self.env["mail.activity"]
        domain = [
            ("res_model", "=", "gdpr.login.attempt"),
            ("activity_type_id", "=", warning.id),
            ("user_id", "=", self.dpo_user.id),
        ]
        before = Activity.search(domain)
        self.login("gdpr_login_user", "wrong-1")
        self.login("gdpr_login_user", "wrong-2")
        self.assertEqual(Activity.search(domain), before, "no alert below threshold")
        self.login("gdpr_login_user", "wrong-3")
        alerts = Activity.search(domain) - before
        self.assertEqual(len(alerts), 1)
        self.assertIn(SOURCE, alerts.note)
        self.assertIn("gdpr_login_user", alerts.note)
        self.assertNotIn("wrong-3", alerts.note)
        # once per burst
        self.login("gdpr_login_user", "wrong-4")
        self.assertEqual(len(Activity.search(domain) - before), 1)
        # a salesperson is not alerted
        self.assertFalse(Activity.search([*domain[:2], ("user_id", "=", self.user.id)]))

    def test_purge(self):
        self.params.set_param("crm_gdpr.login_journal_days", 30)
        self.login("gdpr_login_user", "gdpr_login_user")
        recent = self.attempts()
        self.assertTrue(recent)
        old = self.Attempt.sudo().create(
            {
                "result": "failure",
                "login_hash": "0" * 64,
                "date": fields.Datetime.now() - timedelta(days=31),
            }
        )
        self.Attempt._cron_purge()
        self.assertFalse(old.exists())
        self.assertEqual(recent.exists(), recent)
        self.params.set_param("crm_gdpr.login_journal_days", 0)
        self.env.cr.execute(
            SQL(
                "UPDATE gdpr_login_attempt SET date = %s WHERE id IN %s",
                fields.Datetime.now() - timedelta(days=3000),
                tuple(recent.ids),
            )
        )
        self.Attempt._cron_purge()
        self.assertEqual(recent.exists(), recent, "0 keeps them for ever")

    def test_access(self):
        self.login("gdpr_login_user", "gdpr_login_user")
        for reader in (self.dpo_user, self.sys_admin):
            self.assertTrue(
                self.Attempt.with_user(reader).search([("ip_address", "=", SOURCE)])
            )
            groups = self.Attempt.with_user(reader).read_group(
                [("result", "=", "success")], ["result"], ["date:day"]
            )
            self.assertTrue(groups)
        for user in (self.sales_user, self.dpo_user, self.sys_admin):
            attempt = self.attempts()[:1]
            with self.assertRaises(AccessError):
                attempt.with_user(user).write({"login": "forged"})
            with self.assertRaises(AccessError):
                attempt.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Attempt.with_user(user).create({"result": "success"})
        with self.assertRaises(AccessError):
            self.Attempt.with_user(self.sales_user).search([])
        self.assertNotEqual(self.attempts()[:1].login, "forged")
