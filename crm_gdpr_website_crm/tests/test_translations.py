import json
from pathlib import Path

import polib
from lxml import html

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, tagged

from odoo.addons.crm_gdpr.models.gdpr_consent import hash_text

I18N = Path(__file__).resolve().parent.parent / "i18n"
CRM_GDPR_I18N = Path(get_module_path("crm_gdpr")) / "i18n"
WORDING_PL = "Tak, proszę o comiesięczny newsletter e-mailem."


def msgstr_of(i18n, lang, msgid):
    """The translation of ``msgid`` in the .po file of ``lang`` in ``i18n``."""
    for entry in polib.pofile(str(i18n / f"{lang}.po")):
        if entry.msgid == msgid:
            return entry.msgstr
    raise AssertionError(f"{msgid!r} is not in {i18n / lang}.po")


def msgstr(lang, msgid):
    """The translation of ``msgid`` in the bridge's .po file of ``lang``."""
    return msgstr_of(I18N, lang, msgid)


@tagged("post_install", "-at_install")
class TestContactFormInPolish(HttpCase):
    """A visitor of the Polish website reads the boxes in Polish, and the
    proof keeps the Polish wording they ticked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pl_PL")
        cls.env["ir.module.module"].search(
            [("name", "in", ("crm_gdpr", "crm_gdpr_website_crm"))]
        )._update_translations(["pl_PL"])
        website = cls.env["website"].get_current_website()
        website.language_ids |= cls.env.ref("base.lang_pl")
        cls.news = cls.env["gdpr.purpose"].create(
            {
                "name": "Monthly newsletter",
                "code": "test.web_news_pl",
                "legal_basis": "consent",
                "consent_text": "Yes, send me the monthly newsletter by e-mail.",
                "show_on_web_forms": True,
            }
        )
        cls.news.with_context(lang="pl_PL").consent_text = WORDING_PL

    def test_polish_page_and_proof(self):
        page = self.url_open("/pl/contactus")
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)
        (holder,) = tree.xpath("//div[contains(@class, 'o_crm_gdpr_consents')]")
        notice = msgstr(
            "pl",
            "You will receive an e-mail to confirm what you tick here; nothing is "
            "recorded until you confirm.",
        )
        self.assertTrue(notice)
        self.assertIn(notice, holder.text_content())
        (box,) = holder.xpath(f".//input[@name='crm_gdpr_consent_{self.news.id}']")
        self.assertEqual(box.get("value"), hash_text(WORDING_PL))
        (label,) = holder.xpath(f".//label[@for='{box.get('id')}']")
        self.assertEqual(label.text_content(), WORDING_PL)

        # the page set the visitor's language; the form's post follows it
        response = self.url_open(
            "/website/form/crm.lead",
            data={
                "contact_name": "Jan Kowalski",
                "email_from": "jan.kowalski@form.test",
                "name": "Pytanie",
                "description": "Kiedy jest otwarte?",
                f"crm_gdpr_consent_{self.news.id}": hash_text(WORDING_PL),
            },
        )
        lead = self.env["crm.lead"].browse(json.loads(response.text)["id"])
        consent = self.env["gdpr.consent"].search(
            [("partner_id.email_normalized", "=", "jan.kowalski@form.test")]
        )
        self.assertEqual(consent.purpose_id, self.news)
        self.assertEqual(consent.state, "pending")
        self.assertEqual(consent.history_ids.lang, "pl_PL")
        self.assertEqual(consent.history_ids.consent_text, WORDING_PL)
        self.assertEqual(consent.consent_hash, hash_text(WORDING_PL))
        # the new contact gets the page's language, and so does the
        # confirmation e-mail
        self.assertEqual(consent.partner_id.lang, "pl_PL")
        request = self.env["gdpr.consent.request"].search(
            [("partner_id", "=", consent.partner_id.id)]
        )
        mail = self.env["mail.mail"].search(
            [("model", "=", "gdpr.consent.request"), ("res_id", "=", request.id)]
        )
        subject = msgstr_of(
            CRM_GDPR_I18N,
            "pl",
            "{{ object.company_id.name }}: please confirm your sign-up",
        )
        self.assertTrue(subject)
        self.assertEqual(
            mail.subject,
            subject.replace("{{ object.company_id.name }}", request.company_id.name),
        )
        note = msgstr(
            "pl",
            "Consents ticked on the contact form, awaiting confirmation by e-mail: %s",
        )
        self.assertIn(note % "", " ".join(lead.message_ids.mapped("body")))
