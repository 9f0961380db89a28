from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GdprCase

BOOM = "Boom"


@tagged("post_install", "-at_install")
class TestConsentCampaign(GdprCase):
    """Consent campaigns: who is left out and why, batches, resuming."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]

        def person(name, email="auto"):
            if email == "auto":
                email = f"{name.lower().replace(' ', '.')}@campaign.test"
            return Partner.create(
                {"name": name, "email": email, "comment": "campaign-test"}
            )

        cls.askable = Partner.browse()
        for name in ("Anna Lis", "Bogdan Ion", BOOM, "Dana Vesela", "Emil Stan"):
            cls.askable |= person(name)
        cls.no_email = person("No Mail", email=False)
        cls.erased = person("Erased Person")
        cls.erased.sudo().write({"gdpr_erased_date": fields.Datetime.now()})
        cls.restricted = person("Restricted Person")
        cls.restricted.with_user(cls.dpo_user).gdpr_set_restriction(True, "Dispute")
        cls.blacklisted = person("Blacklisted Person")
        cls.env["mail.blacklist"]._add(cls.blacklisted.email)
        cls.consented = person("Already Agreed")
        cls.Consent._record_decision(cls.consented, cls.marketing, "given")
        cls.open_request = person("Open Request")
        cls.env["gdpr.consent.request"]._send(cls.open_request, cls.marketing)
        cls.template = cls.env.ref("crm_gdpr.mail_template_consent_campaign")

    def campaign(self, user=None, **vals):
        return (
            self.env["gdpr.consent.campaign"]
            .with_user(user or self.dpo_user)
            .create(
                {
                    "name": "Newsletter consent",
                    "purpose_ids": [fields.Command.set(self.marketing.ids)],
                    "domain": "[('comment', '=', 'campaign-test')]",
                    "batch_size": 2,
                    **vals,
                }
            )
        )

    def requests_of(self, partners):
        return self.env["gdpr.consent.request"].search(
            [("partner_id", "in", partners.ids)]
        )

    def test_preview_counts_each_reason(self):
        campaign = self.campaign()
        counts = campaign.get_progress()[campaign.id]
        self.assertEqual(counts["to_ask"], 5)
        self.assertEqual(
            counts["left_out"],
            {
                "erased": 1,
                "restricted": 1,
                "no_email": 1,
                "blacklisted": 1,
                "valid_consent": 1,
                "open_request": 1,
            },
        )

    def test_saved_filter_on_leads(self):
        lead_partner = self.askable[0]
        self.env["crm.lead"].create(
            [
                {"name": "Lead one", "partner_id": lead_partner.id, "user_id": False},
                {"name": "Lead campaign-test without contact", "user_id": False},
            ]
        )
        saved = self.env["ir.filters"].create(
            {
                "name": "Campaign leads",
                "model_id": "crm.lead",
                "domain": "['|', ('name', '=', 'Lead one'), "
                "('name', 'ilike', 'campaign-test')]",
                "user_id": False,
            }
        )
        campaign = self.campaign(target_model="crm.lead", filter_id=saved.id)
        self.assertEqual(campaign.count_to_ask, 1)
        self.assertEqual(campaign.count_no_contact, 1)

    def test_send_in_batches_resumes_without_asking_twice(self):
        campaign = self.campaign(
            template_id=self.template.copy(
                {
                    "body_html": '<p><t t-out="1 / 0 if object.partner_id.name == '
                    "'Boom' else ''\"/><a t-att-href=\"ctx.get('consent_urls', "
                    '{}).get(object.id)">Choose</a></p>'
                }
            ).id
        )
        campaign.action_launch()
        self.assertEqual(campaign.state, "sending")
        self.assertEqual(campaign.count_queued, 5)
        self.assertEqual(campaign.count_excluded, 6)
        self.assertFalse(self.requests_of(self.askable), "nothing sent at launch")

        with mute_logger(
            "odoo.addons.crm_gdpr.models.gdpr_consent_campaign",
            "odoo.addons.mail.models.mail_render_mixin",
            "odoo.addons.base.models.ir_qweb",
        ):
            campaign._send_batches()

        # the first batch went out, the second (with Boom) was rolled back
        first = self.askable[:2]
        self.assertEqual(self.requests_of(self.askable).partner_id, first)
        self.assertEqual(len(self.requests_of(first)), 2)
        self.assertTrue(campaign.last_error)
        self.assertEqual(campaign.state, "sending")
        self.assertEqual(campaign.count_sent, 2)
        self.assertEqual(campaign.count_queued, 3)

        self.askable[2].name = "Boom fixed"
        self.env["gdpr.consent.campaign"]._cron_send()

        self.assertEqual(campaign.state, "done")
        self.assertFalse(campaign.last_error)
        requests = self.requests_of(self.askable)
        self.assertEqual(len(requests), 5)
        self.assertEqual(requests.partner_id, self.askable, "each asked once")
        mails = self.env["mail.mail"].search(
            [("model", "=", "gdpr.consent.request"), ("res_id", "in", requests.ids)]
        )
        self.assertEqual(len(mails), 5)
        self.assertEqual(campaign.count_sent, 5)
        for mail in mails:
            self.assertIn("/privacy/consent/", mail.body_html)
        self.assertFalse(self.requests_of(self.no_email | self.erased))
        self.assertEqual(len(self.requests_of(self.open_request)), 1)
        with self.assertRaises(UserError):
            campaign.action_launch()
        self.assertEqual(len(self.requests_of(self.askable)), 5)

    def test_delivered_and_bounced_from_the_mail_queue(self):
        campaign = self.campaign(batch_size=10)
        campaign.action_launch()
        campaign._send_batches()
        lines = campaign.line_ids.filtered(lambda line: line.state == "sent")
        mails = self.env["mail.mail"].browse(lines.mapped("mail_id"))
        mails[:4].send()
        self.assertEqual(campaign.count_delivered, 4)
        bounced = lines.filtered(lambda line: line.mail_id == mails[0].id)
        raw = BOUNCE % {
            "email": bounced.partner_id.email,
            "message_id": bounced.message_id,
        }
        self.env["mail.thread"].message_process(False, raw)
        self.assertEqual(bounced.status, "bounced")
        campaign.invalidate_recordset()
        self.assertEqual(campaign.count_bounced, 1)
        self.assertEqual(campaign.count_delivered, 3)
        action = campaign.with_context(campaign_status="bounced").action_view_lines()
        self.assertEqual(
            self.env["gdpr.consent.campaign.line"].search(action["domain"]), bounced
        )

    def test_salesperson_is_refused_and_nothing_is_written(self):
        with self.assertRaises(AccessError):
            self.campaign(user=self.sales_user)
        campaign = self.campaign()
        before = self.env["gdpr.consent.request"].search_count([])
        as_sales = campaign.with_user(self.sales_user)
        for method in ("action_launch", "get_progress", "action_cancel"):
            with self.assertRaises(AccessError):
                getattr(as_sales, method)()
        with self.assertRaises(AccessError):
            self.env["gdpr.consent.campaign.line"].with_user(self.sales_user).search([])
        self.assertEqual(campaign.state, "draft")
        self.assertFalse(campaign.line_ids)
        self.assertEqual(self.env["gdpr.consent.request"].search_count([]), before)

    def test_invalid_domain_is_refused(self):
        campaign = self.campaign(domain="[('nope'")
        with self.assertRaises(Exception):  # noqa: B017 - ValidationError
            campaign.action_launch()
        self.assertFalse(campaign.line_ids)
        self.assertEqual(campaign.state, "draft")


BOUNCE = """From: MAILER-DAEMON <mailer-daemon@example.com>
To: catchall@example.com
Subject: Undelivered Mail Returned to Sender
Message-Id: <bounce-test-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

The mail could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; example.com

Final-Recipient: rfc822; %(email)s
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: message/rfc822

Message-Id: %(message_id)s
From: company@example.com
To: %(email)s
Subject: may we keep in touch?

Hello

--BOUNDARY--
"""
