from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common import SALESMAN

WARNING = RPC_FAULT_CODE_WARNING
ACCESS_ERROR = RPC_FAULT_CODE_ACCESS_ERROR


@tagged("post_install", "-at_install")
class TestRequestRpc(HttpCase):
    """Requests, exports and restriction over XML-RPC, as integrations use
    them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_user = new_test_user(cls.env, "dsr_rpc_sales", groups=SALESMAN)
        cls.dpo_user = new_test_user(
            cls.env, "dsr_rpc_dpo", groups=f"{SALESMAN},crm_gdpr.group_gdpr_dpo"
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Jana Nováková",
                "email": "jana@example.cz",
                "phone": "+420 777 123 456",
            }
        )

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )

    @mute_logger("odoo.http")
    def test_request_export_restriction_over_rpc(self):
        request = self.call(
            self.sales_user,
            "gdpr.request",
            "submit_request",
            "access",
            self.partner.id,
            channel="email",
            received_date="2026-01-31",
        )
        self.assertEqual(request["deadline"], "2026-02-28")
        overdue = self.call(self.dpo_user, "gdpr.request", "list_overdue")
        self.assertIn(request["id"], [r["id"] for r in overdue])
        data = self.call(
            self.dpo_user, "gdpr.subject.export", "export_person", self.partner.id
        )
        self.assertEqual(data["records"]["res.partner"][0]["email"], "jana@example.cz")
        with self.assertRaises(Fault) as raised:
            self.call(
                self.sales_user, "gdpr.subject.export", "export_person", self.partner.id
            )
        self.assertEqual(raised.exception.faultCode, ACCESS_ERROR)

        self.call(
            self.dpo_user,
            "res.partner",
            "gdpr_set_restriction",
            [self.partner.id],
            restricted=True,
            reason="Accuracy contested",
        )
        with self.assertRaises(Fault) as raised:
            self.call(
                self.sales_user,
                "res.partner",
                "write",
                [self.partner.id],
                {"phone": "1"},
            )
        self.assertEqual(raised.exception.faultCode, ACCESS_ERROR)
        with self.assertRaises(Fault) as raised:
            self.call(
                self.sales_user,
                "res.partner",
                "gdpr_set_restriction",
                [self.partner.id],
            )
        self.assertEqual(raised.exception.faultCode, ACCESS_ERROR)
        self.call(
            self.dpo_user,
            "res.partner",
            "gdpr_set_restriction",
            [self.partner.id],
            False,
        )
        self.assertFalse(self.partner.gdpr_restricted)

    @mute_logger("odoo.http")
    def test_bad_input_over_rpc_writes_nothing(self):
        count = self.env["gdpr.request"].search_count([])
        for args, kwargs in [
            (("complaint", self.partner.id), {}),
            (("access",), {"email": "nope"}),
            (("access", 999999), {}),
        ]:
            with self.subTest(args=args), self.assertRaises(Fault) as raised:
                self.call(
                    self.sales_user, "gdpr.request", "submit_request", *args, **kwargs
                )
            # a clear error for the caller (a ValidationError or MissingError),
            # never a server crash (fault code 1)
            self.assertEqual(raised.exception.faultCode, WARNING)
            self.assertNotIn("Traceback", raised.exception.faultString)
        self.assertEqual(self.env["gdpr.request"].search_count([]), count)
        result = self.call(
            self.sales_user,
            "gdpr.objection",
            "record_objection",
            self.partner.id,
            "marketing_email",
        )
        self.assertEqual(result["purpose_code"], "marketing_email")

    @mute_logger("odoo.http")
    def test_erasure_over_rpc(self):
        person = self.env["res.partner"].create(
            {
                "name": "Tomáš Svoboda",
                "email": "tomas@example.cz",
                "phone": "+420 602 111 222",
            }
        )
        (plan,) = self.call(self.dpo_user, "gdpr.erasure", "preview", [person.id])
        self.assertEqual(plan["status"], "to_erase")
        self.assertIn("res.partner", {place["model"] for place in plan["places"]})
        results = self.call(
            self.dpo_user,
            "gdpr.erasure",
            "erase",
            [person.id],
            [{"email": "nobody@example.cz"}],
            request_ref="DSR-RPC-1",
        )
        self.assertEqual([r["status"] for r in results], ["erased", "not_found"])
        self.assertEqual(results[0]["counts"]["res.partner"], {"anonymise": 1})
        self.assertFalse(results[1]["certificate"])
        with self.assertRaises(Fault) as raised:
            self.call(self.sales_user, "gdpr.erasure", "erase", [person.id])
        self.assertEqual(raised.exception.faultCode, ACCESS_ERROR)
        with self.assertRaises(Fault) as raised:
            self.call(self.dpo_user, "gdpr.erasure", "erase", [999999])
        self.assertIn(
            "There is no contact with id 999999", raised.exception.faultString
        )
