from contextlib import contextmanager

from odoo import SUPERUSER_ID
from odoo.tests import tagged, users, warmup

from .test_erasure import OTHER, PERSON, ErasureCase

# the queries of one person's preview, export and erasure, whatever the data
# around them (less is welcome: Odoo only logs it); measured with demo data,
# without it they are 57, 87 and 118
PREVIEW_QUERIES = 58
EXPORT_QUERIES = 90
ERASE_QUERIES = 124


@tagged("post_install", "-at_install")
class TestErasureQueries(ErasureCase):
    """The person finder reads indexes: the number of queries of a preview,
    an erasure and an export does not depend on the data around the
    person. And the export lists the same records as the erasure."""

    def count(self, function):
        """Queries of ``function``, caches cleared, after a warm-up."""
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        function()
        return self.cr.sql_log_count - before

    @contextmanager
    def as_superuser(self):
        """Build the data as the system does, whoever the test runs as."""
        env = self.env
        self.env = env(user=SUPERUSER_ID)
        try:
            yield
        finally:
            self.env = env

    def add_other_people(self, count):
        for index in range(count):
            self.build_footprint(
                dict(
                    OTHER,
                    name=f"Mircea Dinescu{index}",
                    email=f"mircea{index}@example.ro",
                    phone=f"+40 721 987 6{index:02d}",
                    street=f"Strada Lipscani {index + 50}",
                    iban=OTHER["iban"][:-2] + f"{index:02d}",
                )
            )

    def test_query_counts_do_not_depend_on_the_data_around(self):
        mine = self.build_footprint(PERSON)
        Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        Export = self.env["gdpr.subject.export"].with_user(self.dpo_user)
        partner_ids = mine["partner"].ids

        def measure():
            counts = {}
            for name, function in [
                ("preview", lambda: Erasure.preview(partner_ids=partner_ids)),
                ("export", lambda: Export.export_person(partner_ids[0])),
            ]:
                # warm-up: registry caches (access rules, the map)
                function()
                self.count(function)
                counts[name] = self.count(function)
            return counts

        alone = measure()
        self.add_other_people(3)
        crowded = measure()
        self.assertEqual(alone, crowded)
        self.assertGreater(alone["preview"], 0)

    def test_erasure_query_count_does_not_depend_on_the_data_around(self):
        Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        counts = []
        # the first erasure makes the suppression salt and warms caches
        for index in range(4):
            partner = self.env["res.partner"].create(
                {
                    "name": f"Jolanta Kowalczyk {index}",
                    "email": f"jolanta{index}@example.pl",
                    "phone": f"+48 601 234 56{index}",
                }
            )
            self.env["crm.lead"].create(
                {"name": f"Offer {index}", "partner_id": partner.id}
            )
            if index == 3:
                self.add_other_people(3)
            # the data around is written, as in a database where it was
            # committed before: its trail is not this transaction's
            self.flush_tracking()
            counts.append(
                self.count(lambda p=partner: Erasure.erase(partner_ids=p.ids))
            )
        self.assertEqual(counts[2], counts[3])

    @users("gdpr_dpo")
    @warmup
    def test_preview_and_export_in_a_fixed_number_of_queries(self):
        with self.as_superuser():
            partner_ids = self.build_footprint(PERSON)["partner"].ids
        Erasure = self.env["gdpr.erasure"]
        Export = self.env["gdpr.subject.export"]
        for around in (0, 3):
            with self.as_superuser():
                self.add_other_people(around)
                self.flush_tracking()
            self.env.invalidate_all()
            with self.assertQueryCount(gdpr_dpo=PREVIEW_QUERIES):
                (plan,) = Erasure.preview(partner_ids=partner_ids)
            self.assertEqual(plan["status"], "to_erase")
            self.env.invalidate_all()
            with self.assertQueryCount(gdpr_dpo=EXPORT_QUERIES):
                package = Export.export_person(partner_ids[0])
            self.assertEqual(
                [row["id"] for row in package["records"]["res.partner"]][:1],
                partner_ids[:1],
            )

    @users("gdpr_dpo")
    @warmup
    def test_erasure_in_a_fixed_number_of_queries(self):
        with self.as_superuser():
            partner = self.env["res.partner"].create(
                {
                    "name": PERSON["name"],
                    "email": PERSON["email"],
                    "phone": PERSON["phone"],
                }
            )
            self.env["crm.lead"].create({"name": "Offer", "partner_id": partner.id})
            self.add_other_people(2)
            self.flush_tracking()
        self.env.invalidate_all()
        with self.assertQueryCount(gdpr_dpo=ERASE_QUERIES):
            (result,) = self.env["gdpr.erasure"].erase(partner_ids=partner.ids)
        self.assertEqual(result["status"], "erased")

    def test_export_and_erasure_list_the_same_records(self):
        mine = self.build_footprint(PERSON)
        self.build_footprint(OTHER)
        partner = mine["partner"]
        # her contact under her employer, with her address
        self.env["res.partner"].create(
            {
                "name": PERSON["name"],
                "email": PERSON["email"].upper(),
                "parent_id": self.company_contact.id,
            }
        )
        (preview,) = (
            self.env["gdpr.erasure"]
            .with_user(self.dpo_user)
            .preview(partner_ids=partner.ids)
        )
        export = (
            self.env["gdpr.subject.export"]
            .with_user(self.dpo_user)
            .export_person(partner.id)
        )
        erased = [
            {key: place[key] for key in ("model", "res_id", "action")}
            for place in preview["places"]
        ]
        self.assertEqual(export["places"], erased)
        exported_partners = {row["id"] for row in export["records"]["res.partner"]}
        erased_partners = {
            p["res_id"]
            for p in preview["places"]
            if p["model"] == "res.partner" and p["action"] == "anonymise"
        }
        self.assertEqual(exported_partners, erased_partners)
        self.assertEqual(len(erased_partners), 3, "her contact, child, and copy")
        exported_leads = {row["id"] for row in export["records"]["crm.lead"]}
        self.assertEqual(
            exported_leads,
            {p["res_id"] for p in preview["places"] if p["model"] == "crm.lead"},
        )
        self.assertTrue(export["messages"])
