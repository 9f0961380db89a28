import logging
import re
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from ..controllers.log_redaction import TokenRedactionFilter as Redaction
from ..controllers.log_redaction import redact
from .common import GdprHttpCase

LINK = re.compile(r"/privacy/consent/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestConsentCollection(GdprHttpCase):
    """The consent page behind a personal link, and the double opt-in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Alina Marin", "email": "alina@example.ro", "lang": "en_US"}
        )
        cls.marketing = cls.env.ref("crm_gdpr.purpose_marketing_email")
        cls.Consent = cls.env["gdpr.consent"]
        cls.History = cls.env["gdpr.consent.history"]

    def ask(self, partner=None):
        wizard = (
            self.env["gdpr.consent.request.wizard"]
            .with_user(self.dpo_user)
            .with_context(
                active_model="res.partner", active_ids=(partner or self.partner).ids
            )
            .create({"purpose_ids": [fields.Command.set(self.marketing.ids)]})
        )
        wizard.action_send()
        return self.last_link(partner or self.partner)

    def last_link(self, partner):
        mail = self.env["mail.mail"].search(
            [("email_to", "ilike", partner.email)], order="id desc", limit=1
        )
        return LINK.search(mail.body_html).group(1)

    def written(self):
        return self.Consent.search_count([]), self.History.search_count([])

    def test_link_page_changes_nothing_and_post_records_with_proof(self):
        token = self.ask()
        request = self.env["gdpr.consent.request"].search([], limit=1)
        self.assertNotIn(token, request.sudo().token_hash)
        before = self.written()
        page = self.url_open(f"/privacy/consent/{token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Marketing e-mails", page.text)
        self.assertIn(self.env.company.name, page.text)
        self.assertEqual(self.written(), before, "opening the link changes nothing")
        self.assertEqual(request.state, "sent")

        with mute_logger("odoo.http"):
            refused = self.url_open(
                f"/privacy/consent/{token}/submit",
                data={f"purpose_{self.marketing.id}": "given"},
            )
        self.assertEqual(refused.status_code, 400, "no CSRF token")
        self.assertEqual(self.written(), before)

        csrf = CSRF.search(page.text).group(1)
        done = self.url_open(
            f"/privacy/consent/{token}/submit",
            data={"csrf_token": csrf, f"purpose_{self.marketing.id}": "given"},
            headers={"User-Agent": "Mozilla/5.0 (Test)"},
        )
        self.assertEqual(done.status_code, 200)
        self.assertIn("Thank you", done.text)
        consent = self.Consent.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(consent.state, "given")
        (history,) = consent.history_ids
        self.assertEqual(history.channel, "form")
        self.assertEqual(history.ip_address, "127.0.0.1")
        self.assertEqual(history.user_agent, "Mozilla/5.0 (Test)")
        self.assertEqual(history.lang, "en_US")
        self.assertEqual(history.consent_text, self.marketing.consent_text)
        self.assertEqual(len(history.consent_hash), 64)
        self.assertEqual(request.state, "answered")
        confirmation = self.env["mail.mail"].search(
            [("email_to", "ilike", "alina@example.ro")], order="id desc", limit=1
        )
        self.assertIn("Marketing e-mails", confirmation.body_html)
        self.assertIn("Given", confirmation.body_html)
        # a used link is gone
        self.assertEqual(self.url_open(f"/privacy/consent/{token}").status_code, 404)

    def test_bad_links_get_404_and_write_nothing(self):
        token = self.ask()
        before = self.written()
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 43, "nope"):
            self.assertEqual(self.url_open(f"/privacy/consent/{bad}").status_code, 404)
        request = self.env["gdpr.consent.request"].search([], limit=1)
        request.expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(self.url_open(f"/privacy/consent/{token}").status_code, 404)
        self.env["gdpr.consent.request"]._cron_expire()
        self.assertEqual(request.state, "expired")
        self.assertEqual(self.written(), before)

    def test_token_never_reaches_the_server_log(self):
        """Whoever reads the server log must not be able to answer for the
        person: the request line and the CSRF warning hide the token."""
        token = self.ask()
        with self.assertLogs("odoo.http", "WARNING") as warnings:
            self.url_open(f"/privacy/consent/{token}/submit", data={"x": "1"})
        # werkzeug writes its request line from the server's thread once the
        # response is sent: its logger's filter is checked on such a record
        werkzeug = logging.getLogger("werkzeug")
        (redaction,) = [f for f in werkzeug.filters if isinstance(f, Redaction)]
        request_line = logging.LogRecord(
            "werkzeug",
            logging.INFO,
            __file__,
            0,
            '127.0.0.1 - - [date] "%s" %s %s',
            (f"GET /privacy/consent/{token} HTTP/1.1", "200", "-"),
            None,
        )
        self.assertTrue(redaction.filter(request_line))
        lines = [record.getMessage() for record in [*warnings.records, request_line]]
        self.assertEqual(len(lines), 2)
        self.assertTrue(all("/privacy/consent/[token]" in line for line in lines))
        self.assertFalse([line for line in lines if token in line])
        # however the client spells the path
        for path in (f"/PRIVACY/consent/{token}", f"/privacy//consent/{token}/submit"):
            self.assertNotIn(token, redact(f"GET {path} HTTP/1.1"))

    def test_link_kept_out_of_what_users_read(self):
        """Whoever holds the link answers for the person: the message users
        (the DPO included) read on the request says the e-mail was sent; only
        the outgoing e-mail, for the mail server, holds the link."""
        token = self.ask()
        request = self.env["gdpr.consent.request"].search([], limit=1)
        messages = self.env["mail.message"].search(
            [("model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertTrue(messages)
        self.assertFalse([m for m in messages if token in (m.body or "")])
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.ids)], limit=1
        )
        self.assertIn(token, mail.body_html)

    def test_withdraw_an_earlier_consent(self):
        self.Consent.record_consent(self.partner.id, "marketing_email", "given")
        token = self.ask()
        page = self.url_open(f"/privacy/consent/{token}")
        self.assertIn('value="withdrawn"', page.text)
        self.url_open(
            f"/privacy/consent/{token}/submit",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                f"purpose_{self.marketing.id}": "withdrawn",
            },
        )
        consent = self.Consent.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(consent.state, "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "alina@example.ro")])
        )

    @mute_logger("odoo.http")
    def test_double_opt_in_over_rpc(self):
        def submit(user=self.intake_user, **kwargs):
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                user.id,
                user.login,
                "gdpr.consent.request",
                "submit_signup",
                [],
                kwargs,
            )

        before = self.written()
        warning, access_error = RPC_FAULT_CODE_WARNING, RPC_FAULT_CODE_ACCESS_ERROR
        for kwargs, code in (
            (
                {"email": "not-an-address", "purpose_codes": ["marketing_email"]},
                warning,
            ),
            (
                {"email": "new@example.ro", "purpose_codes": ["no_such_purpose"]},
                warning,
            ),
            (
                {"email": "new@example.ro", "purpose_codes": ["customer_relationship"]},
                warning,
            ),
            ({"email": "new@example.ro"}, warning),
            (
                {
                    "user": self.sales_user,
                    "email": "new@example.ro",
                    "purpose_codes": ["marketing_email"],
                },
                access_error,
            ),
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(Fault) as raised:
                submit(**kwargs)
            # a clear refusal, never a server crash (fault code 1)
            self.assertEqual(
                raised.exception.faultCode, code, raised.exception.faultString
            )
        self.assertEqual(self.written(), before)
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "new@example.ro")])
        )

        result = submit(
            email="Radu.Pop@example.ro",
            name="Radu Pop",
            purpose_codes=["marketing_email"],
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0 (Form)",
            consent_text="Yes, send me news.",
        )
        self.assertEqual(result["pending"], ["marketing_email"])
        partner = self.env["res.partner"].browse(result["partner_id"])
        consent = self.Consent.search([("partner_id", "=", partner.id)])
        self.assertEqual(consent.state, "pending")
        self.assertEqual(consent.history_ids.ip_address, "203.0.113.9")
        self.assertEqual(consent.history_ids.consent_text, "Yes, send me news.")
        token = self.last_link(partner)
        page = self.url_open(f"/privacy/consent/{token}")
        self.assertIn("Confirm your sign-up", page.text)
        self.assertEqual(consent.state, "pending", "opening the link confirms nothing")
        self.url_open(
            f"/privacy/consent/{token}/submit",
            data={"csrf_token": CSRF.search(page.text).group(1)},
        )
        self.assertEqual(consent.state, "given")
        given = consent.history_ids.filtered(lambda line: line.state == "given")
        self.assertEqual(given.channel, "email")

    def test_unconfirmed_sign_up_expires(self):
        result = (
            self.env["gdpr.consent.request"]
            .with_user(self.intake_user)
            .submit_signup(email="late@example.ro", purpose_codes=["marketing_email"])
        )
        request = self.env["gdpr.consent.request"].browse(result["request_id"])
        request.expires_at = fields.Datetime.now() - timedelta(days=1)
        self.env["gdpr.consent.request"]._cron_expire()
        consent = self.Consent.search([("partner_id", "=", result["partner_id"])])
        self.assertEqual(consent.state, "refused")
        refusal = consent.history_ids.filtered(lambda line: line.state == "refused")
        self.assertIn("not confirmed", refusal.note)

    def test_consent_page_tour(self):
        token = self.ask()
        self.start_tour(
            f"/privacy/consent/{token}", "crm_gdpr_consent_page", login=None
        )
        consent = self.Consent.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(consent.state, "given")

    def test_only_the_dpo_sends_requests(self):
        with self.assertRaises(AccessError):
            self.env["gdpr.consent.request.wizard"].with_user(self.sales_user).create(
                {}
            )
