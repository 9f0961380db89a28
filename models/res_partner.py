from odoo import api, fields, models
from odoo.exceptions import MissingError, ValidationError


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "gdpr.suppression.mixin"]
    _gdpr_process_fields = (
        "gdpr_erased_date",
        "gdpr_restricted",
        "gdpr_restriction_reason",
        "gdpr_restriction_blacklisted",
        "gdpr_data_confirmed_on",
    )
    _gdpr_email_fields = ("email",)
    _gdpr_phone_fields = ("phone", "mobile")

    gdpr_consent_ids = fields.One2many("gdpr.consent", "partner_id", string="Consents")
    gdpr_purpose_ids = fields.Many2many(
        "gdpr.purpose",
        string="Purposes that apply",
        compute="_compute_gdpr_purpose_ids",
        help="The processing purposes this contact's data is used for: those "
        "that need no consent, and those the contact consented to.",
    )

    gdpr_objection_ids = fields.One2many(
        "gdpr.objection", "partner_id", string="Objections"
    )
    gdpr_erased_date = fields.Datetime(
        "Erased on",
        readonly=True,
        copy=False,
        help="This contact was anonymised at the request of the person.",
    )

    @api.onchange("email", "phone", "mobile")
    def _onchange_gdpr_suppression(self):
        return super()._onchange_gdpr_suppression()

    @api.model
    def _gdpr_from_rpc(self, partner_id):
        """The contact an RPC caller names by id, or a clear error."""
        if not isinstance(partner_id, int) or isinstance(partner_id, bool):
            raise ValidationError(self.env._("A contact id (an integer) is required."))
        partner = self.browse(partner_id).exists()
        if not partner:
            raise MissingError(
                self.env._("There is no contact with id %s.", partner_id)
            )
        partner.check_access("read")
        return partner

    @api.depends("company_id", "gdpr_consent_ids.state", "gdpr_objection_ids")
    def _compute_gdpr_purpose_ids(self):
        purposes = self.env["gdpr.purpose"].search([])
        for partner in self:
            given = (
                partner.gdpr_consent_ids.filtered(
                    lambda c: c.state == "given"
                ).purpose_id
                - partner.gdpr_objection_ids.purpose_id
            )
            partner.gdpr_purpose_ids = purposes.filtered(
                lambda p, partner=partner, given=given: (
                    (
                        not p.company_id
                        or not partner.company_id
                        or p.company_id == partner.company_id
                    )
                    and (not p.consent_required or p in given)
                    and p not in partner.gdpr_objection_ids.purpose_id
                )
            )
