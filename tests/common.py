from odoo.tests import TransactionCase, new_test_user

SALESMAN = "sales_team.group_sale_salesman"
INTAKE = "crm_gdpr.group_gdpr_intake"


class GdprCase(TransactionCase):
    """Users of each privacy group and a contact with an e-mail address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.sales_user = new_test_user(cls.env, "gdpr_sales", groups=SALESMAN)
        cls.sensitive_user = new_test_user(
            cls.env,
            "gdpr_sensitive",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_sensitive",
        )
        cls.export_user = new_test_user(
            cls.env,
            "gdpr_export",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_export,base.group_allow_export",
        )
        cls.dpo_user = new_test_user(
            cls.env, "gdpr_dpo", groups=f"{SALESMAN},crm_gdpr.group_gdpr_dpo"
        )
        cls.intake_user = new_test_user(
            cls.env, "gdpr_intake", groups=f"{SALESMAN},{INTAKE}"
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "email": "jan.kowalski@example.pl"}
        )
        cls.marketing = cls.env.ref("crm_gdpr.purpose_marketing_email")
        cls.contract = cls.env.ref("crm_gdpr.purpose_customer_relationship")
        cls.Consent = cls.env["gdpr.consent"]
        cls.History = cls.env["gdpr.consent.history"]

    def is_blacklisted(self, email):
        return bool(self.env["mail.blacklist"].search([("email", "=", email)]))

    def history(self, consent):
        """The consent's history, newest first, as the database orders it."""
        return self.History.search([("consent_id", "=", consent.id)])
