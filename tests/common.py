from odoo.tests import HttpCase, TransactionCase, new_test_user

SALESMAN = "sales_team.group_sale_salesman"
SALES_MANAGER = "sales_team.group_sale_salesman_all_leads,sales_team.group_sale_manager"
INTAKE = "crm_gdpr.group_gdpr_intake"
DPO = "crm_gdpr.group_gdpr_dpo"


class GdprUsers:
    """The users of each group, created once per class (their password is
    their login):

    - ``sales_user`` (``gdpr_sales``): a salesperson,
    - ``sales_manager`` (``gdpr_sales_manager``): a sales manager,
    - ``sensitive_user`` (``gdpr_sensitive``): a salesperson who may read
      sensitive data,
    - ``export_user`` (``gdpr_export``): a salesperson who may export
      personal data,
    - ``dpo_user`` (``gdpr_dpo``): the data protection officer,
    - ``intake_user`` (``gdpr_intake``): the web forms' integration user,
    - ``internal_user`` (``gdpr_internal``): an employee without any sales
      right,
    - ``portal_user`` (``gdpr_portal``): a customer of the portal.
    """

    # what the class's environment adds to the context
    gdpr_context = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.gdpr_context:
            cls.env = cls.env(context=dict(cls.env.context, **cls.gdpr_context))
        env = cls.env
        cls.sales_user = new_test_user(env, "gdpr_sales", groups=SALESMAN)
        cls.sales_manager = new_test_user(
            env, "gdpr_sales_manager", groups=SALES_MANAGER
        )
        cls.sensitive_user = new_test_user(
            env,
            "gdpr_sensitive",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_sensitive",
        )
        cls.export_user = new_test_user(
            env,
            "gdpr_export",
            groups=f"{SALESMAN},crm_gdpr.group_gdpr_export,base.group_allow_export",
        )
        cls.dpo_user = new_test_user(env, "gdpr_dpo", groups=f"{SALESMAN},{DPO}")
        cls.intake_user = new_test_user(
            env, "gdpr_intake", groups=f"{SALESMAN},{INTAKE}"
        )
        cls.internal_user = new_test_user(
            env, "gdpr_internal", groups="base.group_user"
        )
        cls.portal_user = new_test_user(env, "gdpr_portal", groups="base.group_portal")
        cls.marketing = env.ref("crm_gdpr.purpose_marketing_email")
        cls.contract = env.ref("crm_gdpr.purpose_customer_relationship")
        cls.Consent = env["gdpr.consent"]
        cls.History = env["gdpr.consent.history"]

    def is_blacklisted(self, email):
        return bool(self.env["mail.blacklist"].search([("email", "=", email)]))

    def history(self, consent):
        """The consent's history, newest first, as the database orders it."""
        return self.History.search([("consent_id", "=", consent.id)])


class GdprCase(GdprUsers, TransactionCase):
    """The users of each group and a contact with an e-mail address, chatter
    tracking off."""

    gdpr_context = {"tracking_disable": True}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Jan Kowalski", "email": "jan.kowalski@example.pl"}
        )


class GdprHttpCase(GdprUsers, HttpCase):
    """The users of each group, for the tests through the HTTP server."""
