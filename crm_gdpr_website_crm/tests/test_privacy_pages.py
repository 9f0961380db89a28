import re

from odoo.tests import HttpCase, new_test_user, tagged

DATA_LINK = re.compile(r"/privacy/data/([A-Za-z0-9_-]+)")
CONSENT_LINK = re.compile(r"/privacy/consent/([A-Za-z0-9_-]+)")
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

    def test_password_change_page_renders(self):
        """A user asked to change their password gets the page to do it
        right after their login."""
        user = new_test_user(
            self.env, "gdpr_web_pw_user", groups="sales_team.group_sale_salesman"
        )
        dpo = new_test_user(
            self.env,
            "gdpr_web_pw_dpo",
            groups="sales_team.group_sale_salesman,crm_gdpr.group_gdpr_dpo",
        )
        self.env["res.users"].with_user(dpo).gdpr_request_password_change(
            [user.id], "Our laptop was stolen: please choose a new password."
        )
        login_page = self.url_open("/web/login")
        response = self.url_open(
            "/web/login",
            data={
                "login": user.login,
                "password": user.login,
                "csrf_token": CSRF.search(login_page.text).group(1),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.request.path_url.split("?")[0], "/web/login/password")
        self.assertIn("Our laptop was stolen", response.text)
        done = self.url_open(
            "/web/login/password",
            data={
                "new_password": "Fresh-password-9",
                "confirm_password": "Fresh-password-9",
                "csrf_token": CSRF.search(response.text).group(1),
            },
        )
        self.assertEqual(done.status_code, 200)
        user.invalidate_recordset()
        self.assertFalse(user.gdpr_password_change_required)

    def test_personal_links_are_not_given_to_the_sites_analytics(self):
        """The website's analytics and custom code would receive the address
        of the page, the person's link with it, and see their data: the
        person's pages leave them out and send no referrer."""
        self.env["website"].search([]).write(
            {
                "google_analytics_key": "G-PRIVACYTEST",
                "plausible_shared_key": "plausible-privacy-test",
                "plausible_site": "example.com",
                "custom_code_head": "<script>/* head-third-party */</script>",
                "custom_code_footer": "<script>/* footer-third-party */</script>",
            }
        )
        markers = (
            "G-PRIVACYTEST",
            "plausible_script",
            "head-third-party",
            "footer-third-party",
        )
        contact = self.url_open("/contactus")
        for marker in markers:
            self.assertIn(marker, contact.text, "the site's other pages keep them")

        partner = self.env["res.partner"].create(
            {"name": "Radu Ionescu", "email": "radu.ionescu@pages.test"}
        )
        self.env["gdpr.data.confirmation"]._send(partner)
        purpose = self.env.ref("crm_gdpr.purpose_marketing_email")
        self.env["gdpr.consent.request"]._send(partner, purpose)
        mails = self.env["mail.mail"].search(
            [("email_to", "ilike", partner.email)], order="id"
        )
        links = [
            DATA_LINK.search(mails[0].body_html).group(0),
            CONSENT_LINK.search(mails[1].body_html).group(0),
        ]
        for link in links:
            page = self.url_open(link)
            self.assertEqual(page.status_code, 200)
            self.assertIn("csrf_token", page.text, "the person's own page")
            self.assertEqual(page.headers.get("Referrer-Policy"), "no-referrer")
            self.assertEqual(page.headers.get("Cache-Control"), "no-store")
            for marker in markers:
                self.assertNotIn(marker, page.text, link)
            done = self.url_open(
                f"{link}/submit",
                data={
                    "csrf_token": CSRF.search(page.text).group(1),
                    "name": partner.name,
                    "email": partner.email,
                },
            )
            self.assertEqual(done.status_code, 200)
            for marker in markers:
                self.assertNotIn(marker, done.text, f"{link}/submit")
