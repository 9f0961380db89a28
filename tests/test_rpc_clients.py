import xmlrpc.client
from contextlib import contextmanager
from datetime import timedelta

import odoorpc

from odoo import fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.base.controllers.rpc import (
    RPC_FAULT_CODE_ACCESS_ERROR,
    RPC_FAULT_CODE_APPLICATION_ERROR,
    RPC_FAULT_CODE_WARNING,
)

from .common import GdprHttpCase

WARNING = RPC_FAULT_CODE_WARNING
ACCESS_ERROR = RPC_FAULT_CODE_ACCESS_ERROR


def error_name(exception):
    """How Odoo's JSON-RPC names an exception class in its error data."""
    return f"{exception.__module__}.{exception.__name__}"


@tagged("post_install", "-at_install")
class TestRpcClients(GdprHttpCase):
    """The public methods called against the running server with the two
    clients integrations use, as README's "RPC API" shows them:
    ``xmlrpc.client`` (``/xmlrpc/2/common`` and ``/xmlrpc/2/object``) and
    ``odoorpc`` (JSON-RPC). Every refusal is the fault code of its
    exception (never a crash), and what a refused call would have written is
    not there."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other = cls.env["res.company"].create({"name": "Other Company"})
        cls.foreign = cls.env["res.partner"].create(
            {"name": "Foreign Contact", "company_id": other.id}
        )

    # ------------------------------------------------------------------
    # the clients, set up as README shows them
    # ------------------------------------------------------------------

    def xmlrpc(self, user):
        """README's ``call()``: ``xmlrpc.client`` logged in as ``user``."""
        url, db = self.base_url(), self.env.cr.dbname
        login = password = user.login
        uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
            db, login, password, {}
        )
        self.assertEqual(uid, user.id)
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")

        def call(model, method, *args, **kwargs):
            # what the test wrote is in the database, as committed data is
            self.env.flush_all()
            return models.execute_kw(
                db, uid, password, model, method, list(args), kwargs
            )

        call.models = models
        call.uid = uid
        return call

    def odoorpc(self, user):
        """README's ``odoo``: ``odoorpc`` over JSON-RPC, logged in as ``user``."""
        self.env.flush_all()
        odoo = odoorpc.ODOO("127.0.0.1", port=config["http_port"])
        odoo.login(self.env.cr.dbname, user.login, user.login)
        self.assertEqual(odoo.env.uid, user.id)
        return odoo

    @contextmanager
    def assertFault(self, code, message=""):
        """An XML-RPC fault of exactly ``code``, never a server crash."""
        with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault) as raised:
            yield raised
        fault = raised.exception
        self.assertNotEqual(
            fault.faultCode,
            RPC_FAULT_CODE_APPLICATION_ERROR,
            f"the server crashed: {fault.faultString}",
        )
        self.assertEqual(fault.faultCode, code, fault.faultString)
        self.assertNotIn("Traceback", fault.faultString)
        if message:
            self.assertIn(message, fault.faultString)

    @contextmanager
    def assertRpcError(self, exception, message=""):
        """A JSON-RPC error raised by ``exception``, never a server crash."""
        with (
            mute_logger("odoo.http"),
            self.assertRaises(odoorpc.error.RPCError) as raised,
        ):
            yield raised
        data = raised.exception.info["data"]
        self.assertEqual(data["name"], error_name(exception), data.get("debug"))
        if message:
            self.assertIn(message, str(raised.exception))

    def written(self, *models):
        """How many records of each model the database holds."""
        self.env.invalidate_all()
        return {model: self.env[model].sudo().search_count([]) for model in models}

    # ------------------------------------------------------------------
    # consent
    # ------------------------------------------------------------------

    def test_consent_over_xmlrpc_as_the_intake_integration(self):
        call = self.xmlrpc(self.intake_user)
        purposes = call("gdpr.purpose", "list_purposes")
        by_code = {purpose["code"]: purpose for purpose in purposes}
        self.assertEqual(by_code["marketing_email"]["id"], self.marketing.id)
        self.assertIs(by_code["marketing_email"]["consent_required"], True)
        partner_id = call(
            "res.partner",
            "create",
            {"name": "Marta Wiśniewska", "email": "marta@example.pl"},
        )
        consent = call(
            "gdpr.consent",
            "record_consent",
            partner_id,
            "marketing_email",
            "given",
            channel="form",
            ip_address="203.0.113.7",
            user_agent="Mozilla/5.0",
        )
        self.assertEqual(
            {key: consent[key] for key in ("partner_id", "purpose_code", "state")},
            {
                "partner_id": partner_id,
                "purpose_code": "marketing_email",
                "state": "given",
            },
        )
        self.assertEqual(consent["channel"], "form")
        self.assertEqual(len(consent["consent_hash"]), 64)
        record = self.Consent.browse(consent["id"])
        self.assertEqual(record.partner_id.id, partner_id)
        self.assertEqual(record.history_ids.ip_address, "203.0.113.7")
        self.assertEqual(record.history_ids.user_agent, "Mozilla/5.0")
        self.assertEqual(record.history_ids.user_id, self.intake_user)
        self.assertEqual(
            [
                (c["id"], c["state"])
                for c in call("gdpr.consent", "get_partner_consents", partner_id)
            ],
            [(consent["id"], "given")],
        )
        withdrawn = call(
            "gdpr.consent",
            "withdraw_consent",
            partner_id,
            "marketing_email",
            note="Unsubscribed by phone",
        )
        self.assertEqual(
            (withdrawn["id"], withdrawn["state"]), (consent["id"], "withdrawn")
        )
        self.env.invalidate_all()
        self.assertEqual(record.state, "withdrawn")
        self.assertEqual(record.history_ids.mapped("channel"), ["api", "form"])
        self.assertTrue(self.is_blacklisted("marta@example.pl"))
        before = self.written("gdpr.consent", "gdpr.consent.history")
        with self.assertFault(
            WARNING, "There is no processing purpose with code 'no_such_purpose'."
        ):
            call("gdpr.consent", "record_consent", partner_id, "no_such_purpose")
        self.assertEqual(self.written("gdpr.consent", "gdpr.consent.history"), before)

    def test_consent_over_odoorpc_as_a_salesperson(self):
        odoo = self.odoorpc(self.sales_user)
        Consent = odoo.env["gdpr.consent"]
        partner_id = odoo.env["res.partner"].create(
            {"name": "Radu Ionescu", "email": "radu@example.ro"}
        )
        consent = Consent.record_consent(
            partner_id, "marketing_email", "given", channel="email"
        )
        self.assertEqual((consent["state"], consent["channel"]), ("given", "email"))
        self.assertEqual(
            [(c["id"], c["state"]) for c in Consent.get_partner_consents(partner_id)],
            [(consent["id"], "given")],
        )
        models = ("gdpr.consent", "gdpr.consent.history", "mail.blacklist")
        before = self.written(*models)
        with self.assertRpcError(
            ValidationError,
            "'maybe' is not a consent decision; use one of given, refused, withdrawn.",
        ):
            Consent.record_consent(
                partner_id, "marketing_email", "maybe", channel="email"
            )
        with self.assertRpcError(ValidationError, "Say how the decision reached you"):
            Consent.record_consent(partner_id, "marketing_email", "maybe")
        # the proof of a web form is the intake integration's: a salesperson
        # names the channel they witnessed and brings no proof
        for kwargs in (
            {"channel": "form"},
            {"channel": "api"},
            {"channel": "import"},
            {"channel": "email", "ip_address": "203.0.113.7"},
            {"channel": "email", "user_agent": "Mozilla/5.0"},
            {"channel": "email", "consent_text": "Yes"},
        ):
            with self.subTest(**kwargs), self.assertRpcError(AccessError):
                Consent.record_consent(partner_id, "marketing_email", "given", **kwargs)
        with self.assertRpcError(ValidationError, "Say how the decision reached you"):
            Consent.withdraw_consent(partner_id, "marketing_email")
        self.assertEqual(self.written(*models), before)
        self.assertEqual(self.Consent.browse(consent["id"]).state, "given")
        # the same refusal over XML-RPC is fault code 4
        call = self.xmlrpc(self.sales_user)
        with self.assertFault(ACCESS_ERROR):
            call(
                "gdpr.consent",
                "withdraw_consent",
                partner_id,
                "marketing_email",
                channel="form",
            )
        self.assertEqual(self.written(*models), before)
        withdrawn = Consent.withdraw_consent(
            partner_id, "marketing_email", channel="phone", note="Called us"
        )
        self.assertEqual(withdrawn["state"], "withdrawn")
        self.assertTrue(self.is_blacklisted("radu@example.ro"))

    def test_bad_consent_input_is_refused_and_writes_nothing(self):
        partner = self.env["res.partner"].create(
            {"name": "Ion Popescu", "email": "ion.popescu@example.ro"}
        )
        call = self.xmlrpc(self.intake_user)
        models = ("gdpr.consent", "gdpr.consent.history", "mail.blacklist")
        before = self.written(*models)
        cases = [
            (
                "unknown purpose",
                (partner.id, "no_such_purpose"),
                {},
                WARNING,
                "There is no processing purpose with code 'no_such_purpose'",
            ),
            (
                "omitted purpose",
                (partner.id,),
                {},
                WARNING,
                "A purpose code is required",
            ),
            (
                "omitted contact",
                (),
                {},
                WARNING,
                "A contact id (an integer) is required",
            ),
            (
                "missing purpose",
                (partner.id, False),
                {},
                WARNING,
                "A purpose code is required",
            ),
            (
                "unknown contact",
                (999999, "marketing_email"),
                {},
                WARNING,
                "There is no contact with id 999999",
            ),
            (
                "contact not an id",
                ("Ion", "marketing_email"),
                {},
                WARNING,
                "A contact id (an integer) is required",
            ),
            (
                "wrong state",
                (partner.id, "marketing_email", "maybe"),
                {},
                WARNING,
                "'maybe' is not a consent decision",
            ),
            (
                "wrong channel",
                (partner.id, "marketing_email", "given"),
                {"channel": "fax"},
                WARNING,
                "'fax' is not a consent channel",
            ),
            (
                "no consent basis",
                (partner.id, "customer_relationship"),
                {},
                WARNING,
                "does not rely on consent",
            ),
            (
                "nothing to withdraw",
                (partner.id, "marketing_email", "withdrawn"),
                {},
                WARNING,
                "there is nothing to withdraw",
            ),
            (
                "another company's contact",
                (self.foreign.id, "marketing_email"),
                {},
                ACCESS_ERROR,
                "",
            ),
        ]
        for label, args, kwargs, code, message in cases:
            with self.subTest(label), self.assertFault(code, message):
                call("gdpr.consent", "record_consent", *args, **kwargs)
        with self.assertFault(ACCESS_ERROR):
            self.xmlrpc(self.sales_user)(
                "gdpr.consent", "get_partner_consents", self.foreign.id
            )
        # a JSON-RPC client gets the exception's own class
        Consent = self.odoorpc(self.intake_user).env["gdpr.consent"]
        for args, exception in [
            ((999999, "marketing_email"), MissingError),
            ((partner.id, "marketing_email", "withdrawn"), UserError),
            ((partner.id, "no_such_purpose"), ValidationError),
        ]:
            with self.subTest(args=args), self.assertRpcError(exception):
                Consent.record_consent(*args)
        self.assertEqual(self.written(*models), before)

    def test_sensitive_fields_refused_over_rpc(self):
        partner = self.env["res.partner"].create({"name": "Ion Popescu"})
        bank = self.env["res.partner.bank"].create(
            {"partner_id": partner.id, "acc_number": "RO49AAAA1B31007593840000"}
        )
        call = self.xmlrpc(self.sales_user)
        for method, args, kwargs in [
            ("read", [[bank.id], ["acc_number"]], {}),
            ("search_read", [[]], {"fields": ["acc_holder_name"]}),
        ]:
            with self.subTest(method), self.assertFault(ACCESS_ERROR):
                call("res.partner.bank", method, *args, **kwargs)
        with self.assertFault(ACCESS_ERROR):
            call("res.partner", "read", [partner.id], ["bank_ids"])
        with self.assertFault(ACCESS_ERROR, "not allowed to export personal data"):
            call("res.partner", "export_data", [partner.id], ["email"])
        self.assertEqual(
            call("res.partner", "read", [partner.id], ["name"]),
            [{"id": partner.id, "name": "Ion Popescu"}],
        )
        self.assertEqual(
            self.xmlrpc(self.sensitive_user)(
                "res.partner.bank", "read", [bank.id], ["acc_number"]
            ),
            [{"id": bank.id, "acc_number": "RO49AAAA1B31007593840000"}],
        )

    # ------------------------------------------------------------------
    # data-subject requests, Art. 15 export, restriction, objection
    # ------------------------------------------------------------------

    def test_requests_export_and_restriction(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Jana Nováková",
                "email": "jana@example.cz",
                "phone": "+420 777 123 456",
            }
        )
        partner_id = partner.id
        sales = self.xmlrpc(self.sales_user)
        call = self.xmlrpc(self.dpo_user)
        request = sales(
            "gdpr.request",
            "submit_request",
            "access",
            partner_id,
            channel="email",
            received_date="2026-01-31",
        )
        self.assertEqual(
            {key: request[key] for key in ("request_type", "partner_id", "channel")},
            {"request_type": "access", "partner_id": partner_id, "channel": "email"},
        )
        self.assertEqual(
            (request["received_date"], request["deadline"]),
            ("2026-01-31", "2026-02-28"),
        )
        self.assertEqual(request["state"], "new")
        self.assertEqual(
            self.env["gdpr.request"].browse(request["id"]).partner_id, partner
        )
        overdue = call("gdpr.request", "list_overdue")
        self.assertIn(request["id"], [r["id"] for r in overdue])

        package = call("gdpr.subject.export", "export_person", partner_id)
        (row,) = package["records"]["res.partner"]
        self.assertEqual(
            (row["id"], row["email"], row["phone"]),
            (partner_id, "jana@example.cz", "+420 777 123 456"),
        )
        with self.assertFault(ACCESS_ERROR):
            sales("gdpr.subject.export", "export_person", partner_id)

        self.assertIs(
            call(
                "res.partner",
                "gdpr_set_restriction",
                [partner_id],
                True,
                "Accuracy contested",
            ),
            True,
        )
        self.env.invalidate_all()
        self.assertTrue(partner.gdpr_restricted)
        self.assertEqual(partner.gdpr_restriction_reason, "Accuracy contested")
        with self.assertFault(ACCESS_ERROR):
            sales("res.partner", "write", [partner_id], {"phone": "1"})
        with self.assertFault(ACCESS_ERROR):
            sales("res.partner", "gdpr_set_restriction", [partner_id], False)
        self.env.invalidate_all()
        self.assertEqual(partner.phone, "+420 777 123 456")
        self.assertTrue(partner.gdpr_restricted)
        call("res.partner", "gdpr_set_restriction", [partner_id], False)
        self.env.invalidate_all()
        self.assertFalse(partner.gdpr_restricted)

        odoo = self.odoorpc(self.sales_user)
        objection = odoo.env["gdpr.objection"].record_objection(
            partner_id, "marketing_email", channel="phone"
        )
        self.assertEqual(
            {key: objection[key] for key in ("partner_id", "purpose_code", "channel")},
            {
                "partner_id": partner_id,
                "purpose_code": "marketing_email",
                "channel": "phone",
            },
        )
        self.assertEqual(
            self.env["gdpr.objection"].browse(objection["id"]).partner_id, partner
        )

    def test_bad_request_input_is_refused_and_writes_nothing(self):
        partner = self.env["res.partner"].create({"name": "Jana Nováková"})
        sales = self.xmlrpc(self.sales_user)
        models = ("gdpr.request", "gdpr.objection")
        before = self.written(*models)
        for args, kwargs, message in [
            (("complaint", partner.id), {}, "complaint"),
            (("access",), {"email": "nope"}, "nope"),
            (("access", 999999), {}, "There is no contact with id 999999"),
            (("access", partner.id), {"received_date": "31/01/2026"}, "31/01/2026"),
            (("access", partner.id), {"channel": "fax"}, "fax"),
        ]:
            with self.subTest(args=args, kwargs=kwargs):
                with self.assertFault(WARNING, message):
                    sales("gdpr.request", "submit_request", *args, **kwargs)
        with self.assertFault(WARNING):
            sales(
                "gdpr.objection",
                "record_objection",
                partner.id,
                "customer_relationship",
            )
        with self.assertFault(ACCESS_ERROR):
            self.xmlrpc(self.portal_user)(
                "gdpr.request", "submit_request", "access", partner.id
            )
        self.assertEqual(self.written(*models), before)

    # ------------------------------------------------------------------
    # erasure
    # ------------------------------------------------------------------

    def test_erasure_by_the_dpo(self):
        person = self.env["res.partner"].create(
            {
                "name": "Tomáš Svoboda",
                "email": "tomas@example.cz",
                "phone": "+420 602 111 222",
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Offer", "partner_id": person.id, "email_from": "tomas@example.cz"}
        )
        call = self.xmlrpc(self.dpo_user)
        (plan,) = call("gdpr.erasure", "preview", [person.id])
        self.assertEqual(plan["status"], "to_erase")
        places = {(place["model"], place["res_id"]) for place in plan["places"]}
        self.assertIn(("res.partner", person.id), places)
        self.assertIn(("crm.lead", lead.id), places)
        self.assertEqual(self.written("gdpr.erasure.log")["gdpr.erasure.log"], 0)

        results = call(
            "gdpr.erasure",
            "erase",
            [person.id],
            [{"email": "piotr@example.pl", "name": "Piotr Zieliński"}],
            request_ref="DSR-2026-014",
        )
        self.assertEqual([r["status"] for r in results], ["erased", "not_found"])
        self.assertEqual(results[0]["counts"]["res.partner"], {"anonymise": 1})
        log = self.env["gdpr.erasure.log"].browse(results[0]["log_id"])
        self.assertEqual(log.name, results[0]["certificate"])
        self.assertFalse(results[1]["certificate"])
        self.env.invalidate_all()
        self.assertNotEqual(person.email, "tomas@example.cz")
        self.assertNotIn("Svoboda", person.name)
        self.assertNotEqual(lead.email_from, "tomas@example.cz")
        (again,) = call("gdpr.erasure", "preview", [person.id])
        self.assertEqual(again["status"], "already_erased")

        # by identifiers only, with odoorpc as README shows
        by_phone = self.env["crm.lead"].create(
            {
                "name": "Call back",
                "contact_name": "Anna Lis",
                "phone": "+48 512 000 111",
            }
        )
        odoo = self.odoorpc(self.dpo_user)
        (result,) = odoo.env["gdpr.erasure"].erase(
            identifiers=[{"phone": "+48 512 000 111"}]
        )
        self.assertEqual(result["status"], "erased")
        self.assertEqual(result["counts"]["crm.lead"], {"anonymise": 1})
        self.env.invalidate_all()
        self.assertNotEqual(by_phone.phone, "+48 512 000 111")

    def test_erasure_refused_to_others_writes_nothing(self):
        person = self.env["res.partner"].create(
            {"name": "Tomáš Svoboda", "email": "tomas@example.cz"}
        )
        models = ("gdpr.erasure.log", "gdpr.suppression", "gdpr.audit.entry")
        self.env["gdpr.audit.entry"]._flush_trail()
        before = self.written(*models)
        for user in (self.sales_user, self.sales_manager, self.intake_user):
            call = self.xmlrpc(user)
            for method in ("preview", "erase"):
                with self.subTest(user=user.login, method=method):
                    with self.assertFault(ACCESS_ERROR):
                        call("gdpr.erasure", method, [person.id])
        with self.assertRpcError(AccessError):
            self.odoorpc(self.sales_user).env["gdpr.erasure"].erase(
                identifiers=[{"email": "tomas@example.cz"}]
            )
        # the DPO's mistakes are refused as clearly, before anything is done
        call = self.xmlrpc(self.dpo_user)
        with self.assertFault(WARNING, "There is no contact with id 999999"):
            call("gdpr.erasure", "erase", [999999])
        with self.assertFault(WARNING):
            call("gdpr.erasure", "erase", [], [{"email": "not an address"}])
        with self.assertFault(WARNING):
            call("gdpr.erasure", "erase", self.dpo_user.partner_id.ids)
        self.env["gdpr.audit.entry"]._flush_trail()
        self.assertEqual(self.written(*models), before)
        self.assertEqual(person.email, "tomas@example.cz")
        self.assertTrue(person.active)
        self.assertFalse(person.gdpr_erased_date)

    # ------------------------------------------------------------------
    # audit trail
    # ------------------------------------------------------------------

    def test_audit_trail_read_and_verified_by_the_dpo(self):
        Entry = self.env["gdpr.audit.entry"]
        partner = self.env["res.partner"].create(
            {"name": "Marta Wiśniewska", "email": "marta@example.pl"}
        )
        Entry._flush_trail()
        self.xmlrpc(self.sales_user)(
            "res.partner", "write", [partner.id], {"email": "marta.w@example.pl"}
        )
        Entry._flush_trail()
        call = self.xmlrpc(self.dpo_user)
        trail = call(
            "gdpr.audit.entry",
            "read_trail",
            [("partner_id", "=", partner.id)],
            limit=20,
        )
        self.assertEqual(
            {
                key: trail[0][key]
                for key in ("operation", "interface", "model", "res_id")
            },
            {
                "operation": "write",
                "interface": "rpc",
                "model": "res.partner",
                "res_id": partner.id,
            },
        )
        self.assertEqual(trail[0]["user_id"], self.sales_user.id)
        self.assertEqual(
            trail[0]["changes"]["email"], ["marta@example.pl", "marta.w@example.pl"]
        )
        self.assertEqual(
            [entry["id"] for entry in trail],
            Entry.search([("partner_id", "=", partner.id)]).ids,
        )
        chain = call("gdpr.audit.entry", "verify_chain")
        self.assertEqual(
            {key: chain[key] for key in ("valid", "first_broken_id", "reason")},
            {"valid": True, "first_broken_id": False, "reason": ""},
        )
        self.assertGreaterEqual(chain["checked"], len(trail))

        # odoorpc, as README shows: the exports of personal data
        rows = call("res.partner", "export_data", [partner.id], ["email"])
        self.assertEqual(rows["datas"], [["marta.w@example.pl"]])
        Entry._flush_trail()
        odoo = self.odoorpc(self.dpo_user)
        RpcEntry = odoo.env["gdpr.audit.entry"]
        exports = RpcEntry.read_trail([("operation", "=", "export")], limit=100)
        self.assertEqual(
            [(e["model"], e["res_ids"], e["interface"]) for e in exports[:1]],
            [("res.partner", [partner.id], "rpc")],
        )
        self.assertIs(RpcEntry.verify_chain()["valid"], True)

    def test_audit_trail_for_the_dpo_only(self):
        Entry = self.env["gdpr.audit.entry"]
        Entry._flush_trail()
        before = self.written("gdpr.audit.entry")
        for user in (self.sales_user, self.sales_manager, self.export_user):
            call = self.xmlrpc(user)
            for method in ("read_trail", "verify_chain"):
                with self.subTest(user=user.login, method=method):
                    with self.assertFault(ACCESS_ERROR):
                        call("gdpr.audit.entry", method)
        with self.assertRpcError(AccessError):
            self.odoorpc(self.sales_user).env["gdpr.audit.entry"].verify_chain()
        entry = Entry.search([], limit=1)
        self.assertTrue(entry)
        with self.assertFault(ACCESS_ERROR):
            self.xmlrpc(self.dpo_user)("gdpr.audit.entry", "unlink", entry.ids)
        with self.assertFault(ACCESS_ERROR):
            self.xmlrpc(self.dpo_user)(
                "gdpr.audit.entry", "write", entry.ids, {"res_id": 1}
            )
        Entry._flush_trail()
        self.assertEqual(self.written("gdpr.audit.entry"), before)
        self.assertTrue(entry.exists())

    # ------------------------------------------------------------------
    # who may be contacted
    # ------------------------------------------------------------------

    def test_check_contactable(self):
        Partner = self.env["res.partner"]
        marta = Partner.create({"name": "Marta", "email": "marta.c@example.pl"})
        jan = Partner.create({"name": "Jan", "email": "jan.c@example.pl"})
        Partner.create({"name": "Ana", "email": "ana.c@example.ro"})
        Consent = self.Consent.with_user(self.sales_user)
        Consent.record_consent(marta.id, "marketing_email", "given", channel="email")
        Consent.record_consent(jan.id, "marketing_email", "given", channel="email")
        Consent.withdraw_consent(jan.id, "marketing_email", channel="email")
        call = self.xmlrpc(self.internal_user)
        self.env.flush_all()
        result = call.models.execute_kw(
            self.env.cr.dbname,
            call.uid,
            self.internal_user.login,
            "gdpr.purpose",
            "check_contactable",
            ["marketing_email"],
            {"partner_ids": [marta.id, jan.id], "emails": ["ana.c@example.ro"]},
        )
        # a withdrawal leaves no consent either: every reason is listed,
        # the first one is the strongest
        jan_reasons = result["refused"][0].pop("reasons")
        self.assertEqual(jan_reasons, ["withdrawn", "blacklisted", "no_consent"])
        self.assertEqual(
            result,
            {
                "purpose_code": "marketing_email",
                "allowed": [{"partner_id": marta.id, "email": "marta.c@example.pl"}],
                "refused": [
                    {
                        "partner_id": jan.id,
                        "email": "jan.c@example.pl",
                        "reason": "withdrawn",
                    },
                    {
                        "partner_id": False,
                        "email": "ana.c@example.ro",
                        "reason": "no_consent",
                        "reasons": ["no_consent"],
                    },
                ],
            },
        )
        self.assertEqual(
            self.odoorpc(self.sales_user)
            .env["gdpr.purpose"]
            .check_contactable(
                "marketing_email", emails=["MARTA.C@example.pl", "nobody@example.ro"]
            ),
            {
                "purpose_code": "marketing_email",
                "allowed": [{"partner_id": False, "email": "marta.c@example.pl"}],
                "refused": [
                    {
                        "partner_id": False,
                        "email": "nobody@example.ro",
                        "reason": "unknown",
                        "reasons": ["unknown", "no_consent"],
                    }
                ],
            },
        )
        with self.assertFault(ACCESS_ERROR):
            self.xmlrpc(self.portal_user)(
                "gdpr.purpose", "check_contactable", "marketing_email", [marta.id]
            )
        with self.assertFault(ACCESS_ERROR):
            call(
                "gdpr.purpose",
                "check_contactable",
                "marketing_email",
                [self.foreign.id],
            )
        for args in (
            ("no_such_purpose", [marta.id]),
            ("marketing_email",),
            ("marketing_email", [999999]),
            ("marketing_email", "not a list"),
        ):
            with self.subTest(args=args), self.assertFault(WARNING):
                call("gdpr.purpose", "check_contactable", *args)

    # ------------------------------------------------------------------
    # breaches
    # ------------------------------------------------------------------

    def test_breach_over_rpc(self):
        Partner = self.env["res.partner"]
        stolen = Partner.create(
            [
                {
                    "name": f"Client {index}",
                    "email": f"client{index}@rpc-breach.example",
                }
                for index in range(2)
            ]
        )
        aware = fields.Datetime.to_string(fields.Datetime.now() - timedelta(hours=1))
        call = self.xmlrpc(self.dpo_user)
        breach = call(
            "gdpr.breach",
            "record_breach",
            "Laptop with the customer list stolen",
            aware_date=aware,
            data_category_codes=["identity", "contact"],
        )
        self.assertEqual(
            (breach["title"], breach["state"], breach["aware_date"], breach["is_late"]),
            ("Laptop with the customer list stolen", "draft", aware, False),
        )
        self.assertEqual(
            breach["deadline"],
            fields.Datetime.to_string(
                fields.Datetime.to_datetime(aware) + timedelta(hours=72)
            ),
        )
        scope = call(
            "gdpr.breach",
            "compute_scope",
            [breach["id"]],
            "partner_domain",
            [["email", "=ilike", "%@rpc-breach.example"]],
        )
        self.assertEqual(
            (scope["subject_count"], sorted(scope["partner_ids"])),
            (2, sorted(stolen.ids)),
        )
        self.assertIn(
            breach["id"], [row["id"] for row in call("gdpr.breach", "list_open")]
        )

        count = self.written("gdpr.breach")
        sales = self.xmlrpc(self.sales_user)
        with self.assertFault(ACCESS_ERROR):
            sales("gdpr.breach", "record_breach", "Forged")
        with self.assertFault(ACCESS_ERROR):
            sales("gdpr.breach", "list_open")
        with self.assertFault(WARNING):
            call("gdpr.breach", "record_breach", "Late", aware_date="yesterday")
        self.assertEqual(self.written("gdpr.breach"), count)
