from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestContactable(GdprCase):
    """check_contactable: who may be contacted for a purpose, and why not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.interest = cls.env["gdpr.purpose"].create(
            {
                "name": "Customer news",
                "code": "test.customer_news",
                "legal_basis": "legitimate_interest",
            }
        )
        cls.agreed = Partner.create({"name": "Agreed", "email": "agreed@c.test"})
        cls.twin_a = Partner.create({"name": "Twin A", "email": "twin@c.test"})
        cls.twin_b = Partner.create({"name": "Twin B", "email": "TWIN@c.test"})
        cls.never = Partner.create({"name": "Never asked", "email": "never@c.test"})
        cls.no_mail = Partner.create({"name": "No mail"})
        give = cls.Consent._record_decision
        give(cls.agreed | cls.twin_a | cls.twin_b, cls.marketing, "given")
        give(cls.twin_b, cls.marketing, "withdrawn")

    def check(self, user=None, **kwargs):
        Purpose = self.env["gdpr.purpose"].with_user(user or self.sales_user)
        return Purpose.check_contactable(**kwargs)

    def reasons(self, result):
        return {
            (entry["partner_id"], entry["email"]): entry["reason"]
            for entry in result["refused"]
        }

    def test_consent_purpose(self):
        result = self.check(
            purpose_code=self.marketing.code,
            partner_ids=(self.agreed | self.twin_a | self.never | self.no_mail).ids,
            emails=["Agreed <agreed@c.test>", "nobody@c.test", "not an address"],
        )
        self.assertEqual(
            result["allowed"],
            [
                {"partner_id": self.agreed.id, "email": "agreed@c.test"},
                {"partner_id": False, "email": "agreed@c.test"},
            ],
        )
        self.assertEqual(
            self.reasons(result),
            {
                # a withdrawal on the other record with the same address wins
                (self.twin_a.id, "twin@c.test"): "withdrawn",
                (self.never.id, "never@c.test"): "no_consent",
                (self.no_mail.id, False): "no_consent",
                (False, "nobody@c.test"): "unknown",
                (False, "not an address"): "invalid_email",
            },
        )

    def test_expired_restricted_blacklisted_erased(self):
        consent = self.Consent.search([("partner_id", "=", self.agreed.id)])
        self.marketing.consent_validity_months = 1
        consent.sudo().date = fields.Datetime.subtract(fields.Datetime.now(), months=2)
        self.assertEqual(
            self.reasons(
                self.check(purpose_code=self.marketing.code, emails=["agreed@c.test"])
            ),
            {(False, "agreed@c.test"): "expired"},
        )
        self.marketing.consent_validity_months = 0
        self.env["mail.blacklist"]._add("agreed@c.test")
        self.assertEqual(
            self.reasons(
                self.check(purpose_code=self.marketing.code, emails=["agreed@c.test"])
            ),
            {(False, "agreed@c.test"): "blacklisted"},
        )
        # a second, archived record of the same person restricted
        self.env["res.partner"].create(
            {
                "name": "Agreed again",
                "email": "agreed@c.test",
                "active": False,
                "gdpr_restricted": True,
            }
        )
        result = self.check(purpose_code=self.marketing.code, emails=["agreed@c.test"])
        self.assertEqual(result["refused"][0]["reason"], "restricted")
        self.assertEqual(result["refused"][0]["reasons"], ["restricted", "blacklisted"])

    def test_legitimate_interest_and_objection(self):
        result = self.check(purpose_code=self.interest.code, partner_ids=self.never.ids)
        self.assertEqual(len(result["allowed"]), 1)
        self.env["gdpr.objection"].create(
            {"partner_id": self.twin_b.id, "purpose_id": self.interest.id}
        )
        result = self.check(
            purpose_code=self.interest.code, partner_ids=self.twin_a.ids
        )
        self.assertEqual(
            self.reasons(result), {(self.twin_a.id, "twin@c.test"): "objection"}
        )

    @users("gdpr_internal", "gdpr_sales", "gdpr_sales_manager", "gdpr_dpo")
    def test_any_internal_user_may_check(self):
        result = self.env["gdpr.purpose"].check_contactable(
            purpose_code=self.marketing.code, emails=["agreed@c.test"]
        )
        self.assertEqual(
            result["allowed"], [{"partner_id": False, "email": "agreed@c.test"}]
        )

    @users("gdpr_portal")
    def test_portal_user_may_not_check(self):
        with self.assertRaises(AccessError):
            self.env["gdpr.purpose"].check_contactable(
                purpose_code=self.marketing.code, emails=["agreed@c.test"]
            )

    def test_rights_and_bad_input(self):
        other_company = self.env["res.company"].create({"name": "Other"})
        hidden = self.env["res.partner"].create(
            {"name": "Hidden", "email": "hidden@c.test", "company_id": other_company.id}
        )
        with self.assertRaises(AccessError):
            self.check(purpose_code=self.marketing.code, partner_ids=hidden.ids)
        for kwargs in (
            {"purpose_code": "no.such.purpose", "emails": ["a@b.c"]},
            {"purpose_code": self.marketing.code},
            {"purpose_code": self.marketing.code, "partner_ids": "1"},
            {"purpose_code": self.marketing.code, "emails": [1]},
            {"purpose_code": self.marketing.code, "partner_ids": [999999999]},
        ):
            with self.assertRaises(ValidationError):
                self.check(**kwargs)
