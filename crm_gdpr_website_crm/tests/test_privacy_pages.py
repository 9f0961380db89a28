import re

from odoo.tests import HttpCase, tagged

DATA_LINK = re.compile(r"/privacy/data/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestPrivacyPagesOnWebsite(HttpCase):
    """The person's own pages render in the website's layout."""

    def test_data_confirmation_page_renders_and_confirms(self):
        partner = self.env["res.partner"].create(
            {"name": "Ioana Pop", "email": "ioana.pop@pages.test", "lang": "en_US"}
        )
        confirmation = self.env["gdpr.data.confirmation"]._send(partner)
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "gdpr.data.confirmation"),
                ("email_to", "ilike", partner.email),
            ],
            order="id desc",
            limit=1,
        )
        token = DATA_LINK.search(mail.body_html).group(1)
        page = self.url_open(f"/privacy/data/{token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Ioana Pop", page.text)
        self.assertFalse(partner.gdpr_data_confirmed_on)
        done = self.url_open(
            f"/privacy/data/{token}/submit",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "name": "Ioana Pop",
                "email": partner.email,
            },
        )
        self.assertEqual(done.status_code, 200)
        confirmation.invalidate_recordset()
        partner.invalidate_recordset()
        self.assertEqual(confirmation.state, "confirmed")
        self.assertTrue(partner.gdpr_data_confirmed_on)
