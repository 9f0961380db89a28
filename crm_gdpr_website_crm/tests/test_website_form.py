import json
import re

from lxml import etree, html

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_gdpr.models.gdpr_consent import hash_text

LINK = re.compile(r"/privacy/consent/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SALESMAN = "sales_team.group_sale_salesman"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) ContactFormTest/1.0"
# The contact form's inputs as the editor names them once its action is
# "Create an Opportunity".
LEAD_INPUTS = {"name": "contact_name", "company": "partner_name", "subject": "name"}


def switch_contact_form_to_leads(env):
    """What the website editor does when the contact form's action becomes
    "Create an Opportunity"."""
    view = env.ref("website.contactus")
    arch = etree.fromstring(view.arch)
    (form,) = arch.xpath("//form[@id='contactus_form']")
    if form.get("data-model_name") == "crm.lead":
        return
    form.set("data-model_name", "crm.lead")
    for field in form.xpath(".//*[@name]"):
        field.set("name", LEAD_INPUTS.get(field.get("name"), field.get("name")))
    view.arch = etree.tostring(arch, encoding="unicode")


@tagged("post_install", "-at_install")
class TestContactFormConsents(HttpCase):
    """The contact form offers the consents the DPO chose; what is ticked
    is pending until the person confirms it by the e-mailed link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Purpose = cls.env["gdpr.purpose"]
        cls.news = Purpose.create(
            {
                "name": "Web newsletter",
                "code": "test.web_news",
                "legal_basis": "consent",
                "consent_text": "Yes, send me the monthly newsletter by e-mail.",
                "show_on_web_forms": True,
            }
        )
        cls.events = Purpose.create(
            {
                "name": "Event invitations",
                "code": "test.web_events",
                "legal_basis": "consent",
                "consent_text": "Invite me to your events.",
                "show_on_web_forms": True,
            }
        )
        cls.not_shown = Purpose.create(
            {
                "name": "Partner offers",
                "code": "test.web_hidden",
                "legal_basis": "consent",
                "consent_text": "Send me offers of your partners.",
            }
        )
        cls.interest = Purpose.create(
            {
                "name": "Customer care",
                "code": "test.web_interest",
                "legal_basis": "legitimate_interest",
                "show_on_web_forms": True,
            }
        )
        cls.archived = Purpose.create(
            {
                "name": "Old survey",
                "code": "test.web_archived",
                "legal_basis": "consent",
                "consent_text": "Ask me to answer surveys.",
                "show_on_web_forms": True,
                "active": False,
            }
        )

    def box(self, purpose):
        return f"crm_gdpr_consent_{purpose.id}"

    def post_form(self, email, headers=None, **extra):
        data = {
            "contact_name": "Jana Nowak",
            "email_from": email,
            "name": "A question",
            "description": "What are your opening hours?",
            **extra,
        }
        response = self.url_open(
            "/website/form/crm.lead",
            data=data,
            headers={"User-Agent": BROWSER, **(headers or {})},
        )
        self.assertEqual(response.status_code, 200)
        lead = self.env["crm.lead"].browse(json.loads(response.text)["id"])
        self.assertTrue(lead.exists(), "the form still creates its lead")
        self.assertNotIn("crm_gdpr", lead.description or "")
        return lead

    def written(self, email):
        """What the sign-up of ``email`` wrote: contacts, consents, requests
        and e-mails."""
        partners = self.env["res.partner"].search([("email_normalized", "=", email)])
        consents = self.env["gdpr.consent"].search(
            [("partner_id.email_normalized", "=", email)]
        )
        requests = self.env["gdpr.consent.request"].search(
            [("partner_id.email_normalized", "=", email)]
        )
        mails = self.env["mail.mail"].search(
            [
                ("model", "=", "gdpr.consent.request"),
                ("res_id", "in", requests.ids or [0]),
            ]
        )
        return partners, consents, requests, mails

    def test_contact_page_shows_the_boxes_unticked_with_their_wording(self):
        page = self.url_open("/contactus")
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)
        holder = tree.xpath(
            "//div[contains(@class, 'o_crm_gdpr_consents')]"
            "[@data-crm-gdpr-for='contactus_form']"
        )
        self.assertEqual(len(holder), 1)
        boxes = {
            box.get("name") for box in holder[0].xpath(".//input[@type='checkbox']")
        }
        self.assertLessEqual({self.box(self.news), self.box(self.events)}, boxes)
        for purpose in self.not_shown | self.interest | self.archived:
            self.assertNotIn(
                self.box(purpose),
                boxes,
                "only the active consent purposes marked to be shown",
            )
        for purpose in self.news | self.events:
            (box,) = holder[0].xpath(f".//input[@name='{self.box(purpose)}']")
            self.assertIsNone(box.get("checked"), "unticked by default")
            self.assertEqual(box.get("value"), hash_text(purpose.consent_text))
            (label,) = holder[0].xpath(f".//label[@for='{box.get('id')}']")
            self.assertEqual(label.text_content(), purpose.consent_text)
        self.assertEqual(len(holder[0].xpath(".//input[@name='crm_gdpr_page_url']")), 1)

    def test_visitor_ticks_a_box_in_the_browser(self):
        """The page's script puts the boxes into the form; the form's own
        submission carries the ticked one, with the page it was sent from."""
        switch_contact_form_to_leads(self.env)
        self.start_tour("/contactus", "crm_gdpr_website_crm_contactus_consents")
        email = "jana.tour@form.test"
        lead = self.env["crm.lead"].search([("email_from", "=", email)])
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.contact_name, "Jana Nowak")
        self.assertNotIn("crm_gdpr", lead.description or "")
        _partners, consents, requests, mails = self.written(email)
        self.assertEqual(consents.purpose_id, self.news, "only the ticked box")
        self.assertEqual(consents.state, "pending")
        history = consents.history_ids
        self.assertEqual(history.page_url, f"{self.base_url()}/contactus")
        self.assertIn("Chrome", history.user_agent)
        self.assertEqual(history.consent_hash, hash_text(self.news.consent_text))
        self.assertEqual(requests.purpose_ids, self.news)
        self.assertEqual(len(mails), 1)

    def test_editing_the_page_leaves_the_boxes_out_of_it(self):
        """The website editor switches the form to leads and saves the page:
        the boxes are not frozen into it; they still follow the purposes."""
        designer = new_test_user(
            self.env,
            "gdpr_web_designer",
            groups=f"{SALESMAN},website.group_website_designer",
        )
        self.start_tour(
            self.env["website"].get_client_action_url("/contactus"),
            "website_crm_pre_tour",
            login=designer.login,
        )
        views = self.env["ir.ui.view"].search([("key", "=", "website.contactus")])
        saved = views.filtered(lambda view: 'data-model_name="crm.lead"' in view.arch)
        self.assertTrue(saved, "the editor saved the page")
        for view in saved:
            self.assertNotIn("crm_gdpr_consent_", view.arch)
        self.events.show_on_web_forms = False
        page = self.url_open("/contactus")
        self.assertNotIn(self.box(self.events), page.text)
        self.assertIn(self.box(self.news), page.text)
        self.start_tour("/contactus", "crm_gdpr_website_crm_contactus_consents")
        _partners, consents, _requests, mails = self.written("jana.tour@form.test")
        self.assertEqual(consents.purpose_id, self.news)
        self.assertEqual(consents.state, "pending")
        self.assertEqual(len(mails), 1)

    def test_no_box_without_purposes_to_show(self):
        self.env["gdpr.purpose"].search([]).show_on_web_forms = False
        page = self.url_open("/contactus")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_crm_gdpr_consents", page.text)

    def test_ticked_box_is_pending_until_the_link_is_confirmed(self):
        email = "jana.nowak@form.test"
        lead = self.post_form(
            email,
            **{
                self.box(self.news): hash_text(self.news.consent_text),
                "crm_gdpr_page_url": "http://localhost:8069/contactus?email_from=x",
            },
        )
        self.assertEqual(lead.email_from, email)
        partners, consents, requests, mails = self.written(email)
        self.assertEqual(len(partners), 1)
        self.assertEqual(partners.name, "Jana Nowak")
        self.assertEqual(consents.purpose_id, self.news, "only what was ticked")
        self.assertEqual(consents.state, "pending")
        self.assertEqual(consents.channel, "form")
        self.assertEqual(consents.consent_text, self.news.consent_text)
        self.assertEqual(consents.consent_hash, hash_text(self.news.consent_text))
        self.assertEqual(consents.wording_version, self.news.wording_version)
        history = consents.history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(history.state, "pending")
        self.assertEqual(history.ip_address, "127.0.0.1")
        self.assertEqual(history.user_agent, BROWSER)
        self.assertEqual(history.page_url, "http://localhost:8069/contactus")
        self.assertEqual(history.consent_text, self.news.consent_text)
        self.assertEqual(history.consent_hash, hash_text(self.news.consent_text))
        self.assertEqual(requests.kind, "confirmation")
        self.assertEqual(requests.state, "sent")
        self.assertEqual(requests.purpose_ids, self.news)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing", "the confirmation e-mail is queued")
        self.assertIn(email, mails.email_to)
        self.assertIn("Web newsletter", " ".join(lead.message_ids.mapped("body")))

        # opening the link changes nothing; confirming on the page gives it
        token = LINK.search(mails.body_html).group(1)
        page = self.url_open(f"/privacy/consent/{token}")
        self.assertEqual(page.status_code, 200)
        consents.invalidate_recordset()
        self.assertEqual(consents.state, "pending")
        done = self.url_open(
            f"/privacy/consent/{token}/submit",
            data={"csrf_token": CSRF.search(page.text).group(1)},
        )
        self.assertEqual(done.status_code, 200)
        consents.invalidate_recordset()
        self.assertEqual(consents.state, "given")
        self.assertEqual(
            consents.history_ids.sorted("id").mapped("state"), ["pending", "given"]
        )

    def test_posting_the_form_again_and_again_sends_one_email(self):
        """A visitor posts the form over and over with someone else's
        address to have the site e-mail them: one confirmation e-mail."""
        email = "flooded@form.test"
        for _i in range(4):
            self.post_form(
                email, **{self.box(self.news): hash_text(self.news.consent_text)}
            )
        partners, consents, requests, mails = self.written(email)
        self.assertEqual(len(partners), 1)
        self.assertEqual(consents.state, "pending")
        self.assertEqual(len(requests), 1)
        self.assertEqual(len(mails), 1)
        # another box than the one already asked for is asked for
        self.post_form(
            email, **{self.box(self.events): hash_text(self.events.consent_text)}
        )
        partners, consents, requests, mails = self.written(email)
        self.assertEqual(len(requests), 2)
        self.assertEqual(len(mails), 2)
        self.assertEqual(requests.sorted("id")[-1].purpose_ids, self.events)

    def test_stranger_ticking_a_box_leaves_a_withdrawal_as_it_is(self):
        """A visitor ticks the box with the address of a person who withdrew
        that consent: it stays withdrawn until the person confirms."""
        email = "withdrew@form.test"
        partner = self.env["res.partner"].create({"name": "Ola", "email": email})
        consent = self.env["gdpr.consent"].create(
            {"partner_id": partner.id, "purpose_id": self.news.id}
        )
        consent._set_state("given", channel="email")
        consent._set_state("withdrawn", channel="email")
        history = consent.history_ids
        self.post_form(
            email, **{self.box(self.news): hash_text(self.news.consent_text)}
        )
        partners, consents, requests, mails = self.written(email)
        self.assertEqual(consents, consent)
        self.assertEqual(consent.state, "withdrawn")
        self.assertEqual(consent.history_ids, history)
        self.assertEqual(requests.purpose_ids, self.news, "asked again by e-mail")
        self.assertEqual(len(mails), 1)

    def test_page_not_a_web_address_falls_back_to_the_referrer(self):
        email = "referrer@form.test"
        self.post_form(
            email,
            headers={"Referer": "http://localhost:8069/en/contactus?name=Jana"},
            **{
                self.box(self.news): hash_text(self.news.consent_text),
                "crm_gdpr_page_url": "javascript:alert(1)",
            },
        )
        _partners, consents, _requests, _mails = self.written(email)
        self.assertEqual(consents.state, "pending")
        self.assertEqual(
            consents.history_ids.page_url, "http://localhost:8069/en/contactus"
        )

    def test_unticked_boxes_record_nothing(self):
        email = "no.box@form.test"
        self.post_form(email, crm_gdpr_page_url="http://localhost:8069/contactus")
        partners, consents, requests, mails = self.written(email)
        self.assertFalse(consents)
        self.assertFalse(requests)
        self.assertFalse(mails)
        self.assertFalse(partners, "no contact is created for the consents")

    def test_boxes_the_form_did_not_offer_are_ignored(self):
        email = "tampered@form.test"
        with mute_logger("odoo.addons.crm_gdpr_website_crm.controllers.website_form"):
            self.post_form(
                email,
                **{
                    # consent-based but not shown on forms
                    self.box(self.not_shown): hash_text(self.not_shown.consent_text),
                    # not based on consent
                    self.box(self.interest): "x",
                    # archived
                    self.box(self.archived): hash_text(self.archived.consent_text),
                    # shown, with another wording than the one shown
                    self.box(self.news): hash_text("Yes to everything."),
                    # no such purpose
                    "crm_gdpr_consent_999999999": "x",
                    "crm_gdpr_consent_abc": "x",
                },
            )
        partners, consents, requests, mails = self.written(email)
        self.assertFalse(partners)
        self.assertFalse(consents)
        self.assertFalse(requests)
        self.assertFalse(mails)

    def test_only_the_offered_boxes_of_a_mixed_post_are_asked(self):
        email = "mixed@form.test"
        with mute_logger("odoo.addons.crm_gdpr_website_crm.controllers.website_form"):
            self.post_form(
                email,
                **{
                    self.box(self.events): hash_text(self.events.consent_text),
                    self.box(self.not_shown): hash_text(self.not_shown.consent_text),
                },
            )
        _partners, consents, requests, mails = self.written(email)
        self.assertEqual(consents.purpose_id, self.events)
        self.assertEqual(consents.state, "pending")
        self.assertEqual(requests.purpose_ids, self.events)
        self.assertEqual(len(mails), 1)

    def test_erased_person_gets_the_lead_but_no_request(self):
        email = "restricted@form.test"
        partner = self.env["res.partner"].create(
            {"name": "Restricted", "email": email, "gdpr_restricted": True}
        )
        with mute_logger("odoo.addons.crm_gdpr_website_crm.controllers.website_form"):
            self.post_form(
                email, **{self.box(self.news): hash_text(self.news.consent_text)}
            )
        partners, consents, requests, mails = self.written(email)
        self.assertEqual(partners, partner)
        self.assertFalse(consents)
        self.assertFalse(requests)
        self.assertFalse(mails)


@tagged("post_install", "-at_install")
class TestWebFormPurposeAccess(HttpCase):
    """Who marks a purpose for the web forms, and the page given over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dpo = new_test_user(
            cls.env, "web_form_dpo", groups=f"{SALESMAN},crm_gdpr.group_gdpr_dpo"
        )
        cls.sales = new_test_user(cls.env, "web_form_sales", groups=SALESMAN)
        cls.intake = new_test_user(
            cls.env,
            "web_form_intake",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_intake",
        )
        cls.purpose = cls.env["gdpr.purpose"].create(
            {
                "name": "Web offers",
                "code": "test.web_offers",
                "legal_basis": "consent",
                "consent_text": "Send me offers.",
            }
        )

    def test_only_the_dpo_marks_a_purpose_for_web_forms(self):
        with self.assertRaises(AccessError):
            self.purpose.with_user(self.sales).show_on_web_forms = True
        self.assertFalse(self.purpose.show_on_web_forms)
        self.purpose.with_user(self.dpo).show_on_web_forms = True
        self.assertTrue(self.purpose.show_on_web_forms)

    def test_signup_over_rpc_keeps_the_page(self):
        Request = self.env["gdpr.consent.request"].with_user(self.intake)
        result = Request.submit_signup(
            email="rpc.page@form.test",
            purpose_codes=["test.web_offers"],
            ip_address="203.0.113.9",
            user_agent="Mozilla/5.0",
            page_url="https://www.example.com/newsletter?utm_source=x#top",
        )
        consent = self.env["gdpr.consent"].search(
            [("partner_id", "=", result["partner_id"])]
        )
        self.assertEqual(consent.state, "pending")
        self.assertEqual(
            consent.history_ids.page_url, "https://www.example.com/newsletter"
        )

    def test_signup_over_rpc_refuses_a_bad_page(self):
        Request = self.env["gdpr.consent.request"].with_user(self.intake)
        for bad in (
            "javascript:alert(1)",
            "not a url",
            "ftp://example.com/x",
            "http://[::1/x",
            "https://example.com/" + "x" * 2100,
            42,
        ):
            with self.assertRaises(ValidationError):
                Request.submit_signup(
                    email="rpc.bad@form.test",
                    purpose_codes=["test.web_offers"],
                    page_url=bad,
                )
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "rpc.bad@form.test")])
        )
        with self.assertRaises(AccessError):
            Request.with_user(self.sales).submit_signup(
                email="rpc.bad@form.test",
                purpose_codes=["test.web_offers"],
                page_url="https://www.example.com/",
            )
        self.assertFalse(
            self.env["gdpr.consent"].search(
                [("partner_id.email", "=", "rpc.bad@form.test")]
            )
        )
