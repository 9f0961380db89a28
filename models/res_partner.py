from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    gdpr_consent_ids = fields.One2many("gdpr.consent", "partner_id", string="Consents")
    gdpr_purpose_ids = fields.Many2many(
        "gdpr.purpose",
        string="Purposes that apply",
        compute="_compute_gdpr_purpose_ids",
        help="The processing purposes this contact's data is used for: those "
        "that need no consent, and those the contact consented to.",
    )

    @api.depends("company_id", "gdpr_consent_ids.state")
    def _compute_gdpr_purpose_ids(self):
        purposes = self.env["gdpr.purpose"].search([])
        for partner in self:
            given = partner.gdpr_consent_ids.filtered(
                lambda c: c.state == "given"
            ).purpose_id
            partner.gdpr_purpose_ids = purposes.filtered(
                lambda p, partner=partner, given=given: (
                    (
                        not p.company_id
                        or not partner.company_id
                        or p.company_id == partner.company_id
                    )
                    and (not p.consent_required or p in given)
                )
            )
