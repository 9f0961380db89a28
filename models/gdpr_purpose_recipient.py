from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

TRANSFER_SAFEGUARDS = [
    ("adequacy", "Adequacy decision (Art. 45)"),
    ("scc", "Standard contractual clauses (Art. 46(2)(c))"),
    ("bcr", "Binding corporate rules (Art. 47)"),
    ("certification", "Code of conduct or certification (Art. 46(2)(e-f))"),
    ("derogation", "Derogation for a specific situation (Art. 49)"),
]


class GdprPurposeRecipient(models.Model):
    """Who receives the data of a purpose: recipients, processors, and where."""

    _name = "gdpr.purpose.recipient"
    _description = "Processing Purpose Recipient"
    _order = "purpose_id, role, id"

    purpose_id = fields.Many2one(
        "gdpr.purpose", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        required=True,
        help="The company receiving the data (e.g. the CRM hosting provider).",
    )
    role = fields.Selection(
        [
            ("recipient", "Recipient"),
            ("processor", "Processor"),
            ("sub_processor", "Sub-processor"),
            ("joint_controller", "Joint controller"),
        ],
        required=True,
        default="processor",
    )
    country_id = fields.Many2one(
        "res.country",
        compute="_compute_country_id",
        store=True,
        readonly=False,
        help="Where the data is processed.",
    )
    outside_eea = fields.Boolean(
        string="Outside the EEA",
        compute="_compute_outside_eea",
        store=True,
    )
    transfer_safeguard = fields.Selection(
        TRANSFER_SAFEGUARDS,
        help="Required when the data leaves the European Economic Area "
        "(GDPR Chapter V).",
    )
    note = fields.Text(help="Contract reference, data processing agreement, ...")
    company_id = fields.Many2one(related="purpose_id.company_id", store=True)

    @api.depends("partner_id.country_id")
    def _compute_country_id(self):
        for recipient in self:
            recipient.country_id = recipient.partner_id.country_id

    @api.depends("country_id")
    def _compute_outside_eea(self):
        eea = self.env.ref("crm_gdpr.country_group_eea", raise_if_not_found=False)
        eea_countries = eea.country_ids if eea else self.env["res.country"]
        for recipient in self:
            recipient.outside_eea = bool(
                recipient.country_id and recipient.country_id not in eea_countries
            )

    @api.constrains("outside_eea", "transfer_safeguard")
    def _check_transfer_safeguard(self):
        for recipient in self:
            if recipient.outside_eea and not recipient.transfer_safeguard:
                raise ValidationError(
                    _(
                        "%(recipient)s processes data in %(country)s, outside the "
                        "European Economic Area: choose the transfer safeguard "
                        "(GDPR Art. 44-49).",
                        recipient=recipient.partner_id.display_name,
                        country=recipient.country_id.name,
                    )
                )
