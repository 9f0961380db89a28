import re
from pathlib import Path

import polib

from odoo import fields
from odoo.tests import tagged

from .common import GdprHttpCase

LINK = re.compile(r"/privacy/consent/([A-Za-z0-9_-]+)")
I18N = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = {"pl_PL": "pl", "cs_CZ": "cs", "ro_RO": "ro"}


def msgstr(lang, msgid):
    """The translation of ``msgid`` in the add-on's .po file of ``lang``."""
    for entry in polib.pofile(str(I18N / f"{LANGUAGES[lang]}.po")):
        if entry.msgid == msgid:
            return entry.msgstr
    raise AssertionError(f"{msgid!r} is not in {LANGUAGES[lang]}.po")


@tagged("post_install", "-at_install")
class TestTranslations(GdprHttpCase):
    """A data subject reads their consent page in their own language, and
    the shipped purposes are translated for languages installed after the
    add-on (Odoo's loading of translations on language install)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # as Settings, Languages, Add does: activate, then load every
        # installed module's terms
        for code in LANGUAGES:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("state", "=", "installed")]
        )._update_translations(list(LANGUAGES))
        cls.marketing = cls.env.ref("crm_gdpr.purpose_marketing_email")

    def consent_page(self, lang):
        partner = self.env["res.partner"].create(
            {
                "name": f"Person {lang}",
                "email": f"person.{lang}@example.eu",
                "lang": lang,
            }
        )
        wizard = (
            self.env["gdpr.consent.request.wizard"]
            .with_user(self.dpo_user)
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create({"purpose_ids": [fields.Command.set(self.marketing.ids)]})
        )
        wizard.action_send()
        mail = self.env["mail.mail"].search(
            [("email_to", "ilike", partner.email)], order="id desc", limit=1
        )
        token = LINK.search(mail.body_html).group(1)
        return mail, self.url_open(f"/privacy/consent/{token}")

    def test_consent_page_and_e_mail_in_the_persons_language(self):
        english = self.marketing.with_context(lang="en_US")
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                mail, page = self.consent_page(lang)
                self.assertEqual(page.status_code, 200)
                purpose = self.marketing.with_context(lang=lang)
                self.assertNotEqual(purpose.name, english.name)
                self.assertNotEqual(purpose.consent_text, english.consent_text)
                self.assertIn(purpose.name, page.text)
                self.assertIn(purpose.consent_text, page.text)
                heading = msgstr(lang, "Your choices about your personal data")
                self.assertIn(heading, page.text)
                self.assertNotIn("Your choices about your personal data", page.text)
                # the e-mail with the link, in the person's language too
                self.assertIn(purpose.name, mail.body_html)
                self.assertNotIn(english.name, mail.body_html)
