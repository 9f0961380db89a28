import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged, users
from odoo.tools import SQL, mute_logger

from odoo.addons.mail.tests.common import MailCase

from .common import GdprUsers

PERSON = {
    "name": "Bożena Zielińska",
    "email": "bozena.zielinska@example.pl",
    "phone": "+48 601 234 567",
    "street": "ul. Polna 12",
    "iban": "PL27114020040000300201355387",
}
OTHER = {
    "name": "Mircea Dinescu",
    "email": "mircea.dinescu@example.ro",
    "phone": "+40 721 987 654",
    "street": "Strada Lipscani 45",
    "iban": "RO49AAAA1B31007593840000",
}


class ErasureCase(GdprUsers, TransactionCase, MailCase):
    """A realistic footprint of a person in a CRM, built through the ORM
    with chatter tracking on, as users leave it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_contact = cls.env["res.partner"].create(
            {"name": "Acme Logistics", "is_company": True}
        )

    def build_footprint(self, who):
        env = self.env
        partner = env["res.partner"].create(
            {
                "name": who["name"] + " Old",
                "email": who["email"],
                "phone": who["phone"],
                "street": who["street"],
                "city": "Kraków",
            }
        )
        child = env["res.partner"].create(
            {
                "name": who["name"] + " Junior",
                "parent_id": partner.id,
                "type": "contact",
            }
        )
        bank = env["res.partner.bank"].create(
            {"partner_id": partner.id, "acc_number": who["iban"]}
        )
        linked = env["crm.lead"].create(
            {
                "name": f"Offer for {who['name']}",
                "partner_id": partner.id,
                "type": "opportunity",
            }
        )
        by_email = env["crm.lead"].create(
            {
                "name": "Trade fair",
                "contact_name": who["name"],
                "email_from": who["email"],
            }
        )
        by_email_upper = env["crm.lead"].create(
            {
                "name": "Website form",
                "email_from": who["email"].upper(),
                "phone": who["phone"],
            }
        )
        # another person's lead that once held their name, and copies them
        unrelated_lead = env["crm.lead"].create(
            {
                "name": "Partnership",
                "contact_name": who["name"],
                "email_from": f"office.{who['email'].split('@')[0]}@acme.example",
                "email_cc": who["email"],
            }
        )
        self.flush_tracking()
        # renamed: the chatter tracks the old name
        partner.name = who["name"]
        unrelated_lead.contact_name = "Someone Else"
        self.flush_tracking()
        env["mail.message"].create(
            {
                "model": "res.partner",
                "res_id": self.company_contact.id,
                "message_type": "comment",
                "body": f"<p>Called {who['name']} on {who['phone'].replace(' ', '')}, "
                f"she wants the offer at {who['email']}.</p>",
                "author_id": env.user.partner_id.id,
            }
        )
        written = self.company_contact.message_post(
            body="<p>Please send the pallets next week.</p>",
            author_id=partner.id,
            email_from=f'"{who["name"]}" <{who["email"]}>',
            message_type="email",
        )
        env["ir.attachment"].create(
            {
                "name": "contact.txt",
                "res_model": "crm.lead",
                "res_id": linked.id,
                "raw": f"Contact: {who['email']}\nIBAN {who['iban']}\n".encode(),
                "mimetype": "text/plain",
            }
        )
        env["mail.mail"].create(
            {
                "email_to": who["email"],
                "subject": "Your offer",
                "body_html": f"<p>Dear {who['name']},</p>",
                "state": "outgoing",
            }
        )
        event = env["calendar.event"].create(
            {
                "name": f"Meeting with {who['name']}",
                "start": fields.Datetime.now() + timedelta(days=3),
                "stop": fields.Datetime.now() + timedelta(days=3, hours=1),
                "partner_ids": [
                    fields.Command.set([partner.id, self.env.user.partner_id.id])
                ],
            }
        )
        marketing = env.ref("crm_gdpr.purpose_marketing_email")
        env["gdpr.consent"].record_consent(partner.id, "marketing_email", "given")
        env["gdpr.consent"].withdraw_consent(partner.id, marketing.code)
        self.flush_tracking()
        return {
            "partner": partner,
            "child": child,
            "bank": bank,
            "leads": linked | by_email | by_email_upper,
            "unrelated_lead": unrelated_lead,
            "written": written,
            "event": event,
        }

    def traces(self, who):
        """Every text column of every table holding one of the person's
        identifiers: ``[(table, column, count)]``."""
        self.flush_tracking()
        cr = self.env.cr
        cr.execute(
            """SELECT c.table_name, c.column_name
                 FROM information_schema.columns c
                 JOIN information_schema.tables t
                   ON t.table_name = c.table_name AND t.table_schema = c.table_schema
                WHERE c.table_schema = current_schema()
                  AND t.table_type = 'BASE TABLE'
                  AND c.data_type IN
                      ('character varying', 'text', 'jsonb', 'character')"""
        )
        columns = cr.fetchall()
        needles = [who["name"], who["email"], who["street"], who["iban"]]
        patterns = ["%" + needle + "%" for needle in needles]
        digits = re.sub(r"\D", "", who["phone"])[-9:]
        found = []
        for table, column in columns:
            cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM %s WHERE %s::text ILIKE ANY(%s) "
                    "OR regexp_replace(%s::text, '\\D', '', 'g') LIKE %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    patterns,
                    SQL.identifier(column),
                    f"%{digits}%",
                )
            )
            count = cr.fetchone()[0]
            if count:
                found.append((table, column, count))
        return found


@tagged("post_install", "-at_install")
class TestErasureLeavesNoTrace(ErasureCase):
    def test_erasure_leaves_no_trace_and_spares_the_other_person(self):
        mine = self.build_footprint(PERSON)
        theirs = self.build_footprint(OTHER)
        before = self.traces(OTHER)
        self.assertTrue(self.traces(PERSON), "the footprint is found before erasure")

        wizard = (
            self.env["gdpr.erasure.wizard"]
            .with_user(self.dpo_user)
            .with_context(active_model="res.partner", active_ids=mine["partner"].ids)
            .create({"request_ref": "DSR-2026-001"})
        )
        wizard.action_preview()
        preview = {(line.model, line.action) for line in wizard.line_ids}
        for place in [
            ("res.partner", "anonymise"),
            ("res.partner.bank", "delete"),
            ("crm.lead", "anonymise"),
            ("crm.lead", "scrub"),
            ("mail.message", "delete"),
            ("mail.message", "scrub"),
            ("mail.tracking.value", "scrub"),
            ("ir.attachment", "delete"),
            ("mail.mail", "delete"),
            ("calendar.attendee", "delete"),
            ("calendar.event", "scrub"),
            ("gdpr.consent", "delete"),
            ("mail.blacklist", "delete"),
            ("res.partner", "destroy_key"),
        ]:
            self.assertIn(place, preview)
        self.assertEqual(
            {line.res_id for line in wizard.line_ids if line.model == "crm.lead"},
            set(mine["leads"].ids) | {mine["unrelated_lead"].id},
        )
        wizard.action_erase()

        self.assertEqual(self.traces(PERSON), [])
        self.assertEqual(self.traces(OTHER), before, "the other person is untouched")
        self.assertEqual(wizard.state, "done")
        self.assertFalse(wizard.line_ids)

        partner = mine["partner"].with_context(active_test=False)
        self.assertFalse(partner.active)
        self.assertTrue(partner.gdpr_erased_date)
        self.assertEqual(partner.name, "Anonymised")
        self.assertFalse(mine["bank"].exists())
        self.assertEqual(len(mine["leads"].exists()), 3, "leads are kept, anonymised")
        self.assertFalse(mine["event"].partner_ids & partner)
        self.assertIn("[erased]", mine["event"].name)
        self.assertIn("[erased]", str(mine["written"].body))
        # the other person keeps everything
        self.assertEqual(theirs["partner"].email, OTHER["email"])
        self.assertTrue(theirs["bank"].exists())
        self.assertEqual(len(theirs["leads"].exists()), 3)
        self.assertTrue(theirs["partner"].message_ids)
        self.assertTrue(
            self.env["mail.blacklist"]
            .with_context(active_test=False)
            .search([("email", "=", OTHER["email"])])
        )

        log = wizard.log_ids
        self.assertEqual(len(log), 1)
        self.assertEqual(log.request_ref, "DSR-2026-001")
        self.assertEqual(log.user_id, self.dpo_user)
        counts = log._counts()
        self.assertEqual(counts["res.partner"]["anonymise"], 2)
        self.assertEqual(counts["crm.lead"]["anonymise"], 3)
        self.assertEqual(counts["res.partner.bank"]["delete"], 1)
        # the two contacts, and the two leads linked only by e-mail
        self.assertEqual(counts["gdpr.subject.key"]["destroy_key"], 4)
        self.assertEqual(len(log.identifier_hashes.splitlines()), 2)
        self.assertTrue(
            self.env["gdpr.audit.entry"]
            .with_user(self.dpo_user)
            .verify_chain()["valid"]
        )
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "crm_gdpr.action_report_gdpr_erasure_certificate", log.ids
        )
        self.assertIn("DSR-2026-001", html.decode())
        self.assertNotIn(PERSON["email"], html.decode())


@tagged("post_install", "-at_install")
class TestErasure(ErasureCase):
    def setUp(self):
        super().setUp()
        self.Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)

    def test_person_known_only_by_email(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Fair",
                "contact_name": PERSON["name"],
                "email_from": PERSON["email"],
            }
        )
        (preview,) = self.Erasure.preview(identifiers=[{"email": PERSON["email"]}])
        self.assertEqual(preview["status"], "to_erase")
        self.assertIn(
            {
                "model": "crm.lead",
                "res_id": lead.id,
                "action": "anonymise",
                "reason": "Personal-data map",
            },
            preview["places"],
        )
        (result,) = self.Erasure.erase(identifiers=[{"email": PERSON["email"]}])
        self.assertEqual(result["status"], "erased")
        self.assertTrue(result["certificate"].startswith("ERA/"))
        self.assertEqual(result["counts"]["crm.lead"], {"anonymise": 1})
        self.assertFalse(lead.email_from)
        self.assertFalse(lead.contact_name)

    def test_wizard_from_the_privacy_menu_by_email(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Fair",
                "contact_name": PERSON["name"],
                "email_from": PERSON["email"],
            }
        )
        wizard = (
            self.env["gdpr.erasure.wizard"]
            .with_user(self.dpo_user)
            .create({"email": PERSON["email"], "name": PERSON["name"]})
        )
        wizard.action_preview()
        self.assertIn(
            lead.id,
            wizard.line_ids.filtered(lambda line: line.model == "crm.lead").mapped(
                "res_id"
            ),
        )
        wizard.action_erase()
        self.assertIn("Person 1: erased", wizard.summary)
        self.assertFalse(
            wizard.email or wizard.name, "the wizard forgets who it erased"
        )
        self.assertFalse(lead.contact_name)
        self.assertEqual(wizard.action_close()["tag"], "soft_reload")

    def test_erasing_again_does_nothing(self):
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        self.Erasure.erase(partner_ids=partner.ids)
        logs = self.env["gdpr.erasure.log"].search_count([])
        (again,) = self.Erasure.erase(partner_ids=partner.ids)
        self.assertEqual(again["status"], "already_erased")
        (by_email,) = self.Erasure.erase(identifiers=[{"email": PERSON["email"]}])
        self.assertEqual(by_email["status"], "already_erased")
        (unknown,) = self.Erasure.erase(identifiers=[{"email": "nobody@example.com"}])
        self.assertEqual(unknown["status"], "not_found")
        self.assertEqual(self.env["gdpr.erasure.log"].search_count([]), logs)

    def test_bulk_erasure(self):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Bulk Person {i}", "email": f"bulk{i}@example.com"}
                for i in range(3)
            ]
        )
        results = self.Erasure.erase(partner_ids=partners.ids, request_ref="Batch 7")
        self.assertEqual([r["status"] for r in results], ["erased"] * 3)
        self.assertEqual(len({r["certificate"] for r in results}), 3)
        partners.invalidate_recordset()
        self.assertEqual(
            partners.with_context(active_test=False).mapped("email"),
            [False, False, False],
        )

    def test_suppression_warns_then_blocks(self):
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        self.Erasure.erase(partner_ids=partner.ids)
        again = self.env["res.partner"].create(
            {"name": "Back", "email": PERSON["email"].upper()}
        )
        self.assertIn(
            "asked for their data to be erased", again.gdpr_suppression_warning
        )
        lead = self.env["crm.lead"].new({"name": "x", "phone": "601-234-567"})
        self.assertFalse(lead.gdpr_suppression_warning, "no phone was known")
        self.env["ir.config_parameter"].set_param("crm_gdpr.suppression_mode", "block")
        count = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(UserError, "erased at their request"):
            self.env["res.partner"].create({"name": "Again", "email": PERSON["email"]})
        with self.assertRaises(UserError):
            self.env["crm.lead"].create(
                {"name": "Again", "email_from": PERSON["email"]}
            )
        result = self.env["res.partner"].load(
            ["name", "email"], [["Imported", PERSON["email"]]]
        )
        self.assertFalse(result["ids"])
        self.assertIn("erased at their request", result["messages"][0]["message"])
        self.assertEqual(self.env["res.partner"].search_count([]), count)
        self.env["res.partner"].create(
            {"name": "Someone new", "email": "new@example.com"}
        )

    def test_suppression_hashes_hold_no_address(self):
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"], "phone": PERSON["phone"]}
        )
        self.Erasure.erase(partner_ids=partner.ids)
        entries = self.env["gdpr.suppression"].search([])
        self.assertEqual(set(entries.mapped("kind")), {"email", "phone"})
        for entry in entries:
            self.assertRegex(entry.identifier_hash, r"^[0-9a-f]{64}$")

    def test_legal_hold_from_the_map(self):
        """A model the DPO marks as kept for legal reasons keeps its records
        and the data the map keeps, with the reason in the preview."""
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        reason = "Attendance lists kept for 5 years (Art. 17(3)(e))."
        self.env["gdpr.field"].create(
            {
                "model": "calendar.attendee",
                "field_name": "common_name",
                "category_id": self.env.ref("crm_gdpr.data_category_identity").id,
                "erasure_method": "keep",
                "legal_hold_reason": reason,
            }
        )
        event = self.env["calendar.event"].create(
            {
                "name": "Board meeting",
                "start": fields.Datetime.now(),
                "stop": fields.Datetime.now() + timedelta(hours=1),
                "partner_ids": [fields.Command.set(partner.ids)],
            }
        )
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == partner)
        (preview,) = self.Erasure.preview(partner_ids=partner.ids)
        kept = [p for p in preview["places"] if p["action"] == "keep"]
        self.assertEqual(
            kept,
            [
                {
                    "model": "calendar.attendee",
                    "res_id": attendee.id,
                    "action": "keep",
                    "reason": reason,
                }
            ],
        )
        self.Erasure.erase(partner_ids=partner.ids)
        self.assertTrue(attendee.exists())

    def test_field_kept_for_a_legal_reason(self):
        self.env.ref("crm_gdpr.map_res_partner_vat").write(
            {"erasure_method": "keep", "legal_hold_reason": "Invoices (VAT Art. 106e)."}
        )
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"], "vat": "PL5260250274"}
        )
        (preview,) = self.Erasure.preview(partner_ids=partner.ids)
        (place,) = [
            p
            for p in preview["places"]
            if p["model"] == "res.partner" and p["action"] == "anonymise"
        ]
        self.assertIn("Tax ID kept: Invoices (VAT Art. 106e).", place["reason"])
        self.Erasure.erase(partner_ids=partner.ids)
        self.assertEqual(partner.vat, "PL5260250274")
        self.assertFalse(partner.email)

    def test_failure_rolls_everything_back(self):
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        self.env["crm.lead"].create({"name": "Offer", "partner_id": partner.id})

        def fail(*args, **kwargs):
            raise RuntimeError("disk full")

        self.patch(type(self.env["gdpr.erasure"]), "_destroy_keys", fail)
        with mute_logger("odoo.addons.crm_gdpr.models.gdpr_erasure_engine"):
            with self.assertRaisesRegex(
                UserError, "while erasing the audit trail values: disk full"
            ):
                with self.env.cr.savepoint():
                    self.Erasure.erase(partner_ids=partner.ids)
        partner.invalidate_recordset()
        self.assertEqual(partner.email, PERSON["email"])
        self.assertTrue(partner.active)
        self.assertFalse(self.env["gdpr.erasure.log"].search([]))
        self.assertFalse(self.env["gdpr.suppression"].search([]))

    def test_certificate_sent_before_the_address_goes(self):
        self.env.company.email = "privacy@acme.example"
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        with self.mock_mail_gateway():
            self.Erasure.erase(partner_ids=partner.ids, send_certificate=True)
        self.assertEqual(len(self._mails), 1)
        log = self.env["gdpr.erasure.log"].search([], limit=1)
        sent = self.assertSentEmail(
            self.env.company.email_formatted,
            [PERSON["email"]],
            subject=f"Your personal data was erased ({log.name})",
            attachments_info=[
                {"name": log.name.replace("/", "-") + ".pdf", "type": "application/pdf"}
            ],
        )
        # tests render reports as HTML, without wkhtmltopdf
        self.assertIn(log.name, sent["attachments"][0][1].decode())
        self.assertEqual(self.send_email_mocked.call_count, 1)
        self.assertFalse(
            self.env["mail.mail"].search([("email_to", "ilike", PERSON["email"])])
        )

    def test_bad_input_and_rights(self):
        partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        for kwargs, error in [
            ({}, ValidationError),
            ({"partner_ids": [999999]}, MissingError),
            ({"partner_ids": "1"}, ValidationError),
            ({"identifiers": [{"name": "Only a name"}]}, ValidationError),
            ({"identifiers": [{"email": "not an address"}]}, ValidationError),
            ({"identifiers": [{"phone": "12"}]}, ValidationError),
            ({"partner_ids": self.dpo_user.partner_id.ids}, UserError),
        ]:
            with self.subTest(kwargs=kwargs), self.assertRaises(error):
                self.Erasure.erase(**kwargs)
        self.assertEqual(partner.email, PERSON["email"])
        self.assertFalse(self.env["gdpr.erasure.log"].search([]))

    @users(
        "gdpr_sales",
        "gdpr_sales_manager",
        "gdpr_sensitive",
        "gdpr_export",
        "gdpr_intake",
        "gdpr_internal",
    )
    def test_only_the_dpo_erases(self):
        partner = (
            self.env["res.partner"]
            .sudo()
            .create({"name": PERSON["name"], "email": PERSON["email"]})
        )
        with self.assertRaises(AccessError):
            self.env["gdpr.erasure"].erase(partner_ids=partner.ids)
        with self.assertRaises(AccessError):
            self.env["gdpr.erasure"].preview(partner_ids=partner.ids)
        with self.assertRaises(AccessError):
            self.env["gdpr.erasure"].erase(identifiers=[{"email": PERSON["email"]}])
        with self.assertRaises(AccessError):
            self.env["gdpr.erasure.wizard"].create({})
        with self.assertRaises(AccessError):
            self.env["gdpr.erasure.log"].search([])
        partner.invalidate_recordset()
        self.assertEqual(partner.email, PERSON["email"])
        self.assertTrue(partner.active)
        self.assertFalse(self.env["gdpr.erasure.log"].sudo().search([]))
        self.assertFalse(self.env["gdpr.suppression"].sudo().search([]))
