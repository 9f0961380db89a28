import json
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MailCase

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestRequestRegister(GdprCase, MailCase):
    def request(self, **values):
        return self.env["gdpr.request"].create(
            {"request_type": "access", "partner_id": self.partner.id, **values}
        )

    def test_deadline_one_month_with_month_ends(self):
        for received, deadline in [
            (date(2026, 3, 10), date(2026, 4, 10)),
            (date(2026, 1, 31), date(2026, 2, 28)),
            (date(2028, 1, 31), date(2028, 2, 29)),
            (date(2026, 12, 15), date(2027, 1, 15)),
        ]:
            self.assertEqual(self.request(received_date=received).deadline, deadline)

    def test_extension_needs_a_reason_and_stops_at_two_months(self):
        request = self.request(received_date=date(2026, 1, 31))
        request.write(
            {"extension_months": 2, "extension_reason": "Many requests at once."}
        )
        self.assertEqual(request.deadline, date(2026, 4, 30))
        count = self.env["gdpr.request"].search_count([])
        # as over RPC, a refused call rolls its transaction back
        with (
            self.assertRaisesRegex(ValidationError, "Say why"),
            self.env.cr.savepoint(),
        ):
            self.request(extension_months=1)
        with (
            self.assertRaisesRegex(ValidationError, "two months at most"),
            self.env.cr.savepoint(),
        ):
            request.write({"extension_months": 3})
        self.assertEqual(self.env["gdpr.request"].search_count([]), count)
        request.invalidate_recordset()
        self.assertEqual(request.extension_months, 2)

    def test_reminder_follows_the_deadline_and_closes(self):
        today = fields.Date.context_today(self.env["gdpr.request"])
        request = self.request(received_date=today, user_id=self.dpo_user.id)
        (activity,) = request.activity_ids
        self.assertEqual(activity.user_id, self.dpo_user)
        self.assertEqual(activity.date_deadline, request.deadline - timedelta(days=7))
        request.write({"extension_months": 1, "extension_reason": "Complex request."})
        self.assertEqual(activity.date_deadline, request.deadline - timedelta(days=7))
        request.action_start()
        request.action_done()
        self.assertFalse(request.activity_ids)
        self.assertEqual(request.answer_date, today)

    def test_overdue_at_a_glance(self):
        today = fields.Date.context_today(self.env["gdpr.request"])
        late = self.request(received_date=today - timedelta(days=40))
        on_time = self.request(received_date=today)
        self.assertTrue(late.is_overdue)
        self.assertFalse(on_time.is_overdue)
        overdue = self.env["gdpr.request"].search([("is_overdue", "=", True)])
        self.assertIn(late, overdue)
        self.assertNotIn(on_time, overdue)
        self.assertIn(
            late.id, [r["id"] for r in self.env["gdpr.request"].list_overdue()]
        )
        # the reminder is late too: it shows in the activity counter
        self.assertEqual(late.activity_ids.state, "overdue")
        late.action_start()
        late.action_done()
        self.assertFalse(late.is_overdue)

    def test_refusal_needs_a_reason(self):
        request = self.request()
        with self.assertRaisesRegex(UserError, "reason for the refusal"):
            request.action_refuse()
        request.refusal_reason = "Manifestly unfounded (Art. 12(5))."
        request.action_refuse()
        self.assertEqual(request.state, "refused")

    def test_state_changes_are_tracked(self):
        request = self.request().with_context(tracking_disable=False)
        self.flush_tracking()
        request.action_start()
        self.flush_tracking()
        tracked = request.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("state", tracked)

    def test_submit_over_the_api_refuses_bad_input(self):
        Request = self.env["gdpr.request"].with_user(self.sales_user)
        count = self.env["gdpr.request"].search_count([])
        for kwargs, error in [
            (
                {"request_type": "gossip", "partner_id": self.partner.id},
                ValidationError,
            ),
            ({"request_type": "access"}, ValidationError),
            ({"request_type": "access", "partner_id": 999999}, MissingError),
            ({"request_type": "access", "partner_id": "7"}, ValidationError),
            ({"request_type": "access", "email": "not-an-address"}, ValidationError),
            (
                {"request_type": "access", "name": "X", "received_date": "31/12/2026"},
                ValidationError,
            ),
            (
                {"request_type": "access", "name": "X", "channel": "fax"},
                ValidationError,
            ),
        ]:
            with self.subTest(kwargs=kwargs), self.assertRaises(error):
                Request.submit_request(**kwargs)
        self.assertEqual(self.env["gdpr.request"].search_count([]), count)
        result = Request.submit_request(
            request_type="erasure",
            name="Petr Dvořák",
            email="petr@example.cz",
            received_date="2026-11-02",
        )
        self.assertEqual(result["deadline"], "2026-12-02")
        self.assertEqual(result["state"], "new")
        self.assertTrue(result["name"].startswith("DSR/"))

    def test_staff_see_their_requests_the_dpo_all(self):
        mine = (
            self.env["gdpr.request"]
            .with_user(self.sales_user)
            .create({"request_type": "access", "requester_name": "Walk-in customer"})
        )
        other = self.request(user_id=self.dpo_user.id)
        Request = self.env["gdpr.request"].with_user(self.sales_user)
        self.assertEqual(Request.search([("id", "in", (mine | other).ids)]), mine)
        with self.assertRaises(AccessError):
            other.with_user(self.sales_user).read(["name"])
        with self.assertRaises(AccessError):
            mine.with_user(self.sales_user).unlink()
        DpoRequest = self.env["gdpr.request"].with_user(self.dpo_user)
        self.assertEqual(
            DpoRequest.search([("id", "in", (mine | other).ids)]), mine | other
        )

    def test_erasure_request_opens_the_wizard(self):
        request = self.env["gdpr.request"].create(
            {
                "request_type": "erasure",
                "requester_name": "Petr Dvořák",
                "requester_email": "petr@example.cz",
            }
        )
        action = request.with_user(self.dpo_user).action_open_erasure()
        self.assertEqual(action["res_model"], "gdpr.erasure.wizard")
        self.assertEqual(action["context"]["default_email"], "petr@example.cz")
        self.assertEqual(action["context"]["default_request_ref"], request.name)


@tagged("post_install", "-at_install")
class TestSubjectExport(GdprCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.partner.write(
            {
                "phone": "+48 600 111 222",
                "mobile": "+48 600 111 333",
                "street": "ul. Długa 5",
                "city": "Gdańsk",
                "zip": "80-001",
                "function": "Buyer",
                "website": "https://kowalski.example.pl",
                "comment": "<p>Prefers phone calls.</p>",
            }
        )
        cls.child = env["res.partner"].create(
            {
                "name": "Jan Kowalski Jr",
                "parent_id": cls.partner.id,
                "email": "jr@example.pl",
            }
        )
        cls.bank = env["res.partner.bank"].create(
            {"partner_id": cls.partner.id, "acc_number": "PL61109010140000071219812874"}
        )
        cls.leads = env["crm.lead"].create(
            [
                {"name": "Offer", "partner_id": cls.partner.id},
                {"name": "Fair", "email_from": "jan.kowalski@example.pl"},
                {
                    "name": "Form",
                    "email_from": "jr@example.pl",
                    "phone": "+48 600 999 888",
                },
            ]
        )
        cls.other = env["res.partner"].create(
            {
                "name": "Ana Ionescu",
                "email": "ana@example.ro",
                "phone": "+40 21 999 0000",
            }
        )
        env["crm.lead"].create({"name": "Ana's deal", "partner_id": cls.other.id})
        env["gdpr.consent"].record_consent(cls.partner.id, "marketing_email", "given")
        cls.objection = env["gdpr.objection"].create(
            {
                "partner_id": cls.partner.id,
                "purpose_id": env.ref("crm_gdpr.purpose_prospecting").id,
            }
        )
        for n in range(5):
            env["mail.message"].create(
                {
                    "model": "res.partner",
                    "res_id": cls.other.id,
                    "body": f"<p>Message {n} from Jan</p>",
                    "author_id": cls.partner.id,
                    "message_type": "comment",
                }
            )
        cls.request = env["gdpr.request"].create(
            {"request_type": "access", "partner_id": cls.partner.id}
        )

    def test_package_has_every_mapped_field_and_nobody_else(self):
        data = (
            self.env["gdpr.subject.export"]
            .with_user(self.dpo_user)
            .export_person(self.partner.id)
        )
        self.assertEqual(data["format"], "crm_gdpr.subject_export/1")
        for model, records in [
            ("res.partner", self.partner | self.child),
            ("res.partner.bank", self.bank),
            ("crm.lead", self.leads),
        ]:
            rows = {row["id"]: row for row in data["records"][model]}
            self.assertEqual(set(rows), set(records.ids), model)
            mapped = self.env["gdpr.subject.export"]._mapped_fields(model)
            self.assertTrue(mapped)
            for record in records:
                self.assertEqual(set(rows[record.id]) - {"id"}, set(mapped), model)
        partner_row = next(
            r for r in data["records"]["res.partner"] if r["id"] == self.partner.id
        )
        self.assertEqual(partner_row["email"], "jan.kowalski@example.pl")
        self.assertEqual(partner_row["street"], "ul. Długa 5")
        bank_row = data["records"]["res.partner.bank"][0]
        self.assertEqual(bank_row["acc_number"], "PL61109010140000071219812874")
        self.assertEqual([c["purpose"] for c in data["consents"]], ["marketing_email"])
        self.assertTrue(data["consents"][0]["history"])
        self.assertEqual([o["purpose"] for o in data["objections"]], ["prospecting"])
        self.assertEqual(len(data["messages"]), 5)
        self.assertEqual([r["id"] for r in data["requests"]], self.request.ids)
        processing = {p["purpose"] for p in data["processing"]}
        self.assertIn("customer_relationship", processing)
        self.assertIn("marketing_email", processing)
        self.assertNotIn("prospecting", processing, "objected to")
        text = json.dumps(data, ensure_ascii=False)
        for foreign in ("Ana Ionescu", "ana@example.ro", "999 0000", "Ana's deal"):
            self.assertNotIn(foreign, text)

    def test_export_attached_to_the_request_and_logged(self):
        self.env["gdpr.audit.entry"]._flush_trail()
        action = self.request.with_user(self.dpo_user).action_export()
        json_file, html_file = self.request.export_attachment_ids
        self.assertIn(str(json_file.id), action["url"])
        self.assertEqual(
            json.loads(json_file.raw)["subject"]["partner_id"], self.partner.id
        )
        html = html_file.raw.decode()
        self.assertIn("ul. Długa 5", html)
        self.assertIn("Why we process it", html)
        self.env["gdpr.audit.entry"]._flush_trail()
        logged = self.env["gdpr.audit.entry"].search(
            [("operation", "=", "export")], limit=1
        )
        self.assertEqual(logged.user_id, self.dpo_user)
        self.assertIn(self.partner.id, [int(i) for i in logged.res_ids.split(",")])

    def test_export_for_the_dpo_only(self):
        for user in (self.sales_user, self.sensitive_user, self.export_user):
            with self.assertRaises(AccessError):
                self.env["gdpr.subject.export"].with_user(user).export_person(
                    self.partner.id
                )
        Export = self.env["gdpr.subject.export"].with_user(self.dpo_user)
        with self.assertRaises(MissingError):
            Export.export_person(999999)
        with self.assertRaises(ValidationError):
            Export.export_person("7")


@tagged("post_install", "-at_install")
class TestRestrictionAndObjection(GdprCase):
    def test_restriction_blocks_edits_and_marketing(self):
        lead = self.env["crm.lead"].create(
            {"name": "Offer", "partner_id": self.partner.id}
        )
        self.partner.with_user(self.dpo_user).gdpr_set_restriction(
            True, "Accuracy contested."
        )
        self.assertTrue(self.partner.gdpr_restricted)
        self.assertTrue(self.is_blacklisted("jan.kowalski@example.pl"))
        with self.assertRaisesRegex(AccessError, "restricted"):
            self.partner.with_user(self.sales_user).write({"email": "new@example.pl"})
        with self.assertRaises(AccessError):
            lead.with_user(self.sales_user).write({"phone": "+48 1"})
        self.assertEqual(self.partner.email, "jan.kowalski@example.pl")
        self.assertFalse(lead.phone)
        # other fields and other contacts are not blocked
        self.partner.with_user(self.sales_user).write({"ref": "C-1"})
        with self.assertRaises(AccessError):
            self.partner.with_user(self.sales_user).gdpr_set_restriction(False)
        with self.assertRaises(AccessError):
            self.partner.with_user(self.sales_user).write({"gdpr_restricted": False})
        self.partner.with_user(self.dpo_user).write({"phone": "+48 22 1"})
        self.partner.with_user(self.dpo_user).gdpr_set_restriction(False)
        self.assertFalse(self.partner.gdpr_restricted)
        self.assertFalse(self.is_blacklisted("jan.kowalski@example.pl"))
        with self.assertRaises(ValidationError):
            self.partner.with_user(self.dpo_user).gdpr_set_restriction(True)

    def test_lifting_keeps_a_blacklist_it_did_not_add(self):
        self.env["mail.blacklist"]._add("jan.kowalski@example.pl")
        self.partner.with_user(self.dpo_user).gdpr_set_restriction(
            True, "Unlawful processing."
        )
        self.partner.with_user(self.dpo_user).gdpr_set_restriction(False)
        self.assertTrue(self.is_blacklisted("jan.kowalski@example.pl"))

    def test_objection_stops_marketing_and_the_purpose(self):
        self.Consent.record_consent(self.partner.id, "marketing_email", "given")
        self.assertIn(self.marketing, self.partner.gdpr_purpose_ids)
        result = (
            self.env["gdpr.objection"]
            .with_user(self.sales_user)
            .record_objection(self.partner.id, "marketing_email", channel="phone")
        )
        self.assertEqual(result["purpose_code"], "marketing_email")
        self.assertTrue(self.is_blacklisted("jan.kowalski@example.pl"))
        self.partner.invalidate_recordset(["gdpr_purpose_ids"])
        self.assertNotIn(self.marketing, self.partner.gdpr_purpose_ids)
        prospecting = self.env.ref("crm_gdpr.purpose_prospecting")
        self.env["gdpr.objection"].record_objection(self.partner.id, "prospecting")
        self.partner.invalidate_recordset(["gdpr_purpose_ids"])
        self.assertNotIn(prospecting, self.partner.gdpr_purpose_ids)

    def test_objection_only_where_the_law_allows_it(self):
        count = self.env["gdpr.objection"].search_count([])
        with self.assertRaisesRegex(ValidationError, "Art. 21"):
            self.env["gdpr.objection"].record_objection(
                self.partner.id, "customer_relationship"
            )
        with self.assertRaises(ValidationError):
            self.env["gdpr.objection"].record_objection(
                self.partner.id, "no_such_purpose"
            )
        with self.assertRaises(MissingError):
            self.env["gdpr.objection"].record_objection(999999, "marketing_email")
        self.assertEqual(self.env["gdpr.objection"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestRequestErasure(GdprCase):
    def test_erasure_anonymises_the_request_and_drops_the_package(self):
        request = self.env["gdpr.request"].create(
            {
                "request_type": "access",
                "partner_id": self.partner.id,
                "requester_email": "jan.kowalski@example.pl",
                "description": "Jan Kowalski wants his data.",
            }
        )
        request.with_user(self.dpo_user).action_export()
        self.env["gdpr.erasure"].with_user(self.dpo_user).erase(
            partner_ids=self.partner.ids
        )
        self.assertTrue(request.exists())
        self.assertFalse(request.requester_email)
        self.assertFalse(request.description)
        self.assertFalse(request.export_attachment_ids.exists())
