import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import users

from .test_breach import DOMAIN, BreachCase


class TestBreachRpc(BreachCase):
    def count(self):
        return self.env["gdpr.breach"].sudo().search_count([])

    def test_record_list_and_scope(self):
        aware = fields.Datetime.to_string(fields.Datetime.now() - timedelta(hours=70))
        category = self.env["gdpr.data.category"].search(
            [("code", "!=", False)], limit=1
        )
        result = self.Breach.record_breach(
            title="Misdirected e-mail with a customer list",
            aware_date=aware,
            data_category_codes=[category.code],
            subject_count=40,
        )
        json.dumps(result)
        self.assertEqual(result["title"], "Misdirected e-mail with a customer list")
        self.assertEqual(result["aware_date"], aware)
        self.assertEqual(
            result["deadline"],
            fields.Datetime.to_string(
                fields.Datetime.to_datetime(aware) + timedelta(hours=72)
            ),
        )
        self.assertAlmostEqual(result["hours_left"], 2, delta=0.1)
        breach = self.Breach.browse(result["id"])
        self.assertEqual(breach.data_category_ids, category)

        scope = breach.compute_scope(
            scope_type="partner_domain", domain=[["email", "=ilike", f"%@{DOMAIN}"]]
        )
        json.dumps(scope)
        self.assertEqual(scope["subject_count"], 3)

        listed = self.Breach.list_open()
        json.dumps(listed)
        self.assertIn(breach.id, [row["id"] for row in listed])
        row = next(row for row in listed if row["id"] == breach.id)
        self.assertEqual(row["subject_count"], 3)
        breach.action_notify()
        breach.action_close()
        self.assertNotIn(breach.id, [row["id"] for row in self.Breach.list_open()])

    def test_bad_input_writes_nothing(self):
        before = self.count()
        future = fields.Datetime.to_string(fields.Datetime.now() + timedelta(days=2))
        for kwargs in (
            {},
            {"title": "   "},
            {"title": 42},
            {"title": "Stolen laptop", "aware_date": "yesterday"},
            {"title": "Stolen laptop", "aware_date": 1700000000},
            {"title": "Stolen laptop", "aware_date": future},
            {"title": "Stolen laptop", "subject_count": -1},
            {"title": "Stolen laptop", "subject_count": "many"},
            {"title": "Stolen laptop", "data_category_codes": ["no_such_code"]},
            {"title": "Stolen laptop", "data_category_codes": "identity"},
        ):
            with self.assertRaises(ValidationError, msg=repr(kwargs)):
                self.Breach.record_breach(**kwargs)
            self.assertEqual(self.count(), before, repr(kwargs))

    @users(
        "gdpr_sales",
        "gdpr_sales_manager",
        "gdpr_sensitive",
        "gdpr_export",
        "gdpr_intake",
    )
    def test_only_the_dpo(self):
        breach = self.new_breach()
        before = self.count()
        Breach = self.env["gdpr.breach"]
        with self.assertRaises(AccessError):
            Breach.record_breach(title="Forged")
        with self.assertRaises(AccessError):
            Breach.list_open()
        with self.assertRaises(AccessError):
            Breach.create({"title": "Forged"})
        with self.assertRaises(AccessError):
            Breach.search([])
        with self.assertRaises(AccessError):
            breach.with_env(self.env).compute_scope("partner_domain", [("id", "!=", 0)])
        with self.assertRaises(AccessError):
            breach.with_env(self.env).action_notify()
        with self.assertRaises(AccessError):
            breach.with_env(self.env).write({"title": "Forged"})
        with self.assertRaises(AccessError):
            self.env["gdpr.breach.communication"].search([])
        self.assertEqual(self.count(), before)
        breach.invalidate_recordset()
        self.assertEqual(breach.title, "Laptop with the customer list stolen")
        self.assertEqual(breach.state, "draft")
        self.assertFalse(breach.partner_ids)
        # the DPO reads the communications but only the scheduled action writes them
        communications = self.env["gdpr.breach.communication"].with_user(self.dpo_user)
        self.assertFalse(communications.search([("breach_id", "=", breach.id)]))
        with self.assertRaises(AccessError):
            communications.create(
                {"breach_id": breach.id, "partner_id": self.partner.id}
            )
