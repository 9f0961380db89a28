from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.mail.tests.common import MailCase

from .common import GdprCase

DOMAIN = "breach-test.example"


class BreachCase(GdprCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Breach = cls.env["gdpr.breach"].with_user(cls.dpo_user)
        cls.dpo_contact = cls.env["res.partner"].create(
            {
                "name": "Anna Nowak (DPO)",
                "email": "dpo@company.example",
                "phone": "+48 600 100 200",
            }
        )
        cls.env.company.gdpr_dpo_partner_id = cls.dpo_contact
        cls.people = cls.env["res.partner"].create(
            [{"name": f"Person {i}", "email": f"person{i}@{DOMAIN}"} for i in range(3)]
        )

    def new_breach(self, hours_ago=1, **values):
        return self.Breach.create(
            {
                "title": "Laptop with the customer list stolen",
                "aware_date": fields.Datetime.now() - timedelta(hours=hours_ago),
                **values,
            }
        )


class TestBreachDeadline(BreachCase, MailCase):
    def test_deadline_and_countdown(self):
        breach = self.new_breach(hours_ago=10)
        self.assertEqual(breach.deadline, breach.aware_date + timedelta(hours=72))
        self.assertTrue(breach.name.startswith("BRE/"))
        self.assertAlmostEqual(breach.hours_left, 62, delta=0.1)
        self.assertFalse(breach.is_late)
        self.assertIn("left", breach.countdown)
        late = self.new_breach(hours_ago=80)
        self.assertTrue(late.is_late)
        self.assertIn("late", late.countdown)
        self.assertEqual(
            self.Breach.search([("is_late", "=", True)]) & (breach | late), late
        )
        # once notified, no more countdown
        late.write({"delay_reason": "The theft was reported on Monday."})
        late.action_notify()
        self.assertFalse(late.is_late)
        self.assertFalse(late.countdown)
        self.assertTrue(late.notified_late)

    def test_responsible_has_a_todo_until_notified(self):
        breach = self.new_breach()
        todo = self.env.ref("mail.mail_activity_data_todo")
        activity = breach.activity_ids.filtered(lambda a: a.activity_type_id == todo)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.dpo_user)
        self.assertEqual(activity.date_deadline, breach.deadline.date())
        breach.action_notify()
        self.assertFalse(
            breach.activity_ids.filtered(lambda a: a.activity_type_id == todo)
        )

    def test_late_notification_needs_reasons(self):
        breach = self.new_breach(hours_ago=100)
        with self.assertRaisesRegex(ValidationError, "reasons for the delay"):
            breach.action_notify()
        self.assertEqual(breach.state, "draft")
        self.assertFalse(breach.notified_date)
        breach.delay_reason = "The processor told us only on day 4."
        breach.action_notify()
        self.assertEqual(breach.state, "notified")

    def test_not_notified_needs_why_and_stays(self):
        breach = self.new_breach(notify_authority="not_required")
        with self.assertRaisesRegex(ValidationError, "unlikely to result in a risk"):
            breach.action_close()
        self.assertEqual(breach.state, "draft")
        breach.no_notify_reason = "The data were encrypted and the key is safe."
        breach.action_close()
        self.assertEqual(breach.state, "closed")
        # Art. 33(5): the register keeps every breach
        with self.assertRaises(AccessError):
            breach.unlink()
        with self.assertRaisesRegex(UserError, "stay in the register"):
            breach.sudo().unlink()
        self.assertTrue(breach.exists())

    def test_states_are_tracked(self):
        breach = self.Breach.with_context(tracking_disable=False).create(
            {"title": "Tracked", "aware_date": fields.Datetime.now()}
        )
        self.flush_tracking()
        breach.action_notify()
        self.flush_tracking()
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "gdpr.breach"),
                    ("mail_message_id.res_id", "=", breach.id),
                    ("field_id.name", "=", "state"),
                ]
            )
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.new_value_char, "Authority notified")

    def test_dates(self):
        with self.assertRaises(ValidationError):
            self.new_breach(hours_ago=-48)
        breach = self.new_breach(hours_ago=5)
        with self.assertRaises(ValidationError):
            breach.notified_date = breach.aware_date - timedelta(hours=1)

    def test_exception_of_art_34_3_needs_a_note(self):
        breach = self.new_breach()
        with self.assertRaisesRegex(ValidationError, "34\\(3\\)"):
            breach.communication_decision = "exception_a"
        breach.write(
            {
                "communication_decision": "exception_a",
                "communication_exception_note": "AES-256 full-disk encryption.",
            }
        )
        self.assertEqual(breach.communication_decision, "exception_a")


class TestBreachReminders(BreachCase):
    def reminders(self, breach, user):
        warning = self.env.ref("mail.mail_activity_data_warning")
        return breach.activity_ids.filtered(
            lambda a: a.activity_type_id == warning and a.user_id == user
        )

    def test_reminders(self):
        fresh = self.new_breach(hours_ago=10)
        soon = self.new_breach(hours_ago=50)
        late = self.new_breach(hours_ago=80)
        done = self.new_breach(hours_ago=80, delay_reason="Found late.")
        done.action_notify()
        self.env["gdpr.breach"]._cron_remind()
        self.assertFalse(self.reminders(fresh, self.dpo_user))
        self.assertEqual(soon.reminder_level, 1)
        self.assertIn("within 24 hours", self.reminders(soon, self.dpo_user).summary)
        self.assertEqual(late.reminder_level, 2)
        self.assertIn(
            "72 hours have passed", self.reminders(late, self.dpo_user).summary
        )
        self.assertFalse(self.reminders(done, self.dpo_user))
        self.assertFalse(self.reminders(soon, self.sales_user))
        # no second reminder at the same level
        self.env["gdpr.breach"]._cron_remind()
        self.assertEqual(len(self.reminders(soon, self.dpo_user)), 1)
        self.assertEqual(len(self.reminders(late, self.dpo_user)), 1)


class TestBreachScope(BreachCase):
    def test_scope_from_contact_domain(self):
        breach = self.new_breach()
        result = breach.compute_scope(
            "partner_domain", [("email", "=ilike", f"%@{DOMAIN}")]
        )
        self.assertEqual(result["subject_count"], 3)
        self.assertEqual(sorted(result["partner_ids"]), sorted(self.people.ids))
        self.assertEqual(breach.partner_ids, self.people)
        self.assertEqual(breach.record_count, 3)
        mapped = self.env["gdpr.field"].search([("model", "=", "res.partner")])
        self.assertTrue(mapped)
        self.assertEqual(breach.data_category_ids, mapped.category_id)
        self.assertTrue(breach.scope_computed_date)

    def test_scope_from_lead_domain(self):
        leads = self.env["crm.lead"].create(
            [
                {"name": "Lead A", "partner_id": self.people[0].id},
                {"name": "Lead B", "partner_id": self.people[0].id},
                {"name": "Lead C", "email_from": f"nobody@{DOMAIN}"},
            ]
        )
        breach = self.new_breach()
        result = breach.compute_scope("lead_domain", [("id", "in", leads.ids)])
        self.assertEqual(breach.record_count, 3)
        self.assertEqual(result["subject_count"], 2)
        self.assertEqual(breach.partner_ids, self.people[0])

    def test_scope_from_user_records(self):
        breach = self.new_breach()
        self.env["res.partner"].with_user(self.sales_user).create(
            {"name": "Created by the salesperson", "email": f"sales@{DOMAIN}"}
        )
        result = breach.compute_scope("user_records", user_id=self.sales_user.id)
        self.assertEqual(result["subject_count"], 1)
        self.assertEqual(breach.partner_ids.email, f"sales@{DOMAIN}")

    def test_bad_scope_writes_nothing(self):
        breach = self.new_breach()
        breach.compute_scope("partner_domain", [("email", "=ilike", f"%@{DOMAIN}")])
        for args in (
            ("partner_domain", "[('no_such_field', '=', 1)]"),
            ("partner_domain", "not a domain"),
            ("partner_domain", 42),
            ("whatever", []),
            ("user_records", None, 999999999),
            ("audit_range",),
        ):
            with self.assertRaises(ValidationError, msg=repr(args)):
                breach.compute_scope(*args)
            breach.invalidate_recordset()
            self.assertEqual(breach.scope_type, "partner_domain")
            self.assertEqual(breach.subject_count, 3)
            self.assertEqual(breach.partner_ids, self.people)


class TestBreachReport(BreachCase):
    def test_notification_has_every_item_of_art_33_3(self):
        categories = self.env["gdpr.data.category"].search([], limit=2)
        subjects = self.env["gdpr.subject.category"].search([], limit=1)
        self.assertTrue(categories and subjects)
        breach = self.new_breach(
            hours_ago=90,
            authority_name="UODO",
            description="<p>A laptop was stolen from a car.</p>",
            breach_confidentiality=True,
            data_category_ids=[(6, 0, categories.ids)],
            subject_category_ids=[(6, 0, subjects.ids)],
            subject_count=1234,
            record_count=5678,
            consequences="Phishing e-mails to the customers.",
            measures_taken="Passwords reset, laptop wiped remotely.",
            measures_proposed="Full-disk encryption on every laptop.",
            delay_reason="The theft was reported four days later.",
        )
        breach.action_notify()
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "crm_gdpr.action_report_gdpr_breach_notification", breach.ids
        )
        html = html.decode()
        for text in (
            breach.name,
            "UODO",
            "A laptop was stolen from a car.",
            "Confidentiality",
            *categories.mapped("name"),
            *subjects.mapped("name"),
            "Anna Nowak (DPO)",
            "dpo@company.example",
            "Phishing e-mails to the customers.",
            "Passwords reset, laptop wiped remotely.",
            "Full-disk encryption on every laptop.",
            "The theft was reported four days later.",
            "33(3)(a)",
            "33(3)(b)",
            "33(3)(c)",
            "33(3)(d)",
        ):
            self.assertIn(text, html)
        # the numbers, formatted in the company's language
        self.assertRegex(html, r"1\W?234")
        self.assertRegex(html, r"5\W?678")


class TestBreachCommunication(BreachCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.people[0].lang = "pl_PL"
        cls.erased = cls.env["res.partner"].create(
            {"name": "Erased", "email": f"erased@{DOMAIN}"}
        )
        cls.erased.sudo().write({"gdpr_erased_date": fields.Datetime.now()})
        cls.suppressed = cls.env["res.partner"].create(
            {"name": "Suppressed", "email": f"suppressed@{DOMAIN}"}
        )
        cls.env["gdpr.suppression"]._suppress(
            [f"suppressed@{DOMAIN}"], [], cls.env["gdpr.erasure.log"]
        )
        cls.blacklisted = cls.env["res.partner"].create(
            {"name": "Blacklisted", "email": f"blacklisted@{DOMAIN}"}
        )
        cls.env["mail.blacklist"].sudo()._add(f"blacklisted@{DOMAIN}")
        cls.no_email = cls.env["res.partner"].create({"name": "No e-mail"})
        cls.env["ir.config_parameter"].sudo().set_param("crm_gdpr.breach_mail_batch", 2)

    def mails(self, communications):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "gdpr.breach.communication"),
                    ("res_id", "in", communications.ids),
                ]
            )
        )

    def test_batched_never_to_erased_people(self):
        everyone = (
            self.people
            | self.erased
            | self.suppressed
            | self.blacklisted
            | self.no_email
        )
        breach = self.new_breach(
            partner_ids=[(6, 0, everyone.ids)],
            communication_decision="required",
            subject_message="<p>Your name and e-mail address were on the laptop.</p>",
            consequences="You may receive phishing e-mails.",
        )
        breach.action_prepare_communications()
        communications = breach.communication_ids
        self.assertEqual(len(communications), len(everyone))
        skipped = {
            c.partner_id: c.skip_reason for c in communications if c.state == "skipped"
        }
        self.assertEqual(
            skipped,
            {
                self.erased: "erased",
                self.suppressed: "suppressed",
                self.blacklisted: "blacklisted",
                self.no_email: "no_email",
            },
        )
        # a person erased after the preparation is still not written to
        late_erased = self.people[2]
        late_erased.sudo().write({"gdpr_erased_date": fields.Datetime.now()})

        Communication = self.env["gdpr.breach.communication"]
        self.assertEqual(Communication._cron_send(), 2)
        self.assertEqual(len(communications.filtered(lambda c: c.state == "sent")), 2)
        self.assertEqual(Communication._cron_send(), 0)
        sent = communications.filtered(lambda c: c.state == "sent")
        self.assertEqual(sent.partner_id, self.people[:2])
        self.assertEqual(
            communications.filtered(lambda c: c.partner_id == late_erased).skip_reason,
            "erased",
        )
        mails = self.mails(communications)
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails.recipient_ids, self.people[:2])
        self.assertIn("phishing", mails[0].body_html)
        self.assertIn("Anna Nowak (DPO)", mails[0].body_html)
        polish = sent.filtered(lambda c: c.partner_id == self.people[0])
        self.assertEqual(polish.lang, "pl_PL")
        # preparing again adds nobody twice
        breach.action_prepare_communications()
        self.assertEqual(len(breach.communication_ids), len(everyone))

    def test_needs_decision_and_message(self):
        breach = self.new_breach(partner_ids=[(6, 0, self.people.ids)])
        with self.assertRaisesRegex(UserError, "34\\(1\\)"):
            breach.action_prepare_communications()
        breach.communication_decision = "required"
        with self.assertRaisesRegex(UserError, "34\\(2\\)"):
            breach.action_prepare_communications()
        self.assertFalse(breach.communication_ids)
