import re

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import GdprHttpCase

LINK = re.compile(r"/privacy/data/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestDataConfirmation(GdprHttpCase):
    """The periodic data confirmation: who is asked, the page, its answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("crm_gdpr.data_confirm_months", 12)
        Partner = cls.env["res.partner"]
        cls.due = Partner.create(
            [
                {
                    "name": name,
                    "email": f"{name.lower()}@confirm.test",
                    "phone": "+40 721 000 000",
                    "city": "Cluj",
                    "lang": "en_US",
                }
                for name in ("Ioana", "Radu")
            ]
        )
        cls.recent = Partner.create({"name": "Recent", "email": "recent@confirm.test"})
        cls.restricted = Partner.create(
            {"name": "Held", "email": "held@confirm.test", "gdpr_restricted": True}
        )
        cls.no_email = Partner.create({"name": "Nomail"})
        old = cls.due | cls.restricted | cls.no_email
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "UPDATE res_partner SET create_date = NOW() - INTERVAL '2 years' "
                "WHERE id = ANY(%s)",
                old.ids,
            )
        )
        cls.env.invalidate_all()
        cls.Confirmation = cls.env["gdpr.data.confirmation"]

    def link(self, partner):
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "gdpr.data.confirmation"),
                ("email_to", "ilike", partner.email),
            ],
            order="id desc",
            limit=1,
        )
        return LINK.search(mail.body_html).group(1)

    def snapshot(self, partner):
        self.env.flush_all()
        self.env["gdpr.audit.entry"]._flush_trail()
        partner.invalidate_recordset()
        return (
            partner.read(["name", "email", "phone", "city", "gdpr_data_confirmed_on"]),
            self.Confirmation.search([]).mapped("state"),
            self.env["gdpr.audit.entry"].search_count([]),
            self.env["gdpr.request"].search_count([]),
        )

    def test_cron_asks_those_due_once(self):
        sent = self.Confirmation._cron_send()
        asked = self.Confirmation.search(
            [("partner_id.email", "like", "@confirm.test")]
        )
        self.assertEqual(asked.partner_id, self.due)
        self.assertGreaterEqual(sent, 2)
        token = self.link(self.due[0])
        self.assertNotIn(token, asked.sudo().mapped("token_hash"))
        self.Confirmation._cron_send()
        again = self.Confirmation.search([("partner_id", "in", self.due.ids)])
        self.assertEqual(len(again), 2, "nobody asked twice within the period")

    def test_page_get_changes_nothing_post_confirms(self):
        confirmation = self.Confirmation._send(self.due[0])
        token = self.link(self.due[0])
        self.env.company.gdpr_privacy_policy_url = "https://example.com/privacy"
        before = self.snapshot(self.due[0])
        page = self.url_open(f"/privacy/data/{token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/logo.png?company={self.env.company.id}", page.text)
        self.assertIn('href="https://example.com/privacy"', page.text)
        self.assertIn('name="viewport"', page.text)
        self.assertIn("+40 721 000 000", page.text)
        self.assertIn("ioana@confirm.test", page.text)
        self.url_open(f"/privacy/data/{token}")
        self.assertEqual(self.snapshot(self.due[0]), before, "a GET writes nothing")

        with mute_logger("odoo.http"):
            refused = self.url_open(
                f"/privacy/data/{token}/submit", data={"city": "Iasi"}
            )
        self.assertEqual(refused.status_code, 400, "no CSRF token")
        self.assertEqual(self.snapshot(self.due[0]), before)

        csrf = CSRF.search(page.text).group(1)
        values = {
            "csrf_token": csrf,
            "name": "Ioana",
            "email": "ioana@confirm.test",
            "phone": "+40 721 000 000",
            "city": "Cluj",
        }
        done = self.url_open(f"/privacy/data/{token}/submit", data=values)
        self.assertEqual(done.status_code, 200)
        self.assertEqual(confirmation.state, "confirmed")
        # the page's day, in the time zone of the public user it runs as
        page_tz = self.env.ref("base.public_user").tz or "UTC"
        self.assertEqual(
            self.due[0].gdpr_data_confirmed_on,
            fields.Date.context_today(self.due[0].with_context(tz=page_tz)),
        )
        self.assertEqual(self.due[0].city, "Cluj")
        self.assertFalse(confirmation.request_id)
        replay = self.url_open(f"/privacy/data/{token}/submit", data=values)
        self.assertEqual(replay.status_code, 404)
        self.assertEqual(self.url_open(f"/privacy/data/{token}").status_code, 404)

    def test_correction_goes_through_the_audit_trail_and_register(self):
        partner = self.due[1]
        confirmation = self.Confirmation._send(partner)
        token = self.link(partner)
        page = self.url_open(f"/privacy/data/{token}")
        csrf = CSRF.search(page.text).group(1)
        Entry = self.env["gdpr.audit.entry"]
        Entry._flush_trail()
        last = Entry.search([], limit=1).id or 0

        before = self.snapshot(partner)
        bad = self.url_open(
            f"/privacy/data/{token}/submit",
            data={"csrf_token": csrf, "name": "", "city": "Iasi"},
        )
        self.assertEqual(bad.status_code, 200)
        self.assertIn("name cannot be empty", bad.text)
        self.assertEqual(self.snapshot(partner), before, "bad input writes nothing")

        self.url_open(
            f"/privacy/data/{token}/submit",
            data={
                "csrf_token": csrf,
                "name": "Radu",
                "email": "radu@confirm.test",
                "phone": "+40 722 111 222",
                "city": "Iasi",
            },
        )
        partner.invalidate_recordset()
        self.assertEqual((partner.phone, partner.city), ("+40 722 111 222", "Iasi"))
        self.assertEqual(confirmation.state, "corrected")
        self.assertTrue(partner.gdpr_data_confirmed_on)
        request = confirmation.request_id
        self.assertEqual(request.request_type, "rectification")
        self.assertEqual(request.partner_id, partner)
        self.assertEqual(request.state, "done")
        Entry._flush_trail()
        entries = Entry.search(
            [
                ("id", ">", last),
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(entries.mapped("interface"), ["portal"])
        changes = entries.with_user(self.dpo_user).read_trail(
            [("id", "in", entries.ids)], limit=None
        )[0]["changes"]
        self.assertEqual(changes["city"], ["Cluj", "Iasi"])
        self.assertEqual(changes["phone"], ["+40 721 000 000", "+40 722 111 222"])

    def test_salesperson_refused(self):
        with self.assertRaises(AccessError):
            self.Confirmation.with_user(self.sales_user).action_send_now()
        with self.assertRaises(AccessError):
            self.Confirmation.with_user(self.sales_user).search([])
        # a context flag does not open the field either
        with self.assertRaises(AccessError):
            self.due[0].with_user(self.sales_user).with_context(
                gdpr_data_confirmation=True
            ).write({"gdpr_data_confirmed_on": fields.Date.today()})
        self.assertFalse(self.due[0].gdpr_data_confirmed_on)
        self.assertFalse(self.Confirmation.search([("partner_id", "in", self.due.ids)]))
        self.assertGreaterEqual(
            self.Confirmation.with_user(self.dpo_user).action_send_now(), 2
        )

    def test_data_page_tour(self):
        confirmation = self.Confirmation._send(self.due[0])
        token = self.link(self.due[0])
        self.start_tour(f"/privacy/data/{token}", "crm_gdpr_data_page", login=None)
        self.assertEqual(confirmation.state, "corrected")
        self.assertEqual(self.due[0].city, "Timisoara")

    def test_link_sent_before_an_erasure_fills_nothing_in(self):
        """The person was erased after the link went out: the page is gone
        and a POST writes nothing back onto the anonymised contact."""
        self.Confirmation.with_user(self.dpo_user).action_send_now()
        token = self.link(self.due[0])
        self.env["gdpr.erasure"].with_user(self.dpo_user).erase(self.due[0].ids)
        self.assertEqual(self.url_open(f"/privacy/data/{token}").status_code, 404)
        self.assertFalse(self.Confirmation._from_token(token))
        self.assertFalse(self.due[0].email)
