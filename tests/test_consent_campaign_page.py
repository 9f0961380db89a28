import re

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GdprHttpCase

LINK = re.compile(r"/privacy/consent/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestConsentCampaignPage(GdprHttpCase):
    """A campaign's progress from real page views and answers over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketing = cls.env.ref("crm_gdpr.purpose_marketing_email")
        cls.people = cls.env["res.partner"].create(
            [
                {"name": name, "email": f"{name}@page.test", "lang": "en_US"}
                for name in ("ana", "bob", "cyd")
            ]
        )
        cls.campaign = (
            cls.env["gdpr.consent.campaign"]
            .with_user(cls.dpo_user)
            .create(
                {
                    "name": "Page test",
                    "purpose_ids": [fields.Command.set(cls.marketing.ids)],
                    "domain": "[('email', '=like', '%@page.test')]",
                }
            )
        )
        cls.campaign.action_launch()
        cls.campaign._send_batches()

    def token(self, partner):
        line = self.campaign.line_ids.filtered(lambda line: line.partner_id == partner)
        mail = self.env["mail.mail"].browse(line.mail_id)
        return LINK.search(mail.body_html).group(1), line

    def counts(self):
        self.campaign.invalidate_recordset()
        return self.campaign.get_progress()[self.campaign.id]

    def test_scanner_get_changes_nothing_page_view_and_answers_count(self):
        token, line = self.token(self.people[0])
        before = self.counts()
        self.assertEqual(before["sent"], 3)
        page = self.url_open(f"/privacy/consent/{token}")
        self.assertEqual(page.status_code, 200)
        page2 = self.url_open(f"/privacy/consent/{token}")
        self.assertEqual(page2.status_code, 200)
        self.assertEqual(self.counts(), before, "a GET (mail scanner) counts nothing")
        self.assertFalse(line.request_id.opened_at)

        with mute_logger("odoo.http"):
            refused = self.url_open(
                f"/privacy/consent/{token}/seen", data={"seen": "1"}
            )
        self.assertEqual(refused.status_code, 400, "no CSRF token")
        self.assertEqual(self.counts()["opened"], 0)

        csrf = CSRF.search(page.text).group(1)
        seen = self.url_open(
            f"/privacy/consent/{token}/seen", data={"csrf_token": csrf}
        )
        self.assertEqual(seen.status_code, 204)
        self.assertEqual(self.counts()["opened"], 1)
        line.invalidate_recordset()
        self.assertEqual(line.status, "opened")

        done = self.url_open(
            f"/privacy/consent/{token}/submit",
            data={"csrf_token": csrf, f"purpose_{self.marketing.id}": "given"},
        )
        self.assertEqual(done.status_code, 200)
        counts = self.counts()
        self.assertEqual((counts["given"], counts["refused"]), (1, 0))

        # another person refuses without the page reporting itself first
        token, line = self.token(self.people[1])
        page = self.url_open(f"/privacy/consent/{token}")
        self.url_open(
            f"/privacy/consent/{token}/submit",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                f"purpose_{self.marketing.id}": "refused",
            },
        )
        counts = self.counts()
        self.assertEqual((counts["given"], counts["refused"]), (1, 1))
        self.assertEqual(counts["opened"], 2, "an answer implies the page was shown")
        consent = self.env["gdpr.consent"].search(
            [("partner_id", "=", self.people[1].id)]
        )
        self.assertEqual(consent.state, "refused")

        # the third link expires unanswered
        _token, line = self.token(self.people[2])
        line.request_id.sudo().expires_at = fields.Datetime.subtract(
            fields.Datetime.now(), days=1
        )
        self.env["gdpr.consent.request"]._cron_expire()
        counts = self.counts()
        self.assertEqual(counts["expired"], 1)
        self.assertEqual(
            self.url_open(f"/privacy/consent/{_token}").status_code,
            404,
        )

    def test_campaign_tour(self):
        self.start_tour(
            "/odoo/action-crm_gdpr.gdpr_consent_campaign_action",
            "crm_gdpr_consent_campaign_tour",
            login=self.dpo_user.login,
        )
        campaign = self.env["gdpr.consent.campaign"].search(
            [("name", "=", "Tour campaign")]
        )
        self.assertEqual(campaign.state, "sending")
        self.assertTrue(campaign.line_ids)
