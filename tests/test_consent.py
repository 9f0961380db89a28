import hashlib

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestConsent(GdprCase):
    def _give(self, partner, purpose=None, user=None, **kwargs):
        Consent = self.Consent.with_user(user or self.intake_user)
        return Consent._record_decision(
            partner, purpose or self.marketing, "given", **kwargs
        )

    def test_give_records_proof_and_history(self):
        consent = self._give(
            self.partner,
            channel="form",
            proof={"ip_address": "203.0.113.7", "user_agent": "Firefox/140"},
            note="Newsletter form",
        )
        self.assertEqual(consent.state, "given")
        self.assertEqual(consent.channel, "form")
        self.assertEqual(consent.user_id, self.intake_user)
        self.assertEqual(consent.ip_address, "203.0.113.7")
        text = self.marketing.consent_text
        self.assertEqual(consent.consent_text, text)
        self.assertEqual(
            consent.consent_hash, hashlib.sha256(text.encode()).hexdigest()
        )
        history = consent.history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.previous_state, history.state, history.user_agent, history.note),
            ("pending", "given", "Firefox/140", "Newsletter form"),
        )
        consent.with_user(self.sales_user).action_withdraw(channel="phone")
        self.assertEqual(consent.state, "withdrawn")
        history = self.history(consent)
        self.assertEqual(len(history), 2)
        self.assertEqual(history[0].previous_state, "given")
        # the wording given stays in the proof when the purpose's wording changes
        self.marketing.consent_text = "New wording"
        self.assertEqual(history[1].consent_text, text)

    def test_state_changes_only_through_actions(self):
        consent = self._give(self.partner)
        as_sales = consent.with_user(self.sales_user)
        for vals in (
            {"state": "withdrawn"},
            {"consent_hash": "x"},
            {"purpose_id": self.contract.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                as_sales.write(vals)
        with self.assertRaises(UserError):
            self.Consent.with_user(self.sales_user).create(
                {
                    "partner_id": self.partner.id,
                    "purpose_id": self.marketing.id,
                    "state": "given",
                }
            )
        self.assertEqual(consent.state, "given")
        # a pending consent can be created, then decided
        other = self.env["res.partner"].create({"name": "Eva Novak"})
        pending = self.Consent.with_user(self.sales_user).create(
            {"partner_id": other.id, "purpose_id": self.marketing.id}
        )
        self.assertEqual(pending.state, "pending")
        pending.action_refuse(channel="phone")
        self.assertEqual(pending.state, "refused")

    def test_invalid_transitions_write_nothing(self):
        consent = self._give(self.partner)
        consent.action_withdraw()
        count = self.History.search_count([])
        with self.assertRaises(UserError):
            consent.action_withdraw()
        other = self.env["res.partner"].create({"name": "Eva Novak"})
        with self.assertRaises(UserError):
            self.Consent._record_decision(other, self.marketing, "withdrawn")
        with self.assertRaises(ValidationError):
            self.Consent._record_decision(other, self.marketing, "maybe")
        self.assertEqual(self.History.search_count([]), count)
        self.assertFalse(self.Consent.search([("partner_id", "=", other.id)]))
        # given again after a withdrawal, or renewed
        consent.action_give()
        consent.action_give()
        self.assertEqual(
            self.history(consent).mapped("state"),
            ["given", "given", "withdrawn", "given"],
        )

    def test_one_consent_per_partner_and_purpose(self):
        self._give(self.partner)
        self._give(self.partner)
        self.assertEqual(
            self.Consent.search_count([("partner_id", "=", self.partner.id)]), 1
        )
        with self.assertRaises(ValidationError):
            self._give(self.partner, purpose=self.contract)

    def test_withdrawal_blacklists_and_giving_lifts_it(self):
        email = self.partner.email
        consent = self._give(self.partner)
        self.assertFalse(self.is_blacklisted(email))
        consent.with_user(self.sales_user).action_withdraw(channel="phone")
        self.assertTrue(self.is_blacklisted(email))
        self.assertTrue(self.partner.is_blacklisted)
        self.assertTrue(consent.blacklisted_by_consent)
        consent.with_user(self.sales_user).action_give(channel="phone")
        self.assertFalse(self.is_blacklisted(email))
        self.assertFalse(consent.blacklisted_by_consent)
        # a purpose without e-mail marketing does not touch the blacklist
        survey = self.env["gdpr.purpose"].create(
            {"name": "Surveys", "code": "surveys", "legal_basis": "consent"}
        )
        self._give(self.partner, purpose=survey).action_withdraw()
        self.assertFalse(self.is_blacklisted(email))

    def test_blacklisted_before_withdrawal_stays_blacklisted(self):
        email = self.partner.email
        consent = self._give(self.partner)
        self.env["mail.blacklist"]._add(email)
        consent.action_withdraw()
        self.assertFalse(consent.blacklisted_by_consent)
        consent.action_give()
        self.assertTrue(self.is_blacklisted(email))

    def test_blacklist_lifted_by_last_withdrawal_only(self):
        email = self.partner.email
        newsletter = self.env["gdpr.purpose"].create(
            {
                "name": "Newsletter",
                "code": "newsletter",
                "legal_basis": "consent",
                "email_marketing": True,
            }
        )
        marketing = self._give(self.partner)
        news = self._give(self.partner, purpose=newsletter)
        (marketing | news).action_withdraw()
        self.assertTrue(self.is_blacklisted(email))
        marketing.action_give()
        self.assertTrue(self.is_blacklisted(email), "the newsletter is still withdrawn")
        self.assertTrue(news.blacklisted_by_consent)
        news.action_give()
        self.assertFalse(self.is_blacklisted(email))

    def test_history_is_append_only(self):
        consent = self._give(self.partner)
        entry = consent.history_ids
        for user in (self.sales_user, self.sensitive_user, self.export_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    entry.with_user(user).write({"note": "changed"})
                with self.assertRaises(AccessError):
                    entry.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    self.History.with_user(user).create(
                        {
                            "consent_id": consent.id,
                            "state": "given",
                            "date": "2020-01-01",
                        }
                    )
        self.assertEqual(entry.note, False)
        entry.with_user(self.dpo_user).write({"note": "Corrected by the DPO"})
        self.assertEqual(entry.note, "Corrected by the DPO")
        with self.assertRaises(AccessError):
            consent.with_user(self.sales_user).unlink()
        consent.with_user(self.dpo_user).unlink()
        self.assertFalse(entry.exists())

    def test_record_wizard_for_several_contacts(self):
        partners = self.partner | self.env["res.partner"].create(
            [{"name": "Petr Svoboda", "email": "petr@example.cz"}, {"name": "Ana Pop"}]
        )
        wizard_form = Form(
            self.env["gdpr.consent.record.wizard"]
            .with_user(self.sales_user)
            .with_context(default_partner_ids=partners.ids)
        )
        wizard_form.purpose_id = self.marketing
        wizard_form.channel = "paper"
        wizard_form.note = "Signed at the fair"
        self.assertEqual(wizard_form.consent_text, self.marketing.consent_text)
        wizard_form.save().action_confirm()
        consents = self.Consent.search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(consents), 3)
        self.assertEqual(set(consents.mapped("state")), {"given"})
        self.assertEqual(set(consents.mapped("channel")), {"paper"})
        self.assertEqual(
            set(consents.history_ids.mapped("note")), {"Signed at the fair"}
        )

    def test_partner_purposes_and_filters(self):
        self.assertIn(self.contract, self.partner.gdpr_purpose_ids)
        self.assertNotIn(self.marketing, self.partner.gdpr_purpose_ids)
        consent = self._give(self.partner)
        self.partner.invalidate_recordset(["gdpr_purpose_ids"])
        self.assertIn(self.marketing, self.partner.gdpr_purpose_ids)
        Partner = self.env["res.partner"]
        given = Partner.search(
            [
                (
                    "gdpr_consent_ids",
                    "any",
                    [("state", "=", "given"), ("purpose_id", "ilike", "Marketing")],
                )
            ]
        )
        self.assertIn(self.partner, given)
        consent.action_withdraw()
        self.assertNotIn(
            self.partner,
            Partner.search([("gdpr_consent_ids", "any", [("state", "=", "given")])]),
        )
        self.assertIn(
            self.partner, Partner.search([("gdpr_consent_ids.state", "=", "withdrawn")])
        )

    def test_lead_shows_contact_consents(self):
        consent = self._give(self.partner)
        lead = (
            self.env["crm.lead"]
            .with_user(self.sales_user)
            .create({"name": "Offer for Jan", "partner_id": self.partner.id})
        )
        self.assertEqual(lead.gdpr_consent_ids, consent)
        arch = lead.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="gdpr_consent_ids"', arch)

    def test_purpose_and_contact_of_one_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        purpose = self.env["gdpr.purpose"].create(
            {"name": "Other news", "code": "other_news", "company_id": other.id}
        )
        self.partner.company_id = self.env.company
        with self.assertRaises(ValidationError):
            self.Consent._record_decision(self.partner, purpose, "given")
        self.assertFalse(self.Consent.search([("purpose_id", "=", purpose.id)]))
