from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import GdprCase


@tagged("post_install", "-at_install")
class TestAccess(GdprCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["res.partner.bank"].create(
            {"partner_id": cls.partner.id, "acc_number": "PL61109010140000071219812874"}
        )

    def test_groups(self):
        dpo = self.env.ref("crm_gdpr.group_gdpr_dpo")
        self.assertTrue(self.dpo_user.has_group("crm_gdpr.group_gdpr_sensitive"))
        self.assertTrue(self.dpo_user.has_group("crm_gdpr.group_gdpr_export"))
        self.assertIn(self.env.ref("base.user_admin"), dpo.users)
        self.assertFalse(self.sales_user.has_group("crm_gdpr.group_gdpr_sensitive"))
        self.assertFalse(self.sensitive_user.has_group("crm_gdpr.group_gdpr_dpo"))

    def test_sales_user_cannot_read_sensitive_fields(self):
        partner = self.partner.with_user(self.sales_user)
        bank = self.bank.with_user(self.sales_user)
        with self.assertRaises(AccessError):
            partner.read(["bank_ids"])
        with self.assertRaises(AccessError):
            bank.read(["acc_number"])
        with self.assertRaises(AccessError):
            bank.search_read([], ["acc_holder_name"])
        with self.assertRaises(AccessError):
            partner.web_read({"bank_ids": {"fields": {"acc_number": {}}}})
        with self.assertRaises(AccessError):
            bank.search([("acc_number", "like", "PL61")])
        with self.assertRaises(AccessError):
            bank.write({"acc_number": "PL00"})
        self.assertNotIn("bank_ids", partner.fields_get())
        self.assertNotIn("acc_number", bank.fields_get())
        # the account number is its display name: masked, also when linked
        # records compute it as superuser
        self.assertEqual(bank.display_name, "*" * 24 + "2874")
        self.assertEqual(bank.sudo().display_name, "*" * 24 + "2874")
        self.assertNotIn("bank_ids", partner.search_read([("id", "=", partner.id)])[0])

    def test_sales_user_cannot_export_sensitive_fields(self):
        exporter = self.env.ref("base.group_allow_export")
        self.sales_user.groups_id += exporter
        partner = self.partner.with_user(self.sales_user)
        with self.assertRaises(AccessError):
            partner.export_data(["name", "bank_ids/acc_number"])
        with self.assertRaises(AccessError):
            self.bank.with_user(self.sales_user).export_data(["acc_number"])
        # even normal personal data needs the export right
        with self.assertRaises(AccessError):
            partner.export_data(["name", "email"])
        rows = self.partner.with_user(self.export_user).export_data(["name", "email"])
        self.assertEqual(rows["datas"], [["Jan Kowalski", "jan.kowalski@example.pl"]])

    def test_sensitive_group_reads_them(self):
        bank = self.bank.with_user(self.sensitive_user)
        self.assertEqual(
            bank.read(["acc_number"])[0]["acc_number"], "PL61109010140000071219812874"
        )
        self.assertEqual(bank.display_name, "PL61109010140000071219812874")
        self.assertEqual(
            self.partner.with_user(self.sensitive_user).read(["bank_ids"])[0][
                "bank_ids"
            ],
            self.bank.ids,
        )
        arch = (
            self.env["res.partner.bank"]
            .with_user(self.sensitive_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="acc_number"', arch)
        arch = (
            self.env["res.partner.bank"]
            .with_user(self.sales_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn('name="acc_number"', arch)

    def test_stock_flows_keep_working_for_sales_user(self):
        Partner = self.env["res.partner"].with_user(self.sales_user)
        company = Partner.create(
            {"name": "Firma SA", "is_company": True, "vat": "PL1234567883"}
        )
        with Form(Partner) as contact_form:
            contact_form.name = "Anna Nowak"
            contact_form.parent_id = company
            contact_form.email = "anna@firma.pl"
        contact = contact_form.record
        self.assertEqual(contact.commercial_partner_id, company)
        with Form(company) as company_form:
            company_form.website = "https://firma.pl"
        self.assertIn(contact.id, [id_ for id_, _name in Partner.name_search("Anna")])
        lead = (
            self.env["crm.lead"]
            .with_user(self.sales_user)
            .create(
                {
                    "name": "Offer",
                    "contact_name": "Piotr Zielinski",
                    "email_from": "piotr@example.pl",
                    "partner_name": "Zielinski Sp",
                }
            )
        )
        lead._handle_partner_assignment(create_missing=True)
        self.assertEqual(lead.partner_id.email, "piotr@example.pl")
        with Form(lead) as lead_form:
            lead_form.phone = "+48 600 100 200"
        (values,) = lead.partner_id.with_user(self.sales_user).read(
            ["name", "email", "phone"]
        )
        self.assertEqual(values["email"], "piotr@example.pl")

    def test_stock_flows_with_sensitive_vat(self):
        """The DPO hides tax numbers (seed 003): sales users keep working with
        companies and their contacts, and cannot find a company by its VAT."""
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.env.ref("crm_gdpr.map_res_partner_vat").sensitivity = "sensitive"
        company = self.env["res.partner"].create(
            {"name": "Tajna Firma SA", "is_company": True, "vat": "PL5260250995"}
        )
        Partner = self.env["res.partner"].with_user(self.sales_user)
        with Form(Partner) as contact_form:
            contact_form.name = "Ewa Tajna"
            contact_form.parent_id = company
        contact = contact_form.record
        self.assertEqual(contact.sudo().vat, "PL5260250995")
        with Form(company.with_user(self.sales_user)) as company_form:
            company_form.industry_id = self.env["res.partner.industry"].create(
                {"name": "Spy"}
            )
            company_form.phone = "+48 22 000 00 00"
        self.assertEqual(contact.sudo().industry_id.name, "Spy")
        names = [name for _id, name in Partner.name_search("Tajna")]
        self.assertIn("Tajna Firma SA", names)
        self.assertFalse(Partner.name_search("PL5260250995"))
        both = [("id", "in", (company | contact).ids)]
        self.assertEqual(
            {id_ for id_, _name in Partner.name_search("", args=both)},
            set((company | contact).ids),
        )
        self.assertFalse(Partner.search([("display_name", "ilike", "5260250995")]))
        # the superuser finds the company and its contact, which shares its VAT
        self.assertEqual(
            {id_ for id_, _name in self.env["res.partner"].name_search("PL5260250995")},
            {company.id, contact.id},
        )
        lead = (
            self.env["crm.lead"]
            .with_user(self.sales_user)
            .create({"name": "Deal", "partner_id": company.id})
        )
        self.assertEqual(lead.partner_name, "Tajna Firma SA")
        with self.assertRaises(AccessError):
            contact.with_user(self.sales_user).read(["vat"])
        # the lead shows its contact with the VAT number, but not to them
        spec = {
            "partner_id": {
                "fields": {"display_name": {}},
                "context": {"show_vat": True},
            }
        }
        shown = lead.web_read(spec)[0]["partner_id"]["display_name"]
        self.assertEqual(shown, "Tajna Firma SA")
        lead.sudo().user_id = self.sensitive_user
        shown = lead.with_user(self.sensitive_user).web_read(spec)[0]["partner_id"]
        self.assertEqual(shown["display_name"], "Tajna Firma SA ‒ PL5260250995")

    def test_form_drops_fields_its_conditions_use(self):
        """A hidden field that another element's condition uses is removed
        too, and the condition reads it as empty: the web client would
        otherwise fail on a field it was not given."""
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.env.ref("crm_gdpr.map_res_partner_vat").sensitivity = "sensitive"
        views = (
            self.env["res.partner"]
            .with_user(self.sales_user)
            .get_views([(False, "form")])
        )
        arch = views["views"]["form"]["arch"]
        fields = views["models"]["res.partner"]
        for name in ("vat", "same_vat_partner_id"):
            self.assertNotIn(name, fields)
            self.assertNotIn(f'name="{name}"', arch)
            self.assertNotIn(f'for="{name}"', arch)
        self.assertIn('name="warning_tax" invisible="not False"', arch)
        arch = (
            self.env["res.partner"]
            .with_user(self.sensitive_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('invisible="not same_vat_partner_id"', arch)

    def test_consents_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        foreign = self.env["res.partner"].create(
            {
                "name": "Foreign Contact",
                "email": "f@example.com",
                "company_id": other.id,
            }
        )
        self.Consent._record_decision(foreign, self.marketing, "given")
        consents = self.Consent.with_user(self.sales_user).search(
            [("partner_id", "=", foreign.id)]
        )
        self.assertFalse(consents)
        history = self.History.with_user(self.sales_user).search(
            [("partner_id", "=", foreign.id)]
        )
        self.assertFalse(history)
        self.sales_user.company_ids += other
        consents = (
            self.Consent.with_user(self.sales_user)
            .with_context(allowed_company_ids=[self.env.company.id, other.id])
            .search([("partner_id", "=", foreign.id)])
        )
        self.assertEqual(consents.state, "given")
