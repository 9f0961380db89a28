import json

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestPurpose(GdprCase):
    def test_shipped_purposes(self):
        purposes = {p["code"]: p for p in self.env["gdpr.purpose"].list_purposes()}
        self.assertEqual(purposes["customer_relationship"]["legal_basis"], "contract")
        self.assertEqual(purposes["invoicing"]["legal_basis"], "legal_obligation")
        self.assertEqual(purposes["prospecting"]["legal_basis"], "legitimate_interest")
        marketing = purposes["marketing_email"]
        self.assertEqual(marketing["legal_basis"], "consent")
        self.assertTrue(marketing["consent_required"])
        self.assertTrue(marketing["email_marketing"])
        self.assertFalse(purposes["customer_relationship"]["consent_required"])
        # plain data, ready for JSON-RPC
        json.dumps(list(purposes.values()))

    def test_consent_basis_requires_consent(self):
        purpose = self.env["gdpr.purpose"].create(
            {"name": "Events", "code": "events", "legal_basis": "contract"}
        )
        self.assertFalse(purpose.consent_required)
        purpose.legal_basis = "consent"
        self.assertTrue(purpose.consent_required)
        with self.assertRaises(ValidationError):
            purpose.consent_required = False
        # any basis may still ask for consent on top
        purpose.legal_basis = "legitimate_interest"
        purpose.consent_required = True
        self.assertTrue(purpose.consent_required)

    def test_code_is_unique_and_well_formed(self):
        Purpose = self.env["gdpr.purpose"]
        with self.assertRaises(ValidationError):
            Purpose.create({"name": "Bad", "code": "Bad Code"})
        self.assertFalse(Purpose.search([("name", "=", "Bad")]))
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                Purpose.create({"name": "Twin", "code": "marketing_email"})

    def test_recipient_outside_eea_needs_safeguard(self):
        us_host = self.env["res.partner"].create(
            {
                "name": "Cloud Inc.",
                "is_company": True,
                "country_id": self.env.ref("base.us").id,
            }
        )
        pl_host = self.env["res.partner"].create(
            {
                "name": "Chmura sp. z o.o.",
                "is_company": True,
                "country_id": self.env.ref("base.pl").id,
            }
        )
        Recipient = self.env["gdpr.purpose.recipient"]
        eu = Recipient.create(
            {"purpose_id": self.marketing.id, "partner_id": pl_host.id}
        )
        self.assertEqual(eu.country_id, self.env.ref("base.pl"))
        self.assertFalse(eu.outside_eea)
        with self.assertRaises(ValidationError):
            Recipient.create(
                {"purpose_id": self.marketing.id, "partner_id": us_host.id}
            )
        self.assertFalse(Recipient.search([("partner_id", "=", us_host.id)]))
        us = Recipient.create(
            {
                "purpose_id": self.marketing.id,
                "partner_id": us_host.id,
                "transfer_safeguard": "scc",
            }
        )
        self.assertTrue(us.outside_eea)
        # Norway is outside the EU but inside the EEA
        eu.country_id = self.env.ref("base.no")
        self.assertFalse(eu.outside_eea)

    def test_register_report(self):
        purposes = self.env["gdpr.purpose"].search([])
        self.env["gdpr.purpose.recipient"].create(
            {
                "purpose_id": self.marketing.id,
                "partner_id": self.env["res.partner"]
                .create({"name": "Mail Relay SA"})
                .id,
                "role": "processor",
            }
        )
        html, report_type = self.env["ir.actions.report"]._render_qweb_html(
            "crm_gdpr.action_report_gdpr_purpose_register", purposes.ids
        )
        self.assertEqual(report_type, "html")
        html = html.decode()
        self.assertIn("Record of processing activities", html)
        for purpose in purposes:
            self.assertIn(purpose.name, html)
        self.assertIn("Mail Relay SA", html)
        action = purposes.with_user(self.dpo_user).action_print_register()
        self.assertEqual(action["report_name"], "crm_gdpr.gdpr_purpose_register")
        self.assertEqual(set(action["context"]["active_ids"]), set(purposes.ids))

    def test_register_access(self):
        Purpose = self.env["gdpr.purpose"]
        self.assertTrue(Purpose.with_user(self.sales_user).list_purposes())
        with self.assertRaises(AccessError):
            Purpose.with_user(self.sales_user).create({"name": "X", "code": "x"})
        with self.assertRaises(AccessError):
            self.marketing.with_user(self.sales_user).retention_months = 1
        purpose = Purpose.with_user(self.dpo_user).create({"name": "X", "code": "x"})
        self.assertEqual(purpose.company_id, self.dpo_user.company_id)

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        self.env["gdpr.purpose"].create(
            {"name": "Other's newsletter", "code": "other_news", "company_id": other.id}
        )
        codes = [
            p["code"]
            for p in self.env["gdpr.purpose"].with_user(self.sales_user).list_purposes()
        ]
        self.assertNotIn("other_news", codes)
        self.assertIn("marketing_email", codes)
        with self.assertRaises(AccessError):
            self.env["gdpr.purpose"].with_user(self.sales_user)._get_by_code(
                "other_news"
            )
