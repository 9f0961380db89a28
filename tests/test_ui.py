from odoo.tests import HttpCase, new_test_user, tagged

from .common import SALESMAN


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    def test_sales_user_records_consent_from_contact(self):
        new_test_user(
            self.env, "gdpr_tour_sales", groups=f"{SALESMAN},base.group_partner_manager"
        )
        partner = self.env["res.partner"].create(
            {"name": "Tereza Dvorakova", "email": "tereza@example.cz"}
        )
        self.start_tour(
            f"/odoo/contacts/{partner.id}",
            "crm_gdpr_record_consent",
            login="gdpr_tour_sales",
        )
        consent = self.env["gdpr.consent"].search([("partner_id", "=", partner.id)])
        self.assertEqual(
            consent.purpose_id, self.env.ref("crm_gdpr.purpose_marketing_email")
        )
        self.assertEqual(consent.state, "given")
        self.assertEqual(consent.user_id.login, "gdpr_tour_sales")
        self.assertEqual(consent.history_ids.channel, "phone")
