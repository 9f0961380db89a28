import os

from odoo import api
from odoo.tests import tagged

from .test_erasure import PERSON, ErasureCase


@tagged("post_install", "-at_install")
class TestErasureFiles(ErasureCase):
    """The files of the attachments an erasure deletes leave the filestore
    once its transaction commits: never before, never after a rollback, and
    never a file another attachment still refers to."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the files go in a transaction of their own: one cursor serves all
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def setUp(self):
        super().setUp()
        self.Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        self.partner = self.env["res.partner"].create(
            {"name": PERSON["name"], "email": PERSON["email"]}
        )
        self.lead = self.env["crm.lead"].create(
            {"name": "Intake", "partner_id": self.partner.id}
        )

    def attach(self, record, content, name="intake.txt"):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "res_model": record._name,
                "res_id": record.id,
                "raw": content,
                "mimetype": "text/plain",
            }
        )

    def path(self, attachment):
        self.assertTrue(attachment.store_fname, "stored in the filestore")
        return attachment._full_path(attachment.store_fname)

    def commit(self, cr):
        """What a commit runs after the data is written."""
        cr.flush()
        cr.precommit.run()
        cr.postcommit.run()

    def test_file_gone_once_committed(self):
        attachment = self.attach(self.lead, b"Passport scan of the person, 7f3a")
        path = self.path(attachment)
        self.assertTrue(os.path.exists(path))
        self.Erasure.erase(partner_ids=self.partner.ids)
        self.assertFalse(attachment.exists())
        self.assertTrue(os.path.exists(path), "nothing is removed before the commit")
        self.commit(self.env.cr)
        self.assertFalse(os.path.exists(path))

    def test_file_kept_after_a_rollback(self):
        attachment = self.attach(self.lead, b"Signed form of the person, 91bc")
        path = self.path(attachment)
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.dpo_user.id, {})
            env["gdpr.erasure"].erase(partner_ids=self.partner.ids)
            self.assertFalse(env["ir.attachment"].browse(attachment.id).exists())
            cr.rollback()
        attachment.invalidate_recordset()
        self.assertTrue(attachment.exists())
        self.assertTrue(os.path.exists(path))
        self.assertEqual(attachment.raw, b"Signed form of the person, 91bc")

    def test_shared_file_kept(self):
        content = b"Price list 2026, same file for every customer"
        mine = self.attach(self.lead, content, "price_list.txt")
        other_lead = self.env["crm.lead"].create({"name": "Another customer"})
        theirs = self.attach(other_lead, content, "price_list.txt")
        self.assertEqual(mine.store_fname, theirs.store_fname)
        path = self.path(mine)
        self.Erasure.erase(partner_ids=self.partner.ids)
        self.commit(self.env.cr)
        self.assertFalse(mine.exists())
        self.assertTrue(os.path.exists(path))
        self.assertEqual(theirs.raw, content)

    def test_other_deletions_leave_files_to_odoo(self):
        """Outside erasure and retention, Odoo's garbage collection decides."""
        other_lead = self.env["crm.lead"].create({"name": "Another customer"})
        attachment = self.attach(other_lead, b"Unrelated file, c0ffee")
        path = self.path(attachment)
        attachment.unlink()
        self.commit(self.env.cr)
        self.assertTrue(os.path.exists(path))
