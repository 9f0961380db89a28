import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

LEGAL_BASES = [
    ("consent", "Consent (Art. 6(1)(a))"),
    ("contract", "Contract (Art. 6(1)(b))"),
    ("legal_obligation", "Legal obligation (Art. 6(1)(c))"),
    ("vital_interest", "Vital interests (Art. 6(1)(d))"),
    ("public_task", "Public task (Art. 6(1)(e))"),
    ("legitimate_interest", "Legitimate interests (Art. 6(1)(f))"),
]

RETENTION_END_ACTIONS = [
    ("anonymise", "Anonymise"),
    ("delete", "Delete"),
    ("archive", "Archive"),
]

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class GdprPurpose(models.Model):
    """A processing activity of the record of processing activities (Art. 30)."""

    _name = "gdpr.purpose"
    _description = "Processing Purpose"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(
        required=True,
        copy=False,
        index=True,
        tracking=True,
        help="Stable identifier used by integrations (RPC) and exports: "
        "lower-case letters, digits, '.', '-' and '_'.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(
        translate=True, help="What is done with the data and why."
    )
    legal_basis = fields.Selection(
        LEGAL_BASES, required=True, default="consent", tracking=True
    )
    consent_required = fields.Boolean(
        compute="_compute_consent_required",
        store=True,
        readonly=False,
        tracking=True,
        help="Processing for this purpose needs the person's consent. "
        "Always true for purposes based on consent.",
    )
    consent_text = fields.Text(
        string="Consent wording",
        translate=True,
        tracking=True,
        help="The text shown to the person when asking for consent. Each "
        "recorded consent keeps the wording it was given on, and its hash.",
    )
    email_marketing = fields.Boolean(
        string="Covers e-mail marketing",
        tracking=True,
        help="Withdrawing a consent for this purpose puts the person's e-mail "
        "address on the blacklist at once.",
    )
    legitimate_interest = fields.Text(
        translate=True,
        string="Legitimate interest assessment",
        help="The interest pursued and why it is not overridden by the "
        "interests of the data subjects (Art. 6(1)(f)).",
    )
    retention_months = fields.Integer(
        string="Retention (months)",
        tracking=True,
        help="How long the data is kept for this purpose after it was last "
        "needed. 0: no fixed period.",
    )
    retention_end_action = fields.Selection(
        RETENTION_END_ACTIONS,
        string="At the end of retention",
        required=True,
        default="anonymise",
        tracking=True,
    )
    data_category_ids = fields.Many2many("gdpr.data.category", string="Data categories")
    subject_category_ids = fields.Many2many(
        "gdpr.subject.category", string="Data subject categories"
    )
    recipient_ids = fields.One2many(
        "gdpr.purpose.recipient",
        "purpose_id",
        string="Recipients and processors",
    )
    security_measures = fields.Text(
        translate=True,
        help="Technical and organisational security measures (Art. 32).",
    )
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to share the purpose between all companies.",
    )
    active = fields.Boolean(default=True, tracking=True)
    consent_given_count = fields.Integer(compute="_compute_consent_given_count")
    consent_validity_months = fields.Integer(
        string="Consent valid for (months)",
        tracking=True,
        help="How long a consent to this purpose lasts; a daily scheduled "
        "action marks older consents as expired. 0: until withdrawn.",
    )
    consent_reask = fields.Boolean(
        string="Ask again when a consent expires",
        tracking=True,
        help="When a consent expires, e-mail the person a personal link to "
        "give it again.",
    )
    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The code of a purpose must be unique."),
        (
            "retention_positive",
            "CHECK(retention_months >= 0)",
            "The retention period cannot be negative.",
        ),
        (
            "consent_validity_positive",
            "CHECK(consent_validity_months >= 0)",
            "The validity of a consent cannot be negative.",
        ),
    ]

    @api.depends("legal_basis")
    def _compute_consent_required(self):
        for purpose in self:
            purpose.consent_required = purpose.legal_basis == "consent"

    def _compute_consent_given_count(self):
        counts = dict(
            self.env["gdpr.consent"]._read_group(
                [("purpose_id", "in", self.ids), ("state", "=", "given")],
                ["purpose_id"],
                ["__count"],
            )
        )
        for purpose in self:
            purpose.consent_given_count = counts.get(purpose, 0)

    @api.constrains("code")
    def _check_code(self):
        for purpose in self:
            if not CODE_PATTERN.match(purpose.code or ""):
                raise ValidationError(
                    _(
                        "The code %(code)r of purpose %(name)s may only contain "
                        "lower-case letters, digits, '.', '-' and '_'.",
                        code=purpose.code,
                        name=purpose.name,
                    )
                )

    @api.constrains("legal_basis", "consent_required")
    def _check_consent_required(self):
        for purpose in self:
            if purpose.legal_basis == "consent" and not purpose.consent_required:
                raise ValidationError(
                    _(
                        "Purpose %s is based on consent: it cannot be processed "
                        "without one.",
                        purpose.name,
                    )
                )

    def action_view_consents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_consent_action"
        )
        action["domain"] = [("purpose_id", "=", self.id)]
        action["context"] = {"default_purpose_id": self.id}
        return action

    def action_print_register(self):
        """The record of processing activities of these purposes, as PDF."""
        return self.env.ref(
            "crm_gdpr.action_report_gdpr_purpose_register"
        ).report_action(self)

    def _to_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description or "",
            "legal_basis": self.legal_basis,
            "consent_required": self.consent_required,
            "email_marketing": self.email_marketing,
            "retention_months": self.retention_months,
            "retention_end_action": self.retention_end_action,
            "company_id": self.company_id.id or False,
        }

    @api.model
    def list_purposes(self):
        """Public RPC: the active purposes the user may read, as plain dicts."""
        return [purpose._to_dict() for purpose in self.search([])]

    @api.model
    def _get_by_code(self, code):
        """The purpose with ``code``, or a clear error.

        Unknown codes raise a UserError; a purpose of a company the user
        may not access raises an AccessError.
        """
        if not code or not isinstance(code, str):
            raise ValidationError(_("A purpose code is required."))
        purpose = (
            self.sudo().with_context(active_test=False).search([("code", "=", code)])
        )
        if not purpose:
            raise ValidationError(
                _("There is no processing purpose with code %r.", code)
            )
        purpose = purpose.with_env(self.env)
        purpose.check_access("read")
        if not purpose.active:
            raise ValidationError(_("The processing purpose %r is archived.", code))
        return purpose
