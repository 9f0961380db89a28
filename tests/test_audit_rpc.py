from xmlrpc.client import Fault

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR

from .common import GdprHttpCase

ACCESS_ERROR = RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install")
class TestAuditRpc(GdprHttpCase):
    """The trail over XML-RPC and from the web client: the interface each
    change came from, lookups, exports, and the DPO's methods."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Maria Popa", "email": "maria.popa@example.ro"}
        )
        cls.Entry = cls.env["gdpr.audit.entry"]

    def setUp(self):
        super().setUp()
        self.Entry._flush_trail()  # what the set-up wrote comes first

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def last_entry(self):
        self.Entry._flush_trail()
        return self.Entry.search([], limit=1)

    def test_rpc_and_ui_changes_are_told_apart(self):
        self.call(
            self.sales_user,
            "res.partner",
            "write",
            [self.partner.id],
            {"phone": "+40 1"},
        )
        entry = self.last_entry()
        self.assertEqual((entry.operation, entry.interface), ("write", "rpc"))
        self.assertEqual(entry.user_id, self.sales_user)

        self.authenticate(self.sales_user.login, self.sales_user.login)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.partner/write",
            {
                "model": "res.partner",
                "method": "write",
                "args": [[self.partner.id], {"phone": "+40 2"}],
                "kwargs": {},
            },
        )
        entry = self.last_entry()
        self.assertEqual((entry.operation, entry.interface), ("write", "ui"))

    def test_lookup_of_sensitive_fields_is_logged(self):
        self.env.ref("crm_gdpr.map_res_partner_vat").sensitivity = "sensitive"
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.partner.vat = "RO18547290"
        self.call(
            self.sensitive_user,
            "res.partner",
            "read",
            [self.partner.id],
            ["name", "vat"],
        )
        entry = self.last_entry()
        self.assertEqual((entry.operation, entry.interface), ("lookup", "rpc"))
        self.assertEqual(entry.field_names, "vat")
        self.assertEqual(entry.res_id, self.partner.id)
        self.call(
            self.sensitive_user, "res.partner", "read", [self.partner.id], ["name"]
        )
        self.assertEqual(
            self.last_entry(), entry, "reading normal fields is not logged"
        )

    def test_lookups_traced_wherever_odoo_hands_out_values(self):
        """Odoo 18's search_read does not call read; group-bys and display
        names show the values too: each is traced as a lookup."""
        self.env.ref("crm_gdpr.map_res_partner_vat").sensitivity = "sensitive"
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.partner.vat = "RO18547290"
        domain = [("id", "=", self.partner.id)]
        calls = [
            ("search_read", (domain, ["name", "vat"]), {}),
            ("read_group", (domain, ["vat"], ["vat"]), {}),
            (
                "name_search",
                ("Maria Popa",),
                {"context": {"show_vat": True}},
            ),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method):
                before = self.last_entry()
                result = self.call(
                    self.sensitive_user, "res.partner", method, *args, **kwargs
                )
                self.assertIn("RO18547290", str(result))
                entry = self.last_entry()
                self.assertNotEqual(entry, before, f"{method} is not traced")
                self.assertEqual(entry.operation, "lookup")
                self.assertEqual(entry.field_names, "vat")
                self.assertEqual(entry.interface, "rpc")
        before = self.last_entry()
        self.call(self.sensitive_user, "res.partner", "search_read", domain, ["name"])
        self.call(self.sales_user, "res.partner", "name_search", "Maria Popa")
        self.assertEqual(self.last_entry(), before, "no sensitive field, no lookup")

    def test_account_numbers_in_display_names_and_copies_traced(self):
        """A bank account's display name is its number; copy_data hands the
        values out too."""
        bank = self.env["res.partner.bank"].create(
            {"partner_id": self.partner.id, "acc_number": "RO49AAAA1B31007593840000"}
        )
        calls = [
            ("search_read", ([("id", "=", bank.id)], ["display_name"]), {}),
            ("name_search", ("RO49AAAA",), {}),
            ("copy_data", ([bank.id],), {}),
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method):
                before = self.last_entry()
                result = self.call(
                    self.sensitive_user, "res.partner.bank", method, *args, **kwargs
                )
                self.assertIn("RO49AAAA1B31007593840000", str(result))
                entry = self.last_entry()
                self.assertNotEqual(entry, before, f"{method} is not traced")
                self.assertEqual(entry.operation, "lookup")
                self.assertIn("acc_number", entry.field_names.split(","))

    def test_interface_not_taken_from_the_callers_context(self):
        """A client forging ``import_file`` in its context is still traced as
        an RPC call."""
        self.call(
            self.sales_user,
            "res.partner",
            "write",
            [self.partner.id],
            {"phone": "+40 3"},
            context={"import_file": True},
        )
        entry = self.last_entry()
        self.assertEqual((entry.operation, entry.interface), ("write", "rpc"))

    @mute_logger("odoo.http")
    def test_export_over_rpc_refused_then_allowed(self):
        with self.assertRaises(Fault) as raised:
            self.call(
                self.sales_user,
                "res.partner",
                "export_data",
                [self.partner.id],
                ["email"],
            )
        self.assertEqual(raised.exception.faultCode, ACCESS_ERROR)
        self.assertIn(
            "not allowed to export personal data", raised.exception.faultString
        )
        rows = self.call(
            self.dpo_user, "res.partner", "export_data", [self.partner.id], ["email"]
        )
        self.assertEqual(rows["datas"], [["maria.popa@example.ro"]])
        entry = self.last_entry()
        self.assertEqual((entry.operation, entry.interface), ("export", "rpc"))
