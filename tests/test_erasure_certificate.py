from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from .test_erasure import PERSON, ErasureCase
from .test_translations import msgstr


@tagged("post_install", "-at_install")
class TestErasureCertificateSender(ErasureCase):
    """A production database often has no company e-mail address: the
    certificate goes from the mail server's default sender or the data
    protection officer's address, or the erasure is refused before anything
    is done, saying what to configure."""

    def setUp(self):
        super().setUp()
        company = self.env.company
        company.write(
            {"email": False, "alias_domain_id": False, "gdpr_dpo_partner_id": False}
        )
        self.partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        self.enterContext(self.mock_mail_gateway())
        no_default = patch.dict(config.options, {"email_from": False})
        no_default.start()
        self.addCleanup(no_default.stop)

    def test_refused_before_anything_is_done(self):
        Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        with self.assertRaisesRegex(UserError, "has no e-mail address.*Nothing"):
            Erasure.erase(partner_ids=self.partner.ids, send_certificate=True)
        self.assertEqual(self.partner.email, PERSON["email"])
        self.assertTrue(self.partner.active)
        self.assertFalse(self.env["gdpr.erasure.log"].search([]))
        self.assertFalse(self.env["gdpr.suppression"].search([]))
        self.assertFalse(self._mails)
        self.assertFalse(self.send_email_mocked.called)

    def test_sent_from_the_data_protection_officer(self):
        dpo = self.env["res.partner"].create(
            {"name": "Ewa Dąbrowska", "email": "dpo@acme.example"}
        )
        self.env.company.gdpr_dpo_partner_id = dpo
        (result,) = (
            self.env["gdpr.erasure"]
            .with_user(self.dpo_user)
            .erase(partner_ids=self.partner.ids, send_certificate=True)
        )
        self.assertEqual(result["status"], "erased")
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self.send_email_mocked.call_count, 1)
        self.assertSentEmail(dpo, [PERSON["email"]])

    def test_sent_from_the_default_sender(self):
        with patch.dict(config.options, {"email_from": "noreply@acme.example"}):
            self.env["gdpr.erasure"].with_user(self.dpo_user).erase(
                partner_ids=self.partner.ids, send_certificate=True
            )
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self.send_email_mocked.call_count, 1)
        self.assertSentEmail("noreply@acme.example", [PERSON["email"]])

    def test_sent_in_the_persons_language(self):
        self.env["res.lang"]._activate_lang("pl_PL")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_gdpr")]
        )._update_translations(["pl_PL"])
        self.partner.lang = "pl_PL"
        with patch.dict(config.options, {"email_from": "noreply@acme.example"}):
            self.env["gdpr.erasure"].with_user(self.dpo_user).erase(
                partner_ids=self.partner.ids, send_certificate=True
            )
        (mail,) = self._mails
        self.assertEqual(self.send_email_mocked.call_count, 1)
        log = self.env["gdpr.erasure.log"].search([], limit=1)
        polish = msgstr("pl_PL", "Your personal data was erased (%s)")
        self.assertNotEqual(polish, "Your personal data was erased (%s)")
        self.assertEqual(mail["subject"], polish % log.name)


@tagged("post_install", "-at_install")
class TestErasureAuditValues(ErasureCase):
    """After an erasure, the trail writes no readable value of the person
    under another person's key: the erasure cleaning a copy of their address
    in another lead records the change without the address."""

    def test_cleaning_a_copy_writes_no_readable_value(self):
        mine = self.build_footprint(PERSON)
        copy = mine["unrelated_lead"]
        Entry = self.env["gdpr.audit.entry"]
        Entry._flush_trail()
        last = Entry.sudo().search([], limit=1).id
        self.env["gdpr.erasure"].with_user(self.dpo_user).erase(
            partner_ids=mine["partner"].ids
        )
        self.assertFalse(copy.email_cc)
        entries = Entry.with_user(self.dpo_user).read_trail(
            [("id", ">", last), ("model", "=", "crm.lead"), ("res_id", "=", copy.id)]
        )
        self.assertTrue(entries, "the cleaning of the copy is in the trail")
        changes = [entry["changes"] for entry in entries if entry["changes"]]
        self.assertTrue(changes, "the entry is readable: it is another person's")
        self.assertNotIn(PERSON["email"], str(changes).lower())
        every = Entry.with_user(self.dpo_user).read_trail([("id", ">", last)], limit=0)
        self.assertNotIn(PERSON["email"], str([e["changes"] for e in every]).lower())
