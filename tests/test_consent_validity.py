from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestConsentValidity(GdprCase):
    """Consents that expire, and the versions of a purpose's wording."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purpose = cls.env["gdpr.purpose"].create(
            {
                "name": "Newsletter",
                "code": "test.newsletter",
                "legal_basis": "consent",
                "consent_text": "I want the monthly newsletter.",
                "consent_validity_months": 24,
            }
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Petra Novak", "email": "petra@example.cz"}
        )

    def give(self, partner, purpose=None):
        return self.Consent.with_user(self.dpo_user)._record_decision(
            partner, purpose or self.purpose, "given", channel="email"
        )

    def age(self, consent, months):
        consent.sudo().write(
            {"date": fields.Datetime.now() - relativedelta(months=months)}
        )

    def test_valid_until_follows_the_purpose(self):
        consent = self.give(self.partner)
        self.assertEqual(consent.valid_until, consent.date + relativedelta(months=24))
        self.purpose.with_user(self.dpo_user).consent_validity_months = 0
        self.assertFalse(consent.valid_until)

    def test_cron_expires_with_history_and_counts_ignore_expired(self):
        old = self.give(self.partner)
        recent = self.give(self.other)
        self.age(old, 25)
        self.assertEqual(self.purpose.consent_given_count, 2)
        given_text = old.consent_text

        expired = self.Consent._cron_expire()

        self.assertEqual(expired, 1)
        self.assertEqual(old.state, "expired")
        self.assertEqual(recent.state, "given")
        entry = self.history(old)[0]
        self.assertEqual((entry.previous_state, entry.state), ("given", "expired"))
        self.assertEqual(entry.consent_text, given_text, "the proof stays")
        self.assertEqual(old.consent_text, given_text)
        self.purpose.invalidate_recordset()
        self.assertEqual(self.purpose.consent_given_count, 1)
        self.assertEqual(self.purpose.consent_expired_count, 1)
        self.assertNotIn(self.purpose, self.partner.gdpr_purpose_ids)
        self.assertEqual(
            self.Consent.search_count(
                [("purpose_id", "=", self.purpose.id), ("state", "=", "given")]
            ),
            1,
        )
        self.assertEqual(self.Consent._cron_expire(), 0, "nothing expires twice")
        self.assertEqual(len(self.history(old)), 2)

    def test_expired_can_be_given_again_not_withdrawn(self):
        consent = self.give(self.partner)
        self.age(consent, 30)
        self.Consent._cron_expire()
        with self.assertRaises(UserError):
            consent.with_user(self.dpo_user).action_withdraw()
        self.assertEqual(consent.state, "expired")
        consent.with_user(self.sales_user).action_give(channel="phone")
        self.assertEqual(consent.state, "given")
        self.assertGreater(consent.valid_until, fields.Datetime.now())

    def test_cron_asks_again_where_the_purpose_says_so(self):
        self.purpose.consent_reask = True
        restricted = self.env["res.partner"].create(
            {"name": "Ion Popa", "email": "ion@example.ro"}
        )
        consents = self.give(self.partner) | self.give(restricted)
        restricted.with_user(self.dpo_user).gdpr_set_restriction(True, "Disputed")
        for consent in consents:
            self.age(consent, 25)
        Request = self.env["gdpr.consent.request"]
        self.Consent._cron_expire()
        asked = Request.search([("purpose_ids", "in", self.purpose.ids)])
        self.assertEqual(asked.partner_id, self.partner)
        mail = self.env["mail.mail"].search(
            [("model", "=", "gdpr.consent.request"), ("res_id", "=", asked.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("/privacy/consent/", mail.body_html)

    def test_no_reask_without_the_setting(self):
        consent = self.give(self.partner)
        self.age(consent, 25)
        self.Consent._cron_expire()
        self.assertFalse(
            self.env["gdpr.consent.request"].search(
                [("purpose_ids", "in", self.purpose.ids)]
            )
        )

    def test_salesperson_cannot_set_validity(self):
        with self.assertRaises(AccessError):
            self.purpose.with_user(self.sales_user).write(
                {"consent_validity_months": 1}
            )
        self.assertEqual(self.purpose.consent_validity_months, 24)
        consent = self.give(self.partner)
        with self.assertRaises(UserError):
            consent.with_user(self.sales_user).write({"state": "expired"})
        self.assertEqual(consent.state, "given")

    def test_wording_change_keeps_old_proof_and_versions(self):
        self.assertEqual(self.purpose.wording_version, 1)
        old = self.give(self.partner)
        self.assertEqual(old.wording_version, 1)
        old_hash = old.consent_hash

        self.purpose.with_user(
            self.dpo_user
        ).consent_text = "I want the monthly newsletter and event invitations."

        self.assertEqual(self.purpose.wording_version, 2)
        versions = self.purpose.wording_ids.filtered(lambda w: w.lang == "en_US")
        self.assertEqual(versions.mapped("version"), [2, 1])
        self.assertEqual(versions[1].consent_hash, old_hash)
        self.assertEqual(versions[1].consent_text, "I want the monthly newsletter.")
        self.assertEqual(old.consent_text, "I want the monthly newsletter.")
        self.assertEqual(old.consent_hash, old_hash)
        self.assertEqual(old.wording_version, 1)
        self.assertTrue(old.wording_outdated)

        new = self.give(self.other)
        self.assertEqual(new.wording_version, 2)
        self.assertFalse(new.wording_outdated)
        outdated = self.Consent.search(
            [("purpose_id", "=", self.purpose.id), ("wording_outdated", "=", True)]
        )
        self.assertEqual(outdated, old)
        self.purpose.invalidate_recordset()
        self.assertEqual(self.purpose.consent_outdated_count, 1)
        self.assertEqual(versions[1].consent_count, 1)
        self.assertEqual(versions[0].consent_count, 1)

        # the same wording written again is no new version
        self.purpose.with_user(
            self.dpo_user
        ).consent_text = "I want the monthly newsletter and event invitations."
        self.assertEqual(self.purpose.wording_version, 2)

    def test_ask_again_everyone_on_an_older_wording(self):
        old = self.give(self.partner)
        self.purpose.with_user(self.dpo_user).consent_text = "New wording."
        self.give(self.other)
        action = self.purpose.with_user(self.dpo_user).action_reask_outdated()
        campaign = self.env["gdpr.consent.campaign"].browse(action["res_id"])
        self.assertEqual(campaign.audience, "outdated")
        self.assertEqual(campaign.count_to_ask, 1)
        campaign.with_user(self.dpo_user).action_launch()
        self.assertEqual(campaign.line_ids.partner_id, old.partner_id)
        with self.assertRaises(AccessError):
            self.purpose.with_user(self.sales_user).action_reask_outdated()

    def test_consent_on_a_wording_kept_later_points_at_its_version(self):
        # as an intake integration records a wording its form showed
        consent = self.Consent.sudo()._record_decision(
            self.partner,
            self.purpose,
            "given",
            channel="api",
            proof={"consent_text": "Newsletter, as agreed by phone."},
        )
        self.assertEqual(consent.wording_version, 0, "a wording the purpose never had")
        self.assertTrue(consent.wording_outdated, "not the current wording")
        self.purpose.with_user(
            self.dpo_user
        ).consent_text = "Newsletter, as agreed by phone."
        self.assertEqual(self.purpose.wording_version, 2)
        self.assertEqual(consent.wording_version, 2)
        self.assertFalse(consent.wording_outdated)
        self.env["gdpr.purpose"]._snapshot_all_wordings()
        self.assertEqual(self.purpose.wording_version, 2, "nothing new to keep")
