from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common import INTAKE, SALESMAN


@tagged("post_install", "-at_install")
class TestRpc(HttpCase):
    """The public methods, called over XML-RPC as integrations do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_user = new_test_user(cls.env, "gdpr_rpc_sales", groups=SALESMAN)
        cls.intake_user = new_test_user(
            cls.env, "gdpr_rpc_intake", groups=f"{SALESMAN},{INTAKE}"
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Ion Popescu", "email": "ion.popescu@example.ro"}
        )
        other = cls.env["res.company"].create({"name": "Other Company"})
        cls.foreign = cls.env["res.partner"].create(
            {"name": "Foreign Contact", "company_id": other.id}
        )

    def call(self, model, method, *args, **kwargs):
        return self.call_as(self.sales_user, model, method, *args, **kwargs)

    def call_as(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    def written(self):
        return (
            self.env["gdpr.consent"].search_count([]),
            self.env["gdpr.consent.history"].search_count([]),
            self.env["mail.blacklist"].search_count([]),
        )

    def test_record_read_and_withdraw(self):
        purposes = self.call("gdpr.purpose", "list_purposes")
        self.assertIn("marketing_email", [p["code"] for p in purposes])
        consent = self.call_as(
            self.intake_user,
            "gdpr.consent",
            "record_consent",
            self.partner.id,
            "marketing_email",
            "given",
            channel="form",
            ip_address="198.51.100.4",
            user_agent="Mozilla/5.0",
            consent_text="Yes, send me news.",
        )
        self.assertEqual(consent["state"], "given")
        self.assertEqual(consent["channel"], "form")
        self.assertEqual(len(consent["consent_hash"]), 64)
        consents = self.call("gdpr.consent", "get_partner_consents", self.partner.id)
        self.assertEqual(
            [(c["purpose_code"], c["state"]) for c in consents],
            [("marketing_email", "given")],
        )
        withdrawn = self.call_as(
            self.intake_user,
            "gdpr.consent",
            "withdraw_consent",
            self.partner.id,
            "marketing_email",
        )
        self.assertEqual(withdrawn["state"], "withdrawn")
        self.assertTrue(
            self.env["mail.blacklist"].search(
                [("email", "=", "ion.popescu@example.ro")]
            )
        )
        history = self.env["gdpr.consent"].browse(consent["id"]).history_ids
        self.assertEqual(history.mapped("channel"), ["api", "form"])
        self.assertEqual(history[1].ip_address, "198.51.100.4")

    @mute_logger("odoo.http")
    def test_bad_input_is_refused_and_writes_nothing(self):
        before = self.written()
        warning, access_error = RPC_FAULT_CODE_WARNING, RPC_FAULT_CODE_ACCESS_ERROR
        cases = [
            (
                "unknown purpose",
                (self.partner.id, "no_such_purpose"),
                {},
                warning,
                "There is no processing purpose with code 'no_such_purpose'",
            ),
            (
                "omitted purpose",
                (self.partner.id,),
                {},
                warning,
                "A purpose code is required",
            ),
            (
                "omitted contact",
                (),
                {},
                warning,
                "A contact id (an integer) is required",
            ),
            (
                "missing purpose",
                (self.partner.id, False),
                {},
                warning,
                "A purpose code is required",
            ),
            (
                "unknown contact",
                (999999, "marketing_email"),
                {},
                warning,
                "There is no contact with id 999999",
            ),
            (
                "contact not an id",
                ("Ion", "marketing_email"),
                {},
                warning,
                "A contact id (an integer) is required",
            ),
            (
                "wrong state",
                (self.partner.id, "marketing_email", "maybe"),
                {},
                warning,
                "'maybe' is not a consent decision",
            ),
            (
                "wrong channel",
                (self.partner.id, "marketing_email", "given"),
                {"channel": "fax"},
                warning,
                "'fax' is not a consent channel",
            ),
            (
                "no consent basis",
                (self.partner.id, "customer_relationship"),
                {},
                warning,
                "does not rely on consent",
            ),
            (
                "nothing to withdraw",
                (self.partner.id, "marketing_email", "withdrawn"),
                {},
                warning,
                "there is nothing to withdraw",
            ),
            (
                "another company's contact",
                (self.foreign.id, "marketing_email"),
                {},
                access_error,
                "",
            ),
        ]
        for label, args, kwargs, code, message in cases:
            with self.subTest(label), self.assertRaises(Fault) as raised:
                self.call_as(
                    self.intake_user, "gdpr.consent", "record_consent", *args, **kwargs
                )
            self.assertEqual(raised.exception.faultCode, code, label)
            self.assertIn(message, raised.exception.faultString, label)
        with self.assertRaises(Fault) as raised:
            self.call("gdpr.consent", "get_partner_consents", self.foreign.id)
        self.assertEqual(raised.exception.faultCode, access_error)
        self.assertEqual(self.written(), before)

    @mute_logger("odoo.http")
    def test_sensitive_fields_refused_over_rpc(self):
        bank = self.env["res.partner.bank"].create(
            {"partner_id": self.partner.id, "acc_number": "RO49AAAA1B31007593840000"}
        )
        for method, args, kwargs in [
            ("read", [[bank.id], ["acc_number"]], {}),
            ("search_read", [[]], {"fields": ["acc_holder_name"]}),
        ]:
            with self.subTest(method), self.assertRaises(Fault) as raised:
                self.call("res.partner.bank", method, *args, **kwargs)
            self.assertEqual(raised.exception.faultCode, RPC_FAULT_CODE_ACCESS_ERROR)
        with self.assertRaises(Fault):
            self.call("res.partner", "read", [self.partner.id], ["bank_ids"])
        self.assertEqual(
            self.call("res.partner", "read", [self.partner.id], ["name"])[0]["name"],
            "Ion Popescu",
        )
