from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestPersonalDataMap(GdprCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Map = cls.env["gdpr.field"]
        cls.identity = cls.env.ref("crm_gdpr.data_category_identity")

    def setUp(self):
        # Registered before the test's savepoint, so it runs after its
        # rollback: the ORM fields follow the map in the database again.
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        super().setUp()

    def _entries(self, model):
        return set(self.Map.search([("model", "=", model)]).mapped("field_name"))

    def test_shipped_defaults(self):
        self.assertLessEqual(
            {
                "name",
                "email",
                "phone",
                "mobile",
                "street",
                "city",
                "zip",
                "vat",
                "website",
                "function",
                "comment",
                "bank_ids",
            },
            self._entries("res.partner"),
        )
        self.assertLessEqual(
            {"acc_number", "acc_holder_name"}, self._entries("res.partner.bank")
        )
        self.assertLessEqual(
            {
                "contact_name",
                "partner_name",
                "email_from",
                "email_cc",
                "phone",
                "mobile",
                "street",
                "city",
                "website",
                "function",
                "description",
            },
            self._entries("crm.lead"),
        )
        acc_number = self.env.ref("crm_gdpr.map_res_partner_bank_acc_number")
        self.assertEqual(acc_number.sensitivity, "sensitive")
        self.assertEqual(acc_number.erasure_method, "delete")
        self.assertEqual(
            self.env.ref("crm_gdpr.map_res_partner_name").erasure_method, "placeholder"
        )

    def test_create_by_names(self):
        entry = self.Map.create(
            {
                "model": "res.partner",
                "field_name": "ref",
                "category_id": self.identity.id,
            }
        )
        self.assertEqual(
            entry.field_id, self.env["ir.model.fields"]._get("res.partner", "ref")
        )
        self.assertEqual(entry.display_name, "res.partner.ref")

    def test_bad_fields_refused(self):
        count = self.Map.search_count([])
        bad_values = [
            {"model": "res.partner", "field_name": "no_such_field"},
            {"model": "no.such.model", "field_name": "name"},
            # not stored: holds no data of its own
            {"model": "res.partner", "field_name": "display_name"},
            # a placeholder only fits text
            {
                "model": "res.partner",
                "field_name": "active",
                "erasure_method": "placeholder",
            },
            # a required field cannot be cleared
            {"model": "crm.lead", "field_name": "type"},
            # keeping data needs its legal reason
            {"model": "res.partner", "field_name": "lang", "erasure_method": "keep"},
        ]
        for vals in bad_values:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.Map.create(dict(vals, category_id=self.identity.id))
        self.assertEqual(self.Map.search_count([]), count)
        # a field of another model
        with self.assertRaises(ValidationError):
            self.Map.create(
                {
                    "model_id": self.env["ir.model"]._get("res.partner").id,
                    "field_id": self.env["ir.model.fields"]
                    ._get("crm.lead", "referred")
                    .id,
                    "category_id": self.identity.id,
                }
            )
        self.assertEqual(self.Map.search_count([]), count)

    def test_sensitivity_restricts_field_at_once(self):
        Partner = self.env["res.partner"]
        field = Partner._fields["function"]
        self.assertFalse(field.groups)
        self.env.ref("crm_gdpr.map_res_partner_function").with_user(
            self.dpo_user
        ).sensitivity = "special"
        self.assertEqual(field.groups, "crm_gdpr.group_gdpr_sensitive")
        partner = self.partner.with_user(self.sales_user)
        with self.assertRaises(AccessError):
            partner.read(["function"])
        with self.assertRaises(AccessError):
            partner.write({"function": "CEO"})
        with self.assertRaises(AccessError):
            Partner.with_user(self.sales_user).search([("function", "=", "CEO")])
        self.assertNotIn("function", partner.fields_get())
        arch = Partner.with_user(self.sales_user).get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertNotIn('name="function"', arch)
        self.assertIn(
            'name="function"',
            Partner.with_user(self.sensitive_user).get_views([(False, "form")])[
                "views"
            ]["form"]["arch"],
        )
        self.partner.with_user(self.sensitive_user).write({"function": "CEO"})
        self.assertEqual(
            partner.with_user(self.sensitive_user).read(["function"])[0]["function"],
            "CEO",
        )
        # the copy that res.users inherits is restricted too
        self.assertEqual(
            self.env["res.users"]._fields["function"].groups,
            "crm_gdpr.group_gdpr_sensitive",
        )
        # back to normal: readable again
        self.env.ref("crm_gdpr.map_res_partner_function").sensitivity = "normal"
        self.assertFalse(field.groups)
        self.assertEqual(partner.read(["function"])[0]["function"], "CEO")

    def test_declared_groups_are_kept(self):
        field = self.env["res.partner"]._fields["signup_type"]
        self.assertEqual(field.groups, "base.group_erp_manager")
        entry = self.Map.create(
            {
                "model": "res.partner",
                "field_name": "signup_type",
                "category_id": self.identity.id,
                "sensitivity": "sensitive",
            }
        )
        self.assertEqual(field.groups, "base.group_erp_manager")
        self.assertIn("base.group_erp_manager", entry.access_warning)
        entry.unlink()
        self.assertEqual(field.groups, "base.group_erp_manager")

    def test_only_dpo_edits_the_map(self):
        entry = self.env.ref("crm_gdpr.map_res_partner_email")
        self.assertEqual(
            entry.with_user(self.sales_user).read(["sensitivity"]),
            [{"id": entry.id, "sensitivity": entry.sensitivity}],
        )
        with self.assertRaises(AccessError):
            entry.with_user(self.sales_user).sensitivity = "sensitive"
        with self.assertRaises(AccessError):
            self.Map.with_user(self.sensitive_user).create(
                {
                    "model": "res.partner",
                    "field_name": "ref",
                    "category_id": self.identity.id,
                }
            )
        self.assertEqual(entry.sensitivity, "normal")
