import base64
import csv
import io
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MailCase

from ..models.gdpr_audit_chain import SELECTED, entry_hash
from .common import GdprCase


class AuditCase(GdprCase):
    """Helpers to read the trail as the DPO, after writing what the
    transaction collected (tests never commit)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["gdpr.audit.entry"]

    def trail(self, records, operation=None):
        domain = [("model", "=", records._name), ("res_id", "in", records.ids)]
        if operation:
            domain.append(("operation", "=", operation))
        return self.Entry.with_user(self.dpo_user).read_trail(domain, limit=None)

    def last_id(self):
        self.Entry._flush_trail()
        return self.Entry.search([], limit=1).id or 0

    def new_entries(self, since):
        self.Entry._flush_trail()
        return self.Entry.search([("id", ">", since)])


@tagged("post_install", "-at_install")
class TestAuditTracking(AuditCase):
    def test_create_write_unlink_with_old_and_new_values(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Eva Novák",
                "email": "eva@example.cz",
                "phone": "+420 601 111 222",
            }
        )
        partner.write({"email": "eva.novak@example.cz", "city": "Brno"})
        partner.write({"email": "eva.novak@example.cz"})  # no change, no entry
        partner.unlink()

        created, changed, deleted = reversed(self.trail(partner))
        self.assertEqual(created["operation"], "create")
        self.assertEqual(created["changes"]["email"], [False, "eva@example.cz"])
        self.assertEqual(created["changes"]["phone"], [False, "+420 601 111 222"])
        self.assertEqual(changed["operation"], "write")
        self.assertEqual(
            changed["changes"],
            {
                "city": [False, "Brno"],
                "email": ["eva@example.cz", "eva.novak@example.cz"],
            },
        )
        self.assertEqual(changed["user_id"], self.env.uid)
        self.assertEqual(changed["interface"], "system")
        # one person, whose contact no longer exists
        self.assertEqual(
            {e["person_key_id"] for e in (created, changed, deleted)},
            {changed["person_key_id"]},
        )
        self.assertFalse(changed["partner_id"])
        self.assertEqual(deleted["operation"], "unlink")
        self.assertEqual(deleted["changes"]["email"], ["eva.novak@example.cz", False])

    def test_unmapped_field_is_not_traced(self):
        since = self.last_id()
        self.partner.write({"comment": False, "ref": "C-42"})
        self.assertFalse(self.new_entries(since))

    def test_batch_write_one_entry_per_changed_record(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {i}", "email": f"b{i}@example.com"} for i in range(5)]
        )
        since = self.last_id()
        partners.write({"phone": "+40 21 000 0000"})
        entries = self.new_entries(since)
        self.assertEqual(len(entries), 5)
        self.assertEqual(set(entries.mapped("res_id")), set(partners.ids))

    def test_bank_account_and_lead_belong_to_their_person(self):
        bank = self.env["res.partner.bank"].create(
            {
                "partner_id": self.partner.id,
                "acc_number": "PL61109010140000071219812874",
            }
        )
        lead = self.env["crm.lead"].create(
            {"name": "Offer", "partner_id": self.partner.id}
        )
        lone = self.env["crm.lead"].create(
            {
                "name": "Fair",
                "contact_name": "Petr Dvořák",
                "email_from": "petr@example.cz",
            }
        )
        (entry,) = self.trail(bank, "create")
        self.assertEqual(entry["partner_id"], self.partner.id)
        self.assertEqual(
            entry["changes"]["acc_number"], [False, "PL61109010140000071219812874"]
        )
        self.assertTrue(
            all(e["partner_id"] == self.partner.id for e in self.trail(lead))
        )
        (lone_entry,) = self.trail(lone)
        self.assertFalse(lone_entry["partner_id"])
        self.assertEqual(
            lone_entry["changes"]["email_from"], [False, "petr@example.cz"]
        )
        self.assertTrue(lone_entry["person_key_id"])

    def test_computed_field_change_is_traced(self):
        """Changing the customer of a lead recomputes its e-mail: the ORM's
        own writes are in the trail too."""
        lead = self.env["crm.lead"].create({"name": "Offer"})
        lead.partner_id = self.partner
        changed = self.trail(lead, "write")[0]
        self.assertEqual(
            changed["changes"]["email_from"], [False, "jan.kowalski@example.pl"]
        )
        self.assertEqual(changed["partner_id"], self.partner.id)

    def test_import_is_traced_as_import(self):
        result = self.env["res.partner"].load(
            ["name", "email"], [["Imported Person", "imported@example.com"]]
        )
        partner = self.env["res.partner"].browse(result["ids"])
        (entry,) = self.trail(partner)
        self.assertEqual(entry["interface"], "import")

    def test_scheduled_action_is_traced_as_cron(self):
        cron = self.env["ir.cron"].create(
            {
                "name": "Update a contact",
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "code",
                "code": f"model.browse({self.partner.id}).write("
                "{'phone': '+48 22 123 45 67'})",
            }
        )
        cron.method_direct_trigger()
        entry = self.trail(self.partner, "write")[0]
        self.assertEqual(entry["interface"], "cron")
        self.assertEqual(entry["changes"]["phone"], [False, "+48 22 123 45 67"])

    def test_rolled_back_change_leaves_no_entry(self):
        since = self.last_id()
        with self.assertRaises(ValueError), self.env.cr.savepoint():
            self.partner.write({"email": "rolled.back@example.com"})
            self.env.flush_all()
            raise ValueError("abort")
        self.assertFalse(self.new_entries(since))

    def test_field_added_to_map_is_traced(self):
        self.env["gdpr.field"].create(
            {
                "model": "res.partner",
                "field_name": "ref",
                "category_id": self.env.ref("crm_gdpr.data_category_identifier").id,
            }
        )
        self.partner.ref = "C-7"
        entry = self.trail(self.partner, "write")[0]
        self.assertEqual(entry["changes"], {"ref": [False, "C-7"]})


@tagged("post_install", "-at_install")
class TestAuditChatter(AuditCase, MailCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        self.env = self.env(context={})
        self.flush_tracking()  # what the set-up created is not new any more

    def flush_tracking(self):
        result = super().flush_tracking()
        self.env.invalidate_all()
        return result

    def test_mapped_fields_are_tracked_in_chatter(self):
        partner = self.env["res.partner"].browse(self.partner.id)
        partner.write({"street": "Długa 5", "mobile": "+48 501 000 000"})
        self.flush_tracking()
        tracked = partner.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("street", tracked)
        self.assertIn("mobile", tracked)

    def test_sensitive_values_hidden_from_other_users_in_chatter(self):
        self.env.ref("crm_gdpr.map_res_partner_vat").sensitivity = "sensitive"
        partner = self.env["res.partner"].browse(self.partner.id)
        partner.with_user(self.sensitive_user).write(
            {"vat": "PL5260250274", "city": "Łódź"}
        )
        self.flush_tracking()
        values = partner.message_ids.tracking_value_ids
        self.assertIn("vat", values.field_id.mapped("name"))
        seen_by_sales = values._filter_has_field_access(self.env(user=self.sales_user))
        self.assertNotIn("vat", seen_by_sales.field_id.mapped("name"))
        self.assertIn("city", seen_by_sales.field_id.mapped("name"))
        seen_by_sensitive = values._filter_has_field_access(
            self.env(user=self.sensitive_user)
        )
        self.assertIn("vat", seen_by_sensitive.field_id.mapped("name"))


@tagged("post_install", "-at_install")
class TestAuditExport(AuditCase):
    def test_export_of_personal_data_refused_without_the_right(self):
        since = self.last_id()
        partners = self.partner.with_user(self.sales_user)
        with self.assertRaisesRegex(AccessError, "not allowed to export personal data"):
            partners.export_data(["name", "email"])
        with self.assertRaises(AccessError):
            partners.export_data(["bank_ids/acc_number"])
        self.assertFalse(self.new_entries(since))

    def test_export_of_other_data_needs_no_right_and_is_not_logged(self):
        since = self.last_id()
        self.sales_user.groups_id += self.env.ref("base.group_allow_export")
        rows = self.partner.with_user(self.sales_user).export_data(
            ["ref", "is_company"]
        )
        self.assertEqual(len(rows["datas"]), 1)
        self.assertFalse(self.new_entries(since))

    def test_export_logged_with_who_what_how_many(self):
        partners = self.partner | self.env["res.partner"].create({"name": "Second"})
        since = self.last_id()
        rows = partners.with_user(self.export_user).export_data(
            ["name", "email", "ref"]
        )
        self.assertEqual(len(rows["datas"]), 2)
        (entry,) = self.new_entries(since)
        self.assertEqual(entry.operation, "export")
        self.assertEqual(entry.user_id, self.export_user)
        self.assertEqual(entry.model, "res.partner")
        self.assertEqual(entry.record_count, 2)
        self.assertEqual(entry.field_names, "name,email,ref")
        self.assertEqual(set(map(int, entry.res_ids.split(","))), set(partners.ids))

    def test_download_trail_as_csv_and_json(self):
        self.partner.write({"phone": "+48 12 345 67 89"})
        self.Entry._flush_trail()
        entries = self.Entry.search([("partner_id", "=", self.partner.id)])
        Download = self.env["gdpr.audit.download"].with_user(self.dpo_user)
        context = {"active_model": "gdpr.audit.entry", "active_ids": entries.ids}
        wizard = Download.with_context(**context).create({"file_format": "json"})
        self.assertEqual(wizard.entry_count, len(entries))
        action = wizard.action_download()
        self.assertIn("/web/content/gdpr.audit.download/", action["url"])
        rows = json.loads(base64.b64decode(wizard.data))
        self.assertEqual({row["id"] for row in rows}, set(entries.ids))
        phone = next(row for row in rows if "phone" in row["fields"])
        self.assertEqual(phone["changes"]["phone"], [None, "+48 12 345 67 89"])

        domain = [("partner_id", "=", self.partner.id)]
        wizard = Download.with_context(
            active_model="gdpr.audit.entry", active_domain=domain
        ).create({"file_format": "csv"})
        wizard.action_download()
        rows = list(csv.DictReader(io.StringIO(base64.b64decode(wizard.data).decode())))
        self.assertEqual({int(row["id"]) for row in rows}, set(entries.ids))
        self.assertIn("+48 12 345 67 89", "".join(row["changes"] for row in rows))
        self.Entry._flush_trail()
        exported = self.Entry.search([("operation", "=", "export")], limit=1)
        self.assertEqual(exported.model, "gdpr.audit.entry")
        self.assertEqual(exported.user_id, self.dpo_user)

    def test_download_refused_to_others(self):
        with self.assertRaises(AccessError):
            self.env["gdpr.audit.download"].with_user(self.sales_user).create({})


@tagged("post_install", "-at_install")
class TestAuditChain(AuditCase):
    def setUp(self):
        super().setUp()
        for n in range(3):
            self.partner.write({"email": f"chain.{n}@example.pl"})
            self.env.flush_all()
        self.entries = self.trail(self.partner, "write")

    def verify(self):
        return self.Entry.with_user(self.dpo_user).verify_chain()

    def test_intact_chain(self):
        result = self.verify()
        self.assertTrue(result["valid"], result)
        self.assertGreaterEqual(result["checked"], 3)
        self.assertEqual(self.entries[0]["prev_hash"], self.entries[1]["hash"])

    def test_edited_entry_detected(self):
        middle = self.entries[1]["id"]
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET user_id = %s WHERE id = %s",
            [self.sales_user.id, middle],
        )
        result = self.verify()
        self.assertFalse(result["valid"])
        self.assertEqual(result["first_broken_id"], middle)
        self.assertIn("altered", result["reason"])

    def test_deleted_entry_detected(self):
        self.env.cr.execute(
            "DELETE FROM gdpr_audit_entry WHERE id = %s", [self.entries[1]["id"]]
        )
        result = self.verify()
        self.assertFalse(result["valid"])
        self.assertEqual(result["first_broken_id"], self.entries[0]["id"])
        self.assertIn("missing", result["reason"])

    def rehash(self, key):
        """Recompute every link from the first, as someone who can write the
        database would after editing an entry."""
        self.env.cr.execute(
            f"SELECT {SELECTED.code} FROM gdpr_audit_entry "
            "WHERE seal_seq IS NOT NULL ORDER BY seal_seq"
        )
        prev = "0" * 64
        for row in self.env.cr.dictfetchall():
            link = entry_hash(prev, row, key)
            self.env.cr.execute(
                "UPDATE gdpr_audit_entry SET prev_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                [prev, link, row["id"]],
            )
            prev = link

    def test_rebuilt_chain_detected_without_the_key(self):
        middle = self.entries[1]["id"]
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET user_id = %s WHERE id = %s",
            [self.sales_user.id, middle],
        )
        self.rehash(b"a guessed key")
        result = self.verify()
        self.assertFalse(result["valid"])
        self.assertIn("altered", result["reason"])
        # the key, kept outside the database, is what tells them apart
        self.rehash(self.Entry._chain_key())
        self.assertTrue(self.verify()["valid"])

    def test_chain_rehashed_without_the_key_detected(self):
        """The attacker who cannot compute the keyed hash falls back to the
        earlier, keyless layout for the links after the one they edit."""
        middle = self.entries[1]
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET user_id = %s, hash_version = 1 "
            "WHERE seal_seq >= %s",
            [self.sales_user.id, middle["link"]],
        )
        # the links before it stay as they were (recomputed identically)
        self.rehash(self.Entry._chain_key())
        result = self.verify()
        self.assertFalse(result["valid"])
        self.assertEqual(result["first_broken_id"], middle["id"])
        self.assertIn("without the key", result["reason"])

    def test_purge_unknown_to_the_heads_file_detected(self):
        path = self.exported_heads()
        for n in range(3):
            self.partner.write({"email": f"later.{n}@example.pl"})
            self.env.flush_all()
        self.Entry._flush_trail()
        # a purge past the exported head, as a forger hiding links would make
        cutoff = fields.Datetime.now() + timedelta(days=1)
        self.Entry._purge_batch(cutoff, batch_size=10000)
        self.Entry._flush_trail()
        purge = self.Entry.search([("operation", "=", "purge")], limit=1)
        self.assertGreater(purge.anchor_seq, self.Entry._exported()[0][0]["seq"])
        result = self.verify()
        self.assertFalse(result["valid"], "the purge's anchor was never exported")
        self.assertIn("not among the exported", result["reason"])
        # once the purge committed, its anchor is exported and accepted
        self.Entry._export_purge(purge.anchor_seq, purge.anchor_hash, "2026-01-01")
        self.assertTrue(self.verify()["valid"])
        self.assertTrue(path.exists())

    def exported_heads(self):
        """Export the head now, as the sealing does after its commit; the
        file is removed after the test (files outlive its rollback)."""
        self.Entry._flush_trail()
        path = self.Entry._heads_path()
        self.addCleanup(lambda: path.unlink(missing_ok=True))
        self.Entry._export_head(self.Entry._chain_head())
        return path

    def test_cut_off_newest_entries_detected(self):
        path = self.exported_heads()
        head = self.Entry._last_exported_head()
        self.assertTrue(self.verify()["valid"])
        self.env.cr.execute(
            "DELETE FROM gdpr_audit_entry WHERE seal_seq = %s", [head["seq"]]
        )
        result = self.verify()
        self.assertFalse(result["valid"])
        self.assertIn("cut off", result["reason"])
        path.unlink()
        self.assertTrue(self.verify()["valid"], "the chain alone cannot see it")

    def test_entries_of_the_earlier_layout_keep_verifying(self):
        # the oldest entries, up to one of the test's, as written before
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET hash_version = NULL WHERE id <= %s",
            [self.entries[2]["id"]],
        )
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET seal_seq = NULL, entry_hash = NULL"
        )
        self.Entry._seal_chain()
        result = self.verify()
        self.assertTrue(result["valid"], result)
        self.assertGreaterEqual(result["checked"], 3)
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET field_names = 'name' WHERE id = %s",
            [self.entries[2]["id"]],
        )
        self.assertFalse(self.verify()["valid"], "a layout 1 entry is checked too")

    def test_verification_action_notifies(self):
        action = self.Entry.with_user(self.dpo_user).action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET field_names = 'name' WHERE id = %s",
            [self.entries[0]["id"]],
        )
        action = self.Entry.with_user(self.dpo_user).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")

    def test_nobody_edits_or_deletes_entries(self):
        entry = self.Entry.browse(self.entries[0]["id"])
        for env in (self.env, self.env(user=self.dpo_user), self.env(su=True)):
            with self.assertRaises(AccessError):
                entry.with_env(env).write({"field_names": "name"})
            with self.assertRaises(AccessError):
                entry.with_env(env).unlink()
            with self.assertRaises(AccessError):
                self.Entry.with_env(env).create({"model": "res.partner"})
        self.assertTrue(self.verify()["valid"])

    def test_purge_keeps_the_chain_verifiable(self):
        self.Entry._flush_trail()
        total = self.Entry.search_count([])
        cutoff = fields.Datetime.now() + timedelta(seconds=1)
        # purge everything but the newest two, in batches of two
        newest = self.Entry.search([], limit=2)
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET date = %s WHERE id = ANY(%s)",
            [cutoff + timedelta(days=1), newest.ids],
        )
        # re-seal from scratch: the dates just changed were part of the hashes
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET seal_seq = NULL, entry_hash = NULL"
        )
        self.Entry._seal_chain()
        rounds, deleted_total, remaining = 0, 0, None
        while remaining != 0:
            deleted, remaining = self.Entry._purge_batch(
                cutoff, batch_size=max(2, total // 3)
            )
            deleted_total += deleted
            rounds += 1
            self.assertTrue(self.verify()["valid"], "valid after every batch")
        self.assertGreater(rounds, 1)
        self.assertEqual(deleted_total, total - 2)
        kept = self.Entry.search([])
        self.assertEqual(set(newest.ids) <= set(kept.ids), True)
        self.assertEqual(set(kept.mapped("operation")) - {"write", "purge"}, set())
        self.assertTrue(self.verify()["valid"])
        # removing the newest purge entry breaks the anchor
        self.env.cr.execute(
            "DELETE FROM gdpr_audit_entry WHERE id = "
            "(SELECT MAX(id) FROM gdpr_audit_entry WHERE operation = 'purge')"
        )
        self.assertFalse(self.verify()["valid"])

    def test_purge_cron_follows_the_retention_setting(self):
        self.Entry._flush_trail()
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET date = date - interval '13 months'"
        )
        self.env.cr.execute(
            "UPDATE gdpr_audit_entry SET seal_seq = NULL, entry_hash = NULL"
        )
        self.Entry._seal_chain()
        before = self.Entry.search_count([])
        self.Entry._cron_purge()
        self.assertEqual(
            self.Entry.search_count([]), before, "0 months keeps everything"
        )
        self.env["res.config.settings"].create(
            {"gdpr_audit_retention_months": 12}
        ).execute()
        self.Entry._cron_purge(batch_size=before)
        # what stays: the purge entry and the newest link, which the next
        # entries are chained to
        self.assertEqual(self.Entry.search([]).mapped("operation"), ["purge", "write"])
        self.assertTrue(self.verify()["valid"])


@tagged("post_install", "-at_install")
class TestAuditErasure(AuditCase):
    def test_erased_subject_values_are_gone_but_entries_stay(self):
        other = self.env["res.partner"].create(
            {"name": "Ana Ionescu", "email": "ana@example.ro"}
        )
        self.partner.write({"phone": "+48 600 000 001"})
        lead = self.env["crm.lead"].create(
            {
                "name": "Fair",
                "contact_name": "Jan K.",
                "email_from": "jan.kowalski@example.pl",
            }
        )
        keys = self.Entry._erase_subjects(self.partner, lead)
        self.assertEqual(len(keys), 2)
        entries = self.trail(self.partner) + self.trail(lead)
        self.assertEqual(
            {(entry["model"], entry["res_id"]) for entry in entries},
            {("res.partner", self.partner.id), ("crm.lead", lead.id)},
        )
        for entry in entries:
            self.assertFalse(entry["changes"])
            self.assertTrue(entry["values_erased"])
            self.assertTrue(entry["fields"], "which fields changed stays provable")
        self.assertEqual(
            self.trail(other)[0]["changes"]["email"], [False, "ana@example.ro"]
        )
        self.env.cr.execute(
            "SELECT secret FROM gdpr_subject_key WHERE id = ANY(%s)", [keys.ids]
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, {None})
        self.assertTrue(self.Entry.with_user(self.dpo_user).verify_chain()["valid"])
        erase = self.Entry.search([("operation", "=", "erase")], limit=1)
        self.assertEqual(erase.record_count, 2)
        # a later change of the same record gets a new key
        self.partner.write({"phone": "+48 600 000 002"})
        self.assertEqual(
            self.trail(self.partner, "write")[0]["changes"]["phone"],
            ["+48 600 000 001", "+48 600 000 002"],
        )


@tagged("post_install", "-at_install")
class TestAuditAccess(AuditCase):
    def test_only_the_dpo_reads_the_trail(self):
        self.partner.write({"phone": "+48 600 000 003"})
        for user in (self.sales_user, self.sensitive_user, self.export_user):
            Entry = self.Entry.with_user(user)
            with self.assertRaises(AccessError):
                Entry.search([])
            with self.assertRaises(AccessError):
                Entry.read_trail()
            with self.assertRaises(AccessError):
                Entry.verify_chain()
            with self.assertRaises(AccessError):
                self.env["gdpr.subject.key"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.partner.with_user(user).action_view_gdpr_audit_trail()
        self.assertTrue(self.Entry.with_user(self.dpo_user).read_trail())

    def test_contact_trail_from_the_form(self):
        self.partner.write({"phone": "+48 600 000 004"})
        partner = self.partner.with_user(self.dpo_user)
        action = partner.action_view_gdpr_audit_trail()
        entries = self.Entry.with_user(self.dpo_user).search(action["domain"])
        self.assertTrue(entries)
        self.assertEqual(partner.gdpr_audit_count, len(entries))
        self.assertIn("+48 600 000 004", entries[0].changes_display)

    def test_subject_keys_never_readable_by_the_dpo(self):
        key = self.env["gdpr.subject.key"].search([], limit=1).with_user(self.dpo_user)
        self.assertTrue(key.display_name)
        with self.assertRaises(AccessError):
            key.read(["secret"])
