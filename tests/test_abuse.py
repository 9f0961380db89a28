"""Each defence written as the abuse it prevents: who tries, the call they
make, and a check that nothing was written or leaked."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import SALESMAN, GdprCase


@tagged("post_install", "-at_install")
class TestPrivilegeAbuse(GdprCase):
    def attachments(self):
        return self.env["ir.attachment"].search_count([])

    def test_salesperson_cannot_export_a_person(self):
        """A curious salesperson registers an access request for someone and
        calls the export over RPC to read the package."""
        self.env["res.partner.bank"].create(
            {
                "partner_id": self.partner.id,
                "acc_number": "PL61109010140000071219812874",
            }
        )
        Request = self.env["gdpr.request"].with_user(self.sales_user)
        request = Request.browse(
            Request.submit_request("access", self.partner.id)["id"]
        )
        before = self.attachments()
        with self.assertRaisesRegex(AccessError, "data protection officer"):
            request.action_export()
        self.assertEqual(self.attachments(), before)
        self.assertFalse(request.sudo().export_attachment_ids)
        with self.assertRaises(AccessError):
            self.env["gdpr.subject.export"].with_user(self.sales_user).export_person(
                self.partner.id
            )
        # the DPO may, and the package is listed on the request, but its
        # files stay the DPO's: the salesperson who can read the request
        # cannot open them
        request.with_user(self.dpo_user).action_export()
        files = request.sudo().export_attachment_ids
        self.assertEqual(len(files), 2)
        with self.assertRaises(AccessError):
            files.with_user(self.sales_user).read(["datas"])
        self.assertTrue(files.with_user(self.dpo_user).read(["datas"])[0]["datas"])
        self.assertFalse(
            request.message_ids.attachment_ids, "no file in the chatter either"
        )

    def test_process_fields_refused_to_everyone_else(self):
        """A salesperson marks a contact as erased so that the real erasure
        answers "already erased"; others try the restriction flags."""
        Partner = self.env["res.partner"]
        cases = [
            (self.sales_user, {"gdpr_erased_date": "2026-01-01 00:00:00"}),
            (self.sales_user, {"gdpr_restricted": True}),
            (self.dpo_user, {"gdpr_erased_date": "2026-01-01 00:00:00"}),
            (self.dpo_user, {"gdpr_restricted": False}),
            (self.dpo_user, {"gdpr_restriction_reason": "none"}),
        ]
        for user, vals in cases:
            with (
                self.subTest(user=user.login, vals=vals),
                self.assertRaisesRegex(AccessError, "privacy processes"),
            ):
                self.partner.with_user(user).write(vals)
        self.assertFalse(self.partner.gdpr_erased_date)
        self.assertFalse(self.partner.gdpr_restricted)
        count = Partner.search_count([])
        with self.assertRaises(AccessError):
            Partner.with_user(self.sales_user).create(
                {"name": "Ghost", "gdpr_erased_date": "2026-01-01 00:00:00"}
            )
        self.assertEqual(Partner.search_count([]), count)
        # the process itself: the DPO's restriction goes through
        self.partner.with_user(self.dpo_user).gdpr_set_restriction(True, "Disputed")
        self.assertTrue(self.partner.gdpr_restricted)
        self.assertEqual(self.partner.gdpr_restriction_reason, "Disputed")

    def test_who_verified_an_identity_is_what_the_system_saw(self):
        Request = self.env["gdpr.request"].with_user(self.sales_user)
        request = Request.browse(
            Request.submit_request("access", self.partner.id)["id"]
        )
        with self.assertRaises(AccessError):
            request.write({"identity_verified_by_id": self.dpo_user.id})
        self.assertFalse(request.identity_verified_by_id)
        request.write({"identity_verified": True})
        self.assertEqual(request.identity_verified_by_id, self.sales_user)
        request.write({"identity_verified": False})
        self.assertFalse(request.identity_verified_by_id)
        # ticked when registered: the one who registers it verified it
        created = Request.create(
            {
                "request_type": "access",
                "partner_id": self.partner.id,
                "identity_verified": True,
            }
        )
        self.assertEqual(created.identity_verified_by_id, self.sales_user)

    def test_backdated_objection_refused(self):
        Objection = self.env["gdpr.objection"].with_user(self.sales_user)
        legitimate = self.env["gdpr.purpose"].search(
            [("legal_basis", "=", "legitimate_interest")], limit=1
        )
        count = Objection.sudo().search_count([])
        with self.assertRaises(AccessError):
            Objection.create(
                {
                    "partner_id": self.partner.id,
                    "purpose_id": legitimate.id,
                    "date": "2020-01-01 00:00:00",
                }
            )
        self.assertEqual(Objection.sudo().search_count([]), count)

    def test_salesperson_cannot_purge_a_field(self):
        """Purging switched-off values is irreversible and runs as
        superuser: a salesperson calling it over RPC is refused."""
        self.addCleanup(self.env["gdpr.field"]._apply_field_access, signal=False)
        entry = self.env.ref("crm_gdpr.map_res_partner_function")
        self.partner.function = "Buyer"
        entry.with_user(self.dpo_user).collected = False
        with self.assertRaisesRegex(AccessError, "data protection officer"):
            entry.with_user(self.sales_user).action_purge_values()
        self.assertEqual(self.partner.function, "Buyer")


@tagged("post_install", "-at_install")
class TestProofAbuse(GdprCase):
    def written(self):
        return (
            self.Consent.search_count([]),
            self.History.search_count([]),
            self.env["mail.mail"].search_count([]),
            self.env["res.partner"].search_count([]),
            self.env["gdpr.consent.request"].search_count([]),
        )

    def test_salesperson_cannot_invent_a_web_form_proof(self):
        """A salesperson records a consent as if the person had ticked a
        web form, with an invented IP address and browser."""
        Consent = self.Consent.with_user(self.sales_user)
        before = self.written()
        for kwargs in (
            {"channel": "form"},
            {"channel": "api"},
            {"channel": "import"},
            {"channel": "phone", "ip_address": "198.51.100.7"},
            {"channel": "email", "user_agent": "Mozilla/5.0"},
            {"channel": "paper", "consent_text": "I agree to everything."},
        ):
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesRegex(AccessError, "witnessed"),
            ):
                Consent.record_consent(
                    self.partner.id, "marketing_email", "given", **kwargs
                )
        with self.assertRaisesRegex(ValidationError, "channel"):
            Consent.record_consent(self.partner.id, "marketing_email", "given")
        self.assertEqual(self.written(), before)
        # what they witnessed, under their own name, without a proof of others
        result = Consent.record_consent(
            self.partner.id, "marketing_email", "given", channel="phone"
        )
        history = self.Consent.browse(result["id"]).history_ids
        self.assertEqual(history.channel, "phone")
        self.assertEqual(history.user_id, self.sales_user)
        self.assertFalse(history.ip_address or history.user_agent)

    def test_button_asks_the_channel_and_writes_nothing(self):
        consent = self.Consent.create(
            {"partner_id": self.partner.id, "purpose_id": self.marketing.id}
        )
        consent._set_state("given", channel="form", proof={"ip_address": "192.0.2.1"})
        before = self.written()
        action = consent.with_user(self.sales_user).action_withdraw()
        self.assertEqual(action["res_model"], "gdpr.consent.record.wizard")
        self.assertEqual(action["context"]["default_decision"], "withdrawn")
        self.assertEqual(self.written(), before)
        self.assertEqual(consent.state, "given")
        consent.with_user(self.sales_user).action_withdraw(channel="phone")
        self.assertEqual(consent.state, "withdrawn")
        self.assertEqual(consent.channel, "phone")
        self.assertFalse(consent.ip_address, "no proof carried over from the form")

    def test_salesperson_cannot_register_sign_ups(self):
        """A salesperson uses the intake method to reset a withdrawn consent
        and mail the company's confirmation to any address."""
        consent = self.Consent.create(
            {"partner_id": self.partner.id, "purpose_id": self.marketing.id}
        )
        consent._set_state("given", channel="email")
        consent._set_state("withdrawn", channel="email")
        before = self.written()
        for user in (self.sales_user, self.dpo_user):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(AccessError, "intake"),
            ):
                self.env["gdpr.consent.request"].with_user(user).submit_signup(
                    email=self.partner.email, purpose_codes=["marketing_email"]
                )
        self.assertEqual(self.written(), before)
        self.assertEqual(consent.state, "withdrawn")
        result = (
            self.env["gdpr.consent.request"]
            .with_user(self.intake_user)
            .submit_signup(
                email="new.person@example.pl", purpose_codes=["marketing_email"]
            )
        )
        self.assertEqual(result["pending"], ["marketing_email"])

    def test_sign_up_name_is_not_written_into_the_companys_email(self):
        """A public form posts a stranger's address with a "name" that is a
        phishing message: the confirmation e-mail, sent in the company's
        name, shows neither in its greeting nor in its recipient."""
        lure = "Your account is locked, call +1 555 0100 or visit evil.example"
        result = (
            self.env["gdpr.consent.request"]
            .with_user(self.intake_user)
            .submit_signup(
                email="lure@example.pl", name=lure, purpose_codes=["marketing_email"]
            )
        )
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "gdpr.consent.request"),
                ("res_id", "=", result["request_id"]),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Hello,", mail.body_html)
        self.assertNotIn("locked", mail.body_html)
        self.assertNotIn("locked", mail.email_to or "")
        self.assertNotIn(
            "locked", " ".join(mail.recipient_ids.mapped("email_formatted"))
        )
        self.assertEqual(mail.email_to, "lure@example.pl")

    def test_repeated_sign_up_sends_one_email(self):
        """Anyone who can post a public sign-up form makes it call the intake
        again and again with a victim's address: one confirmation e-mail a
        day, not one per post."""
        Request = self.env["gdpr.consent.request"].with_user(self.intake_user)
        email = "flood@example.pl"

        def sent():
            requests = self.env["gdpr.consent.request"].search(
                [("partner_id.email_normalized", "=", email)]
            )
            mails = self.env["mail.mail"].search(
                [
                    ("model", "=", "gdpr.consent.request"),
                    ("res_id", "in", requests.ids or [0]),
                ]
            )
            return requests, mails

        results = [
            Request.submit_signup(email=email, purpose_codes=["marketing_email"])
            for _i in range(3)
        ]
        requests, mails = sent()
        self.assertEqual(len(requests), 1)
        self.assertEqual(len(mails), 1)
        self.assertEqual({r["request_id"] for r in results}, {requests.id})
        self.assertEqual([r["pending"] for r in results], [["marketing_email"]] * 3)

        # a day later, the person may ask for the e-mail again
        self.env.cr.execute(
            SQL(
                "UPDATE gdpr_consent_request SET create_date = create_date - "
                "interval '25 hours' WHERE id = %s",
                requests.id,
            )
        )
        requests.invalidate_recordset()
        again = Request.submit_signup(email=email, purpose_codes=["marketing_email"])
        requests, mails = sent()
        self.assertEqual(len(requests), 2)
        self.assertEqual(len(mails), 2)
        self.assertEqual(again["request_id"], max(requests.ids))

        # an answered link is not reused
        requests.browse(again["request_id"]).sudo().state = "answered"
        Request.submit_signup(email=email, purpose_codes=["marketing_email"])
        requests, mails = sent()
        self.assertEqual(len(requests), 3)
        self.assertEqual(len(mails), 3)

    def test_sign_up_by_a_stranger_leaves_a_withdrawal_as_it_is(self):
        """Anyone who can post a public sign-up form ticks a box with the
        address of a person who withdrew: the withdrawal stays until the
        person confirms by the e-mailed link."""
        consent = self.Consent.create(
            {"partner_id": self.partner.id, "purpose_id": self.marketing.id}
        )
        consent._set_state("given", channel="email")
        consent._set_state("withdrawn", channel="email")
        self.assertTrue(self.is_blacklisted(self.partner.email))
        history = self.history(consent)
        Request = self.env["gdpr.consent.request"].with_user(self.intake_user)
        result = Request.submit_signup(
            email=self.partner.email,
            purpose_codes=["marketing_email"],
            ip_address="198.51.100.7",
        )
        self.assertEqual(result["pending"], ["marketing_email"], "asked again")
        request = Request.sudo().browse(result["request_id"])
        self.assertEqual(request.kind, "confirmation")
        self.assertEqual(request.purpose_ids, self.marketing)
        consent.invalidate_recordset()
        self.assertEqual(consent.state, "withdrawn")
        self.assertNotEqual(consent.ip_address, "198.51.100.7")
        self.assertEqual(self.history(consent), history)
        self.assertTrue(self.is_blacklisted(self.partner.email))

        # not confirmed in time: still the person's own withdrawal
        request.expires_at = fields.Datetime.now() - timedelta(days=1)
        self.env["gdpr.consent.request"]._cron_expire()
        consent.invalidate_recordset()
        self.assertEqual(consent.state, "withdrawn")
        self.assertEqual(self.history(consent), history)

        # the person confirms a new sign-up: given again
        result = Request.submit_signup(
            email=self.partner.email, purpose_codes=["marketing_email"]
        )
        Request.sudo().browse(result["request_id"])._answer(
            {self.marketing: "given"}, {"ip_address": "203.0.113.9"}
        )
        consent.invalidate_recordset()
        self.assertEqual(consent.state, "given")
        self.assertEqual(consent.ip_address, "203.0.113.9")


@tagged("post_install", "-at_install")
class TestDpoAbuse(GdprCase):
    """A careless or curious DPO of one company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Firma B"})
        cls.partner_b = cls.env["res.partner"].create(
            {
                "name": "Beata Bednarska",
                "email": "beata@firma-b.pl",
                "company_id": cls.company_b.id,
            }
        )
        cls.partner_a = cls.env["res.partner"].create(
            {
                "name": "Adam Adamski",
                "email": "adam@firma-a.pl",
                "company_id": cls.env.company.id,
            }
        )
        cls.dpo_b = new_test_user(
            cls.env,
            "gdpr_dpo_b",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_dpo",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def test_dpo_cannot_restrict_another_companys_contact(self):
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.dpo_user).gdpr_set_restriction(True, "x")
        self.assertFalse(self.partner_b.gdpr_restricted)
        self.assertFalse(self.is_blacklisted("beata@firma-b.pl"))

    def test_trail_entries_belong_to_the_persons_company(self):
        """The writer works in company B; the entry is about a contact of
        company A, and only A's DPO reads it."""
        Entry = self.env["gdpr.audit.entry"]
        Entry._flush_trail()
        self.partner_a.with_company(self.company_b).write({"phone": "+48 22 111"})
        Entry._flush_trail()
        entry = Entry.search([("res_id", "=", self.partner_a.id)], limit=1)
        self.assertEqual(entry.company_id, self.env.company)
        domain = [("partner_id", "=", self.partner_a.id)]
        self.assertFalse(Entry.with_user(self.dpo_b).read_trail(domain))
        self.assertTrue(Entry.with_user(self.dpo_user).read_trail(domain))

    def test_dpo_cannot_map_the_databases_own_rules(self):
        """Switching off ir.rule.active in the map, then purging it, would
        archive every record rule."""
        Field = self.env["gdpr.field"].with_user(self.dpo_user)
        category = self.env["gdpr.data.category"].search([], limit=1)
        count = Field.search_count([])
        for model, field in (
            ("ir.rule", "active"),
            ("res.users", "login"),
            ("res.groups", "name"),
            ("res.company", "name"),
            ("gdpr.consent", "state"),
        ):
            with self.subTest(model=model), self.assertRaises(ValidationError):
                Field.create(
                    {
                        "model_id": self.env["ir.model"]._get_id(model),
                        "field_id": self.env["ir.model.fields"]._get(model, field).id,
                        "category_id": category.id,
                        "collected": False,
                    }
                )
        self.assertEqual(Field.search_count([]), count)
        self.assertTrue(self.env.ref("base.res_partner_rule").active)

    def test_dpo_cannot_point_retention_at_other_records(self):
        """Retention lines run as superuser: their target and action are
        the plan's, never written by hand."""
        review = self.env["gdpr.retention.review"].with_user(self.dpo_user).create({})
        line = (
            self.env["gdpr.retention.line"]
            .sudo()
            .create(
                {
                    "review_id": review.id,
                    "res_model": "res.partner",
                    "res_id": self.partner.id,
                    "action": "archive",
                }
            )
        )
        for vals in (
            {"res_model": "crm.lead"},
            {"res_id": self.partner_b.id},
            {"action": "delete"},
            {"state": "done"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                line.with_user(self.dpo_user).write(vals)
        with self.assertRaises(AccessError):
            review.with_user(self.dpo_user).write({"state": "planned"})
        self.assertEqual(
            (line.res_model, line.res_id, line.action, line.state, review.state),
            ("res.partner", self.partner.id, "archive", "pending", "draft"),
        )
        # what the DPO does decide: leave someone out
        line.with_user(self.dpo_user).write({"excluded": True, "exclusion_reason": "x"})
        self.assertTrue(line.excluded)

    def test_dpo_cannot_erase_or_export_another_companys_people(self):
        """The DPO of company A names company B's contact, or finds B's
        records through the address of their own contact."""
        Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        with self.assertRaises(AccessError):
            Erasure.erase([self.partner_b.id])
        with self.assertRaises(AccessError):
            Erasure.preview([self.partner_b.id])
        self.assertFalse(self.partner_b.gdpr_erased_date)
        self.assertEqual(self.partner_b.name, "Beata Bednarska")
        # a lead of company B carries the address of company A's contact
        lead_b = self.env["crm.lead"].create(
            {
                "name": "B's private deal",
                "email_from": "adam@firma-a.pl",
                "company_id": self.company_b.id,
            }
        )
        (preview,) = Erasure.preview([self.partner_a.id])
        places = {(p["model"], p["res_id"]) for p in preview["places"]}
        self.assertIn(("res.partner", self.partner_a.id), places)
        self.assertNotIn(("crm.lead", lead_b.id), places)
        self.assertTrue([n for n in preview["notes"] if "B's private deal" in n])
        package = (
            self.env["gdpr.subject.export"]
            .with_user(self.dpo_user)
            .export_person(self.partner_a.id)
        )
        self.assertNotIn("B's private deal", str(package))
        Erasure.erase([self.partner_a.id])
        self.assertEqual(lead_b.name, "B's private deal")
        self.assertEqual(lead_b.email_from, "adam@firma-a.pl")

    def test_export_leaves_out_private_discussions(self):
        """A colleague's direct chat mentions the person: it is no record the
        company processes about them."""
        channel = self.env["discuss.channel"].create(
            {"name": "Private", "channel_type": "group"}
        )
        channel.message_post(
            body="PRIVATE: my salary, and Adam Adamski adam@firma-a.pl",
            author_id=self.partner_a.id,
            message_type="comment",
        )
        self.partner_a.message_post(body="Called about the offer.")
        package = (
            self.env["gdpr.subject.export"]
            .with_user(self.dpo_user)
            .export_person(self.partner_a.id)
        )
        self.assertIn("Called about the offer.", str(package["messages"]))
        self.assertNotIn("PRIVATE", str(package))

    def test_breach_scope_cannot_probe_through_relations(self):
        """A filter through another model would count, as superuser, what the
        rules hide (another company's lead description)."""
        self.env["crm.lead"].create(
            {
                "name": "B deal",
                "description": "SECRET-B-7731",
                "partner_id": self.partner.id,
                "company_id": self.company_b.id,
            }
        )
        breach = self.env["gdpr.breach"].with_user(self.dpo_user)
        breach = breach.browse(breach.record_breach(title="Lost laptop")["id"])
        for domain in (
            [("opportunity_ids.description", "ilike", "SECRET-B")],
            [("no_such_field", "=", 1)],
        ):
            with self.subTest(domain=domain), self.assertRaises(ValidationError):
                breach.compute_scope("partner_domain", domain)
        self.assertFalse(breach.subject_count)

    def test_dpo_of_one_company_cannot_force_others_password_change(self):
        admin = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            self.env["res.users"].with_user(self.dpo_b).gdpr_request_password_change(
                [admin.id], "Your account is locked, call +1 555 0100"
            )
        self.assertFalse(admin.gdpr_password_change_required)

    def test_contactability_says_nothing_of_other_companies(self):
        """A salesperson of company A asks about an address that only company
        B holds, with an objection: B's records tell A nothing."""
        legitimate = self.env["gdpr.purpose"].search(
            [("legal_basis", "=", "legitimate_interest")], limit=1
        )
        self.env["gdpr.objection"].create(
            {"partner_id": self.partner_b.id, "purpose_id": legitimate.id}
        )
        answer = (
            self.env["gdpr.purpose"]
            .with_user(self.sales_user)
            .check_contactable(legitimate.code, emails=["beata@firma-b.pl"])
        )
        (refused,) = answer["refused"]
        self.assertEqual(refused["reason"], "unknown")
        self.assertNotIn("objection", refused["reasons"])

    def test_erased_address_hidden_in_other_records_old_entries(self):
        """Another lead's CC held the person's address before the erasure:
        its sealed entry is encrypted under that lead's key, and still does
        not show the address once the person is erased."""
        Entry = self.env["gdpr.audit.entry"]
        lead = self.env["crm.lead"].create(
            {"name": "Colleague's deal", "email_cc": "adam@firma-a.pl, x@firma-c.pl"}
        )
        Entry._flush_trail()
        domain = [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        before = Entry.with_user(self.dpo_user).read_trail(domain)
        self.assertIn("adam@firma-a.pl", str(before))
        self.env["gdpr.erasure"].with_user(self.dpo_user).erase(self.partner_a.ids)
        after = Entry.with_user(self.dpo_user).read_trail(domain)
        self.assertNotIn("adam@firma-a.pl", str(after))
        self.assertIn("x@firma-c.pl", str(after), "others' addresses stay readable")

    def test_longer_name_containing_the_name_is_spared(self):
        """Erasing Jan Novák never touches what is written about Petr Jan
        Novák; naming "Petr Jan" is refused, as another name holds it."""
        Partner = self.env["res.partner"]
        jan = Partner.create({"name": "Jan Novák", "email": "jan.novak@firma-a.pl"})
        petr = Partner.create({"name": "Petr Jan Novák", "email": "pjn@firma-a.pl"})
        note = petr.message_post(body="Spoke to Petr Jan Novák about the renewal.")
        Erasure = self.env["gdpr.erasure"].with_user(self.dpo_user)
        (preview,) = Erasure.preview([jan.id])
        places = {(p["model"], p["res_id"]) for p in preview["places"]}
        self.assertNotIn(("mail.message", note.id), places)
        self.assertTrue([n for n in preview["notes"] if "Jan Novák" in n])
        with self.assertRaises(ValidationError):
            Erasure.preview(identifiers=[{"email": "x@firma-a.pl", "name": "Petr Jan"}])
        Erasure.erase([jan.id])
        self.assertIn("Petr Jan Novák", str(note.body))
