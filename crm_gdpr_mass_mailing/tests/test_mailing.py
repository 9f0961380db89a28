import html
import re

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

SALESMAN = "sales_team.group_sale_salesman"


@tagged("post_install", "-at_install")
class TestGdprMailing(HttpCase):
    """Mailings leave out whom their purpose does not allow, and say why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.marketer = new_test_user(
            cls.env,
            "gdpr_marketer",
            groups="mass_mailing.group_mass_mailing_user,base.group_user",
        )
        cls.sales_user = new_test_user(cls.env, "gdpr_mailing_sales", groups=SALESMAN)
        cls.marketing = cls.env.ref("crm_gdpr.purpose_marketing_email")
        cls.interest = cls.env["gdpr.purpose"].create(
            {
                "name": "Customer news",
                "code": "test.mailing_news",
                "legal_basis": "legitimate_interest",
            }
        )
        Partner = cls.env["res.partner"]

        def person(name, **vals):
            return Partner.create(
                {"name": name, "email": f"{name}@mailing.test", **vals}
            )

        cls.agreed = person("agreed")
        cls.silent = person("silent")
        cls.twin = person("twin") | Partner.create(
            {"name": "twin again", "email": "TWIN@mailing.test"}
        )
        cls.restricted = person("restricted", gdpr_restricted=True)
        cls.erased = person("erased")
        cls.erased.sudo().gdpr_erased_date = fields.Datetime.now()
        cls.listed = person("listed")
        cls.env["mail.blacklist"]._add(cls.listed.email)
        Consent = cls.env["gdpr.consent"]
        for partner in cls.agreed | cls.twin | cls.restricted | cls.erased:
            Consent._record_decision(partner, cls.marketing, "given")
        Consent._record_decision(cls.twin[1], cls.marketing, "withdrawn")
        cls.env["gdpr.objection"].create(
            {"partner_id": cls.silent.id, "purpose_id": cls.interest.id}
        )

    def mailing(self, purpose):
        return (
            self.env["mailing.mailing"]
            .with_user(self.marketer)
            .create(
                {
                    "subject": "Our news",
                    "body_html": "<p>News</p>",
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": "[('email', 'ilike', '@mailing.test')]",
                    "gdpr_purpose_id": purpose.id if purpose else False,
                }
            )
        )

    def outcome(self, mailing):
        traces = self.env["mailing.trace"].search(
            [("mass_mailing_id", "=", mailing.id)]
        )
        return {
            trace.res_id: trace.failure_type
            or ("mailed" if trace.trace_status in ("mailed", "sent") else "?")
            for trace in traces
        }

    def test_consent_purpose_leaves_out_each_reason(self):
        mailing = self.mailing(self.marketing)
        mailing.action_send_mail()
        outcome = self.outcome(mailing)
        self.assertEqual(outcome[self.agreed.id], "mailed")
        self.assertEqual(outcome[self.silent.id], "gdpr_no_consent")
        # withdrawing an e-mail marketing consent blacklisted the address
        self.assertEqual(outcome[self.twin[0].id], "mail_bl")
        self.assertEqual(outcome[self.restricted.id], "gdpr_restricted")
        self.assertEqual(outcome[self.erased.id], "gdpr_erased")
        self.assertEqual(outcome[self.listed.id], "mail_bl")
        mailing.invalidate_recordset()
        self.assertEqual(mailing.gdpr_left_out_count, 3)
        self.assertIn("No valid consent: 1", mailing.gdpr_left_out_summary)
        self.assertIn("Erased: 1", mailing.gdpr_left_out_summary)
        mailed = [res_id for res_id, result in outcome.items() if result == "mailed"]
        self.assertEqual(mailed, self.agreed.ids)

    def test_legitimate_interest_leaves_out_objections(self):
        mailing = self.mailing(self.interest)
        mailing.action_send_mail()
        outcome = self.outcome(mailing)
        self.assertEqual(outcome[self.silent.id], "gdpr_objection")
        self.assertEqual(outcome[self.agreed.id], "mailed")
        self.assertEqual(outcome[self.erased.id], "gdpr_erased")
        self.assertEqual(outcome[self.restricted.id], "gdpr_restricted")

    def test_withdrawal_on_one_record_wins(self):
        offers = self.env["gdpr.purpose"].create(
            {"name": "Partner offers", "code": "test.offers", "legal_basis": "consent"}
        )
        twins = self.env["res.partner"].create(
            [
                {"name": "Ana", "email": "ana@mailing.test"},
                {"name": "Ana (lead contact)", "email": "Ana <ANA@mailing.test>"},
            ]
        )
        Consent = self.env["gdpr.consent"]
        Consent._record_decision(twins | self.agreed, offers, "given")
        Consent._record_decision(twins[1], offers, "withdrawn")
        mailing = self.mailing(offers)
        mailing.action_send_mail()
        outcome = self.outcome(mailing)
        self.assertEqual(outcome[twins[0].id], "gdpr_no_consent")
        # the second record of the address is Odoo's duplicate: not mailed either
        self.assertIn(outcome[twins[1].id], ("gdpr_no_consent", "mail_dup"))
        self.assertEqual(outcome[self.agreed.id], "mailed")

    def test_without_purpose_nothing_changes(self):
        mailing = self.mailing(False)
        mailing.action_send_mail()
        outcome = self.outcome(mailing)
        self.assertEqual(outcome[self.silent.id], "mailed")
        self.assertEqual(mailing.gdpr_left_out_count, 0)

    def test_check_recipients_rights(self):
        mailing = self.mailing(self.marketing)
        counts = mailing.gdpr_check_recipients()[mailing.id]
        self.assertEqual(
            counts["left_out"],
            # per address: the twins' address counts once
            {
                "gdpr_no_consent": 2,
                "gdpr_restricted": 1,
                "gdpr_erased": 1,
                "mail_bl": 1,
            },
        )
        with self.assertRaises(AccessError):
            mailing.with_user(self.sales_user).gdpr_check_recipients()

    def test_unsubscribe_withdraws_the_consent_with_proof(self):
        mailing = self.mailing(self.marketing)
        mailing.action_send_mail()
        consent = self.env["gdpr.consent"].search(
            [
                ("partner_id", "=", self.agreed.id),
                ("purpose_id", "=", self.marketing.id),
            ]
        )
        self.assertEqual(consent.state, "given")
        url = mailing._get_unsubscribe_url(self.agreed.email, self.agreed.id)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(consent.state, "given", "opening the link changes nothing")
        form = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text)
        )
        self.assertIn("csrf_token", form)
        response = self.url_open(
            "/mailing/confirm_unsubscribe",
            data={key: html.unescape(value) for key, value in form.items()},
            headers={"User-Agent": "Mozilla/5.0 (Unsub)"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(consent.state, "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "agreed@mailing.test")])
        )
        entry = self.env["gdpr.consent.history"].search(
            [("consent_id", "=", consent.id)], limit=1
        )
        self.assertEqual(entry.state, "withdrawn")
        self.assertEqual(entry.channel, "email")
        self.assertEqual(entry.user_agent, "Mozilla/5.0 (Unsub)")
        self.assertEqual(entry.ip_address, "127.0.0.1")
        self.assertIn("Unsubscribed from the mailing Our news", entry.note)

    def test_unsubscribe_with_a_bad_token_changes_nothing(self):
        mailing = self.mailing(self.marketing)
        url = mailing._get_unsubscribe_url(self.agreed.email, self.agreed.id)
        with mute_logger("odoo.http"):
            response = self.url_open(url.replace("hash_token=", "hash_token=x"))
        self.assertNotEqual(response.status_code, 200)
        consent = self.env["gdpr.consent"].search(
            [
                ("partner_id", "=", self.agreed.id),
                ("purpose_id", "=", self.marketing.id),
            ]
        )
        self.assertEqual(consent.state, "given")
