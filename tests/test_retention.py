from datetime import timedelta
from xmlrpc.client import Fault

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_WARNING

from .common import GdprCase, GdprHttpCase


@tagged("post_install", "-at_install")
class TestRetention(GdprCase):
    """Who is kept, who is due, and what happens to them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prospecting = cls.env.ref("crm_gdpr.purpose_prospecting")
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        Partner = cls.env["res.partner"]
        cls.old = Partner.create({"name": "Old Contact", "email": "old@example.com"})
        cls.recent = Partner.create(
            {"name": "Recent Contact", "email": "recent@example.com"}
        )
        cls.consenting = Partner.create(
            {"name": "Consenting", "email": "yes@example.com"}
        )
        cls.Consent.record_consent(cls.consenting.id, "marketing_email", "given")
        cls.with_lead = Partner.create({"name": "Open Lead Contact"})
        cls.env["crm.lead"].create(
            {"name": "Open deal", "partner_id": cls.with_lead.id, "type": "opportunity"}
        )
        cls.customer = Partner.create({"name": "Customer 30 months"})
        cls.old_customer = Partner.create({"name": "Customer 40 months"})
        for partner in (cls.customer, cls.old_customer):
            cls.env["crm.lead"].create(
                {"name": "Won", "partner_id": partner.id, "stage_id": cls.won_stage.id}
            )
        cls.lead_only = cls.env["crm.lead"].create(
            {
                "name": "Old fair lead",
                "type": "lead",
                "contact_name": "Fair Visitor",
                "email_from": "fair@example.com",
            }
        )
        cls.others = (
            cls.partner
            | cls.sales_user.partner_id
            | cls.sensitive_user.partner_id
            | cls.export_user.partner_id
            | cls.dpo_user.partner_id
        )
        cls.env.flush_all()
        cls.age(cls.old | cls.consenting | cls.with_lead | cls.partner, months=50)
        cls.age(cls.customer, months=30)
        cls.age(cls.old_customer, months=40)
        cls.age(cls.lead_only, months=50)

    @classmethod
    def age(cls, records, months):
        """Make the records' last activity ``months`` old, leads included."""
        when = fields.Datetime.now() - relativedelta(months=months)
        table = records._table
        cls.env.cr.execute(
            f"UPDATE {table} SET write_date = %s, create_date = %s WHERE id = ANY(%s)",  # noqa: S608
            [when, when, records.ids],
        )
        if records._name == "res.partner":
            cls.env.cr.execute(
                "UPDATE crm_lead SET write_date = %s WHERE partner_id = ANY(%s)",
                [when, records.ids],
            )
            cls.env.cr.execute(
                "UPDATE mail_message SET date = %s "
                "WHERE model = 'res.partner' AND res_id = ANY(%s)",
                [when, records.ids],
            )
        cls.env.invalidate_all()

    def review(self, dry_run=False):
        review = (
            self.env["gdpr.retention.review"]
            .with_user(self.dpo_user)
            .create({"dry_run": dry_run})
        )
        review.action_plan()
        return review

    def due(self, review):
        return {(line.res_model, line.res_id): line for line in review.line_ids}

    def run_review(self, review, batch_size=100):
        review = review.sudo()
        review.state = "running"
        remaining = None
        while remaining != 0:
            _done, remaining = review._run_batch(batch_size)
        return review

    def test_each_reason_to_keep_and_who_is_due(self):
        due = self.due(self.review())
        self.assertIn(("res.partner", self.old.id), due)
        self.assertIn(("res.partner", self.old_customer.id), due)
        self.assertIn(("crm.lead", self.lead_only.id), due)
        for kept in (self.recent, self.consenting, self.with_lead, self.customer):
            self.assertNotIn(("res.partner", kept.id), due, kept.name)
        # the purpose that ended last decides
        line = due[("res.partner", self.old.id)]
        self.assertEqual(line.purpose_id, self.prospecting)
        self.assertEqual(
            due[("res.partner", self.old_customer.id)].purpose_id,
            self.contract,
            "a customer is kept 36 months, prospects 24",
        )
        self.assertEqual(
            line.ended_on,
            (fields.Datetime.now() - relativedelta(months=50)).date()
            + relativedelta(months=24),
        )
        summary = self.review().kept_summary
        for reason in ("a consent is given", "an open lead or opportunity", "Customer"):
            self.assertIn(reason, summary)

    def test_legal_hold_keeps(self):
        self.env["gdpr.field"].create(
            {
                "model": "calendar.attendee",
                "field_name": "common_name",
                "category_id": self.env.ref("crm_gdpr.data_category_identity").id,
                "erasure_method": "keep",
                "legal_hold_reason": "Attendance lists kept 5 years.",
            }
        )
        self.env["calendar.event"].create(
            {
                "name": "Training",
                "start": fields.Datetime.now() - timedelta(days=2000),
                "stop": fields.Datetime.now() - timedelta(days=2000, hours=-1),
                "partner_ids": [fields.Command.set(self.old.ids)],
            }
        )
        self.age(self.old, months=50)
        review = self.review()
        self.assertNotIn(("res.partner", self.old.id), self.due(review))
        self.assertIn("a legal hold", review.kept_summary)

    def test_end_action_archive(self):
        self.prospecting.retention_end_action = "archive"
        review = self.run_review(self.review())
        self.assertFalse(self.old.active)
        self.assertEqual(self.old.name, "Old Contact")
        self.assertEqual(review.state, "done")

    def test_end_action_delete(self):
        self.prospecting.retention_end_action = "delete"
        self.run_review(self.review())
        self.assertFalse(self.old.exists())
        self.assertFalse(self.lead_only.exists())
        self.assertTrue(self.recent.exists())

    def test_end_action_anonymise(self):
        self.old.message_post(body="Met at the fair, old@example.com")
        self.age(self.old, months=50)
        review = self.run_review(self.review())
        self.assertFalse(review.line_ids.filtered("error").mapped("error"))
        self.assertTrue(self.old.gdpr_erased_date)
        self.assertEqual(self.old.name, "Anonymised")
        self.assertFalse(self.old.email)
        self.assertFalse(
            self.old.message_ids.filtered(lambda m: "old@example" in str(m.body))
        )
        self.assertFalse(self.lead_only.email_from)
        self.assertFalse(self.lead_only.contact_name)
        self.assertEqual(self.recent.email, "recent@example.com")
        self.assertEqual(review.done_count, review.due_count)
        # anonymised by retention, not at their request: no suppression
        self.assertFalse(self.env["gdpr.suppression"].search([]))
        self.assertTrue(
            self.env["gdpr.erasure.log"].search([("request_ref", "=", review.name)])
        )

    def test_exclusion_keeps_someone_out(self):
        review = self.review()
        line = self.due(review)[("res.partner", self.old.id)]
        action = line.with_user(self.dpo_user).action_exclude()
        self.env["gdpr.retention.exclusion"].with_user(self.dpo_user).with_context(
            **action["context"]
        ).create({"reason": "Litigation pending"})
        self.assertTrue(line.excluded)
        self.assertEqual(line.exclusion_reason, "Litigation pending")
        self.run_review(review)
        self.assertEqual(self.old.name, "Old Contact")
        self.assertTrue(self.old.active)
        # and in the next review too
        self.assertTrue(self.due(self.review())[("res.partner", self.old.id)].excluded)

    def test_dry_run_plans_the_same_and_changes_nothing(self):
        dry = self.review(dry_run=True)
        real = self.review()

        def plan(review):
            return {
                (
                    line.res_model,
                    line.res_id,
                    line.action,
                    line.purpose_id.id,
                    line.ended_on,
                )
                for line in review.line_ids
            }

        self.assertEqual(plan(dry), plan(real))
        self.assertTrue(plan(dry))
        with self.assertRaisesRegex(UserError, "dry run"):
            dry.with_user(self.dpo_user).action_run()
        self.assertEqual(self.old.name, "Old Contact")
        self.assertTrue(self.old.active)

    def test_resume_after_a_failure_in_the_middle_of_a_batch(self):
        self.prospecting.retention_end_action = "archive"
        self.contract.retention_end_action = "archive"
        review = self.review().sudo()
        review.state = "running"
        lines = review.line_ids
        self.assertGreaterEqual(len(lines), 3)
        Line = type(self.env["gdpr.retention.line"])
        original = Line._apply
        calls = []

        def crash_on_third(line):
            calls.append(line.id)
            if len(calls) == 3:
                raise RuntimeError("server killed")
            return original(line)

        self.patch(Line, "_apply", crash_on_third)
        with self.env.cr.savepoint():  # the cron commits each batch
            review._run_batch(2)
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            review._run_batch(2)
        self.assertEqual(lines[:2].mapped("state"), ["done", "done"])
        self.assertEqual(set(lines[2:].mapped("state")), {"pending"})
        third = self.env[lines[2].res_model].browse(lines[2].res_id)
        self.assertTrue(third.active, "the failed batch was rolled back")
        self.patch(Line, "_apply", original)
        self.run_review(review, batch_size=2)
        self.assertEqual(set(lines.mapped("state")), {"done"})
        self.assertEqual(review.state, "done")

    def test_cron_runs_unattended_and_mails_the_dpo(self):
        self.prospecting.retention_end_action = "archive"
        Review = self.env["gdpr.retention.review"]
        Review._cron_retention()
        self.assertFalse(Review.search([]), "off until the DPO enables it")
        self.env["ir.config_parameter"].set_param("crm_gdpr.retention_auto", "1")
        for _round in range(20):
            Review._cron_retention(batch_size=2)
            if Review.search([("state", "=", "done")]):
                break
        review = Review.search([("state", "=", "done")])
        self.assertEqual(len(review), 1)
        self.assertFalse(self.old.active)
        summary = review.message_ids[0]
        self.assertIn("done", str(summary.body))
        self.assertIn(self.dpo_user.partner_id, summary.partner_ids)

    def test_inventory_page(self):
        review = self.review()
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "crm_gdpr.action_report_gdpr_data_inventory", review.ids
        )
        html = html.decode()
        self.assertIn("Personal data inventory", html)
        self.assertIn("3 to 5 years", html)  # 50 months
        inventory = review._inventory()
        self.assertTrue(inventory["per_category"])
        self.assertIn(("res.partner", "anonymise"), dict(inventory["due"]))

    def test_only_the_dpo_reviews(self):
        for user in (self.sales_user, self.export_user):
            with self.assertRaises(AccessError):
                self.env["gdpr.retention.review"].with_user(user).create({})
        review = self.review()
        with self.assertRaises(AccessError):
            review.with_user(self.sales_user).read(["name"])


@tagged("post_install", "-at_install")
class TestMinimisation(GdprCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.entry = self.env.ref("crm_gdpr.map_res_partner_function")

    def switch_off(self):
        self.entry.with_user(self.dpo_user).collected = False

    def test_switched_off_field_disappears_and_is_refused(self):
        self.partner.function = "Buyer"
        self.switch_off()
        Partner = self.env["res.partner"].with_user(self.sales_user)
        self.assertNotIn("function", Partner.fields_get())
        arch = Partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="function"', arch)
        count = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(UserError, "does not collect Job Position"):
            Partner.create({"name": "New", "function": "CEO"})
        with self.assertRaisesRegex(UserError, "does not collect"):
            self.partner.with_user(self.sales_user).write({"function": "CEO"})
        admin = self.env.ref("base.user_admin")
        with self.assertRaisesRegex(UserError, "does not collect"):
            self.env["res.partner"].with_user(admin).create(
                {"name": "Administrator too", "function": "CEO"}
            )
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        result = (
            self.env["res.partner"]
            .with_user(admin)
            .load(["name", "function"], [["Imported", "CTO"]])
        )
        self.assertFalse(result["ids"])
        self.assertIn("does not collect", result["messages"][0]["message"])
        # empty values and other fields still work
        Partner.create({"name": "Fine", "function": False})
        self.partner.with_user(self.sales_user).write({"phone": "+48 1"})

    def test_purge_existing_values_through_the_audit_trail(self):
        self.partner.function = "Buyer"
        self.switch_off()
        held = self.entry.stored_count
        self.assertGreaterEqual(held, 1)
        Entry = self.env["gdpr.audit.entry"]
        Entry._flush_trail()
        self.entry.with_user(self.dpo_user).action_purge_values()
        self.assertFalse(self.partner.function)
        self.entry.invalidate_recordset(["stored_count"])
        self.assertEqual(self.entry.stored_count, 0)
        Entry._flush_trail()
        trail = Entry.with_user(self.dpo_user).read_trail(
            [("model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        self.assertEqual(trail[0]["changes"], {"function": ["Buyer", False]})

    def test_switching_back_on(self):
        self.switch_off()
        self.entry.with_user(self.dpo_user).collected = True
        self.partner.with_user(self.sales_user).write({"function": "CEO"})
        self.assertIn(
            "function", self.env["res.partner"].with_user(self.sales_user).fields_get()
        )

    def test_needed_fields_cannot_be_switched_off(self):
        with self.assertRaises(ValidationError):
            self.env.ref("crm_gdpr.map_res_partner_name").collected = False
        with self.assertRaises(ValidationError):
            self.env.ref("crm_gdpr.map_crm_lead_name").collected = False


@tagged("post_install", "-at_install")
class TestMinimisationRpc(GdprHttpCase):
    @mute_logger("odoo.http")
    def test_switched_off_field_refused_over_rpc(self):
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.env.ref("crm_gdpr.map_crm_lead_function").collected = False
        user = self.sales_user
        count = self.env["crm.lead"].search_count([])
        with self.assertRaises(Fault) as raised:
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                user.id,
                user.login,
                "crm.lead",
                "create",
                [{"name": "Deal", "function": "CFO"}],
            )
        self.assertEqual(
            raised.exception.faultCode,
            RPC_FAULT_CODE_WARNING,
            raised.exception.faultString,
        )
        self.assertIn("does not collect Job Position", raised.exception.faultString)
        self.assertEqual(self.env["crm.lead"].search_count([]), count)
