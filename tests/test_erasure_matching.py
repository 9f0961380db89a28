from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .test_erasure import ErasureCase

KIM = {"name": "Kim Lee", "email": "kim.lee@acme-logistics.example"}
SWITCHBOARD = "+48 12 345 67 89"


@tagged("post_install", "-at_install")
class TestErasureLookAlikes(ErasureCase):
    """Erasing one person never reaches another who looks alike: a colleague
    at the same company, the same national number in another country, a
    longer name holding the name, the company's switchboard number."""

    def setUp(self):
        super().setUp()
        self.Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        self.poland = self.env.ref("base.pl")
        self.france = self.env.ref("base.fr")
        self.company = self.env["res.partner"].create(
            {
                "name": "Acme Logistics Sp. z o.o.",
                "is_company": True,
                "email": "office@acme-logistics.example",
                "phone": SWITCHBOARD,
                "country_id": self.poland.id,
                "street": "ul. Portowa 7",
            }
        )
        self.kim = self.env["res.partner"].create(
            {
                "name": KIM["name"],
                "email": KIM["email"],
                "phone": SWITCHBOARD,
                "mobile": "+48 601 222 333",
                "parent_id": self.company.id,
                "country_id": self.poland.id,
            }
        )
        self.colleague = self.env["res.partner"].create(
            {
                "name": "Piotr Wiśniewski",
                "email": "piotr.wisniewski@acme-logistics.example",
                "phone": SWITCHBOARD,
                "parent_id": self.company.id,
                "country_id": self.poland.id,
            }
        )
        self.company_lead = self.env["crm.lead"].create(
            {
                "name": "Warehouse tender",
                "partner_id": self.company.id,
                "phone": SWITCHBOARD,
            }
        )
        self.french = self.env["res.partner"].create(
            {
                "name": "Camille Martin",
                "email": "camille.martin@example.fr",
                "mobile": "+33 6 01 22 23 33",
                "country_id": self.france.id,
            }
        )
        self.french_lead = self.env["crm.lead"].create(
            {
                "name": "Lyon office",
                "contact_name": "Camille Martin",
                "phone": "06 01 22 23 33",
                "country_id": self.france.id,
            }
        )
        self.flush_tracking()

    def note(self, record, body):
        return self.env["mail.message"].create(
            {
                "model": record._name,
                "res_id": record.id,
                "message_type": "comment",
                "body": body,
                "author_id": self.env.user.partner_id.id,
            }
        )

    def snapshot(self, *records):
        self.env.flush_all()
        self.env.invalidate_all()
        return [
            record.with_context(active_test=False).read(
                [
                    name
                    for name in ("name", "email", "phone", "mobile", "active", "body")
                    if name in record._fields
                ]
            )
            for record in records
        ]

    def test_colleague_company_and_switchboard_are_spared(self):
        switchboard_note = self.note(
            self.company, f"<p>Reception: {SWITCHBOARD}, ask for the warehouse.</p>"
        )
        kim_note = self.note(self.company, "<p>Kim Lee asked for a callback.</p>")
        spared = (
            self.company,
            self.colleague,
            self.company_lead,
            switchboard_note,
        )
        before = self.snapshot(*spared)

        (preview,) = self.Erasure.preview(partner_ids=self.kim.ids)
        erased = {(p["model"], p["res_id"]) for p in preview["places"]}
        self.assertIn(("res.partner", self.kim.id), erased)
        self.assertNotIn(("res.partner", self.company.id), erased)
        self.assertNotIn(("res.partner", self.colleague.id), erased)
        self.assertNotIn(("crm.lead", self.company_lead.id), erased)
        self.assertNotIn(("mail.message", switchboard_note.id), erased)
        self.assertIn(("mail.message", kim_note.id), erased)
        self.assertIn("+48123456789", " ".join(preview["notes"]))

        self.Erasure.erase(partner_ids=self.kim.ids)
        self.assertEqual(self.snapshot(*spared), before)
        self.assertFalse(self.kim.with_context(active_test=False).email)
        self.assertNotIn("Kim Lee", str(kim_note.body))

    def test_switchboard_number_as_identifier_reaches_no_one_else(self):
        """The DPO gives the employee's address and the company's number:
        the number belongs to the company, so it finds nothing."""
        before = self.snapshot(self.company, self.colleague, self.company_lead)
        (preview,) = self.Erasure.preview(
            identifiers=[{"email": KIM["email"], "phone": SWITCHBOARD}]
        )
        contacts = {
            p["res_id"]
            for p in preview["places"]
            if p["model"] == "res.partner" and p["action"] == "anonymise"
        }
        self.assertEqual(contacts, set(self.kim.ids))
        self.Erasure.erase(identifiers=[{"email": KIM["email"], "phone": SWITCHBOARD}])
        self.assertEqual(
            self.snapshot(self.company, self.colleague, self.company_lead), before
        )

    def test_only_the_switchboard_number_finds_no_person(self):
        (result,) = self.Erasure.erase(identifiers=[{"phone": SWITCHBOARD}])
        self.assertEqual(result["status"], "not_found")
        self.assertTrue(self.company.active)
        self.assertTrue(self.colleague.email)

    def test_company_and_user_contacts_are_never_erased_as_a_person(self):
        for partner in (
            self.company,
            self.env.company.partner_id,
            self.sales_user.partner_id,
        ):
            with self.subTest(partner=partner.name), self.assertRaises(UserError):
                self.Erasure.erase(partner_ids=partner.ids)
        self.assertTrue(self.company.active)
        self.assertTrue(self.sales_user.partner_id.email)
        self.assertFalse(self.env["gdpr.erasure.log"].search([]))

    def test_user_contact_found_by_address_is_left_out(self):
        self.sales_user.partner_id.email = "sales.rep@example.com"
        lead = self.env["crm.lead"].create(
            {"name": "Referral", "email_from": "sales.rep@example.com"}
        )
        (preview,) = self.Erasure.preview(
            identifiers=[{"email": "sales.rep@example.com"}]
        )
        self.assertEqual(preview["status"], "not_found")
        self.assertFalse(preview["places"])
        self.assertTrue(preview["notes"])
        self.Erasure.erase(identifiers=[{"email": "sales.rep@example.com"}])
        self.assertEqual(self.sales_user.partner_id.email, "sales.rep@example.com")
        self.assertEqual(lead.email_from, "sales.rep@example.com")

    def test_same_national_number_in_another_country(self):
        polish_note = self.note(
            self.company, "<p>Kim's mobile: +48 601 222 333 (after 5 pm).</p>"
        )
        french_note = self.note(
            self.french, "<p>Camille: +33 601 222 333, or 06 01 22 23 33.</p>"
        )
        before = self.snapshot(self.french, self.french_lead, french_note)
        for ident in (
            {"phone": "+48 601 222 333"},
            {"phone": "601 222 333", "country": "PL"},
        ):
            with self.subTest(ident=ident):
                (preview,) = self.Erasure.preview(identifiers=[ident])
                places = {(p["model"], p["res_id"]) for p in preview["places"]}
                self.assertIn(("res.partner", self.kim.id), places)
                self.assertIn(("mail.message", polish_note.id), places)
                self.assertNotIn(("res.partner", self.french.id), places)
                self.assertNotIn(("crm.lead", self.french_lead.id), places)
                self.assertNotIn(("mail.message", french_note.id), places)
        self.Erasure.erase(identifiers=[{"phone": "+48 601 222 333"}])
        self.assertEqual(
            self.snapshot(self.french, self.french_lead, french_note), before
        )
        self.assertNotIn("601 222 333", str(polish_note.body))
        self.assertIn("[erased]", str(polish_note.body))

    def test_digits_of_other_numbers_in_a_text_do_not_match(self):
        invoice = self.note(
            self.company,
            "<p>Invoice FV/601222/2024-333 paid; order 601-222 shipped 333 days ago."
            "</p>",
        )
        before = self.snapshot(invoice)
        (preview,) = self.Erasure.preview(identifiers=[{"phone": "+48 601 222 333"}])
        self.assertNotIn(
            ("mail.message", invoice.id),
            {(p["model"], p["res_id"]) for p in preview["places"]},
        )
        self.Erasure.erase(identifiers=[{"phone": "+48 601 222 333"}])
        self.assertEqual(self.snapshot(invoice), before)

    def test_a_longer_name_holding_the_name_is_not_matched(self):
        anna = self.env["res.partner"].create(
            {"name": "Anna Nowak", "email": "anna.nowak@example.pl"}
        )
        other = self.env["res.partner"].create(
            {"name": "Anna Nowakowska", "email": "a.nowakowska@example.pl"}
        )
        about_anna = self.note(self.company, "<p>Anna Nowak will visit.</p>")
        about_other = self.note(
            self.company, "<p>Anna Nowakowska and Anna Nowak-Kowalska called.</p>"
        )
        before = self.snapshot(other, about_other)
        (preview,) = self.Erasure.preview(partner_ids=anna.ids)
        places = {(p["model"], p["res_id"]) for p in preview["places"]}
        self.assertIn(("mail.message", about_anna.id), places)
        self.assertNotIn(("mail.message", about_other.id), places)
        self.assertNotIn(("res.partner", other.id), places)
        self.Erasure.erase(partner_ids=anna.ids)
        self.assertEqual(self.snapshot(other, about_other), before)
        self.assertEqual(str(about_anna.body), "<p>[erased] will visit.</p>")

    def test_privacy_lookup_log_of_a_look_alike_is_kept(self):
        """Odoo's privacy lookup logged the removal of another person whose
        address has the same shape: its masked address matches the
        person's, and erasing the person keeps that log."""
        zofia = self.env["res.partner"].create(
            {"name": "Zofia Benchowska", "email": "zofia.benchowska51@example.pl"}
        )
        Log = self.env["privacy.log"].sudo()
        other_log = Log.create(
            {
                "anonymized_name": "Zofia Benchowska52",
                "anonymized_email": "zofia.benchowska52@example.pl",
            }
        )
        self.assertEqual(
            other_log.anonymized_email,
            Log._anonymize_email(zofia.email),
            "the two addresses give the same masked address",
        )
        (preview,) = self.Erasure.preview(partner_ids=zofia.ids)
        self.assertNotIn("privacy.log", {place["model"] for place in preview["places"]})
        self.Erasure.erase(partner_ids=zofia.ids)
        self.assertTrue(other_log.exists())

    def test_mixed_case_address_of_a_request(self):
        request = self.env["gdpr.request"].create(
            {
                "request_type": "erasure",
                "requester_name": "Kim Lee",
                "requester_email": "Kim.Lee@Example.com",
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Expo", "email_from": "KIM.LEE@example.com"}
        )
        (preview,) = self.Erasure.preview(
            identifiers=[{"email": "kim.lee@example.com"}]
        )
        places = {(p["model"], p["res_id"], p["action"]) for p in preview["places"]}
        self.assertIn(("gdpr.request", request.id, "anonymise"), places)
        self.assertIn(("crm.lead", lead.id, "anonymise"), places)
        (result,) = self.Erasure.erase(identifiers=[{"email": "Kim.Lee@Example.COM"}])
        self.assertEqual(result["status"], "erased")
        self.assertFalse(request.requester_email, "cleared, not '[erased]'")
        self.assertFalse(lead.email_from)

    def test_whole_value_copies_are_cleared(self):
        lead = self.env["crm.lead"].create(
            {"name": "Board", "email_cc": "kim.lee@acme-logistics.example"}
        )
        both = self.env["crm.lead"].create(
            {
                "name": "Fleet",
                "email_cc": "kim.lee@acme-logistics.example, boss@acme.example",
            }
        )
        self.Erasure.erase(partner_ids=self.kim.ids)
        self.assertFalse(lead.email_cc)
        self.assertEqual(both.email_cc, "[erased], boss@acme.example")

    def test_blank_short_and_shared_names_are_refused(self):
        lead = self.env["crm.lead"].create(
            {"name": "Expo", "contact_name": "Ann", "email_from": "ann@example.com"}
        )
        attachment = self.env["ir.attachment"].create(
            {"name": "Ann's notes.txt", "raw": b"Ann, Jan and Anna Nowak"}
        )
        mail = self.env["mail.mail"].create(
            {"email_to": "someone@example.com", "body_html": "<p>Hello Ann</p>"}
        )
        message = self.note(self.company, "<p>Ann and Jan will come.</p>")
        for name in (" ", "", "Ann", "Jan", "Ann  B", "Piotr Wiśniewski"):
            with self.subTest(name=name):
                for method in (self.Erasure.preview, self.Erasure.erase):
                    with self.assertRaises(ValidationError):
                        method(identifiers=[{"email": "ann@example.com", "name": name}])
        self.assertEqual(lead.email_from, "ann@example.com")
        self.assertTrue(attachment.exists())
        self.assertTrue(mail.exists())
        self.assertEqual(str(message.body), "<p>Ann and Jan will come.</p>")
        self.assertFalse(self.env["gdpr.erasure.log"].search([]))
        self.assertFalse(self.env["gdpr.suppression"].search([]))

    def test_children_only_when_the_parent_is_named(self):
        assistant = self.env["res.partner"].create(
            {
                "name": "Jolanta Kowalczyk",
                "email": "jolanta.kowalczyk@example.pl",
                "parent_id": self.kim.id,
                "type": "contact",
            }
        )
        # found by the address: the child contact stays
        (preview,) = self.Erasure.preview(identifiers=[{"email": KIM["email"]}])
        contacts = {
            p["res_id"] for p in preview["places"] if p["model"] == "res.partner"
        }
        self.assertEqual(contacts, set(self.kim.ids))
        # named: the child contact goes with it, and the preview says so
        (preview,) = self.Erasure.preview(partner_ids=self.kim.ids)
        (child,) = [
            p
            for p in preview["places"]
            if p["model"] == "res.partner"
            and p["res_id"] == assistant.id
            and p["action"] == "anonymise"
        ]
        self.assertIn("child contact", child["reason"])
