from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .gdpr_request import REQUEST_CHANNELS


class GdprObjection(models.Model):
    """An objection (Art. 21) to a processing based on legitimate interests
    or public task, or to direct marketing: the processing stops for the
    person; e-mail marketing stops at once through the blacklist."""

    _name = "gdpr.objection"
    _description = "Objection to a Processing"
    _order = "date desc, id desc"
    _gdpr_process_fields = ("date", "user_id")

    partner_id = fields.Many2one(
        "res.partner", "Contact", required=True, ondelete="cascade", index=True
    )
    purpose_id = fields.Many2one("gdpr.purpose", required=True, ondelete="restrict")
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    channel = fields.Selection(REQUEST_CHANNELS, required=True, default="email")
    request_id = fields.Many2one("gdpr.request", ondelete="set null")
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", "Recorded by", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )

    _sql_constraints = [
        (
            "partner_purpose_unique",
            "UNIQUE(partner_id, purpose_id)",
            "The contact already objected to this purpose.",
        ),
    ]

    @api.model
    def _objectionable(self, purpose):
        """A purpose one can object to, or a clear error."""
        if not (
            purpose.email_marketing
            or purpose.legal_basis in ("legitimate_interest", "public_task")
        ):
            bases = dict(
                purpose._fields["legal_basis"]._description_selection(self.env)
            )
            raise ValidationError(
                _(
                    "%(purpose)s relies on %(basis)s: one can object only to "
                    "processing based on legitimate interests or a public task, "
                    "or to direct marketing (Art. 21).",
                    purpose=purpose.name,
                    basis=bases[purpose.legal_basis],
                )
            )

    @api.constrains("purpose_id")
    def _check_purpose(self):
        for objection in self:
            self._objectionable(objection.purpose_id)

    @api.model_create_multi
    def create(self, vals_list):
        objections = super().create(vals_list)
        marketing = objections.filtered(
            lambda o: o.purpose_id.email_marketing and o.partner_id.email_normalized
        )
        blacklist = self.env["mail.blacklist"].sudo()
        for objection in marketing:
            blacklist._add(
                objection.partner_id.email_normalized,
                message=_("Objection to %s (Art. 21).", objection.purpose_id.name),
            )
        return objections

    @api.model
    def record_objection(
        self, partner_id=None, purpose_code=None, channel="api", note=None
    ):
        """Record that the contact objects to the purpose. Returns it."""
        partner = self.env["res.partner"]._gdpr_from_rpc(partner_id)
        if not purpose_code:
            raise ValidationError(_("A purpose code is required."))
        purpose = self.env["gdpr.purpose"]._get_by_code(purpose_code)
        self._objectionable(purpose)
        if channel not in dict(REQUEST_CHANNELS):
            raise ValidationError(_("%r is not a channel.", channel))
        existing = self.search(
            [("partner_id", "=", partner.id), ("purpose_id", "=", purpose.id)]
        )
        objection = existing or self.create(
            {
                "partner_id": partner.id,
                "purpose_id": purpose.id,
                "channel": channel,
                "note": note,
            }
        )
        return {
            "id": objection.id,
            "partner_id": partner.id,
            "purpose_code": purpose.code,
            "date": fields.Datetime.to_string(objection.date),
            "channel": objection.channel,
        }
