from odoo import api, fields, models
from odoo.exceptions import MissingError, ValidationError

from .gdpr_rights import check_dpo

# The context keys that add fields to a contact's display name.
DISPLAY_NAME_FIELDS = {
    "show_vat": ("vat",),
    "show_email": ("email",),
    "show_address": ("street", "street2", "zip", "city", "state_id", "country_id"),
}


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
    gdpr_restricted = fields.Boolean(
        "Processing restricted",
        readonly=True,
        copy=False,
        tracking=True,
        help="Art. 18: marketing e-mails stop and only the data protection "
        "officer can change the contact's personal data.",
    )
    gdpr_restriction_reason = fields.Text(
        "Restriction reason", readonly=True, copy=False, tracking=True
    )
    gdpr_restriction_blacklisted = fields.Boolean(
        copy=False, groups="base.group_system"
    )
    gdpr_erased_date = fields.Datetime(
        "Erased on",
        readonly=True,
        copy=False,
        help="This contact was anonymised at the request of the person.",
    )
    gdpr_audit_count = fields.Integer(
        "Audit trail entries",
        compute="_compute_gdpr_audit_count",
        groups="crm_gdpr.group_gdpr_dpo",
    )

    @api.onchange("email", "phone", "mobile")
    def _onchange_gdpr_suppression(self):
        return super()._onchange_gdpr_suppression()

    def _compute_gdpr_audit_count(self):
        counts = dict(
            self.env["gdpr.audit.entry"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.gdpr_audit_count = counts.get(partner._origin, 0)

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

    def write(self, vals):
        if set(vals) & set(self._gdpr_audited() or ()):
            self._gdpr_check_restriction()
        return super().write(vals)

    def _gdpr_check_restriction(self):
        """While processing is restricted, only the DPO changes personal data
        (the restriction itself is set and lifted by gdpr_set_restriction)."""
        if any(self.mapped("gdpr_restricted")):
            check_dpo(
                self.env,
                self.env._(
                    "The processing of %(names)s is restricted (GDPR Art. 18): only "
                    "the data protection officer can change their personal data.",
                    names=", ".join(self.filtered("gdpr_restricted").mapped("name"))
                    or self.env._("this contact"),
                ),
            )

    def gdpr_set_restriction(self, restricted=True, reason=None):
        """Restrict (Art. 18) or lift the restriction of these contacts, for
        the DPO: marketing e-mails stop at once through the blacklist, which
        lifting takes back only where the restriction put it."""
        check_dpo(
            self.env,
            self.env._("Only the data protection officer can restrict processing."),
        )
        # the DPO of one company restricts the contacts they may change
        self.check_access("write")
        if restricted and not (reason or "").strip():
            raise ValidationError(self.env._("Say why processing is restricted."))
        blacklist = self.env["mail.blacklist"].sudo().with_context(active_test=False)
        partners = self.sudo()
        for partner in partners.filtered("email_normalized"):
            email = partner.email_normalized
            listed = blacklist.search([("email", "=", email), ("active", "=", True)])
            if restricted and not partner.gdpr_restricted and not listed:
                blacklist._add(
                    email, message=self.env._("Processing restricted (Art. 18).")
                )
                partner.gdpr_restriction_blacklisted = True
            elif not restricted and partner.gdpr_restriction_blacklisted:
                blacklist._remove(
                    email, message=self.env._("Restriction lifted (Art. 18).")
                )
                partner.gdpr_restriction_blacklisted = False
        partners.write(
            {"gdpr_restricted": restricted, "gdpr_restriction_reason": reason}
        )
        return True

    def action_gdpr_lift_restriction(self):
        return self.gdpr_set_restriction(False)

    def action_view_gdpr_audit_trail(self):
        """The audit trail of this contact: its changes and those of its
        leads and bank accounts."""
        self.ensure_one()
        self.env["gdpr.audit.entry"]._check_dpo()
        self.env["gdpr.audit.entry"]._flush_trail()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_audit_entry_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        action["name"] = self.env._("Audit trail of %s", self.display_name)
        return action

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

    def _gdpr_display_name_fields(self):
        return [
            name
            for key, names in DISPLAY_NAME_FIELDS.items()
            if self.env.context.get(key)
            for name in names
        ]

    @api.depends_context("uid")
    def _compute_display_name(self):
        """Leave out of the display name (``show_vat``, ``show_email``,
        ``show_address``) the fields the user may not read."""
        hidden = {
            key: False
            for key, names in DISPLAY_NAME_FIELDS.items()
            if self.env.context.get(key)
            and not all(self._gdpr_user_may_read(name) for name in names)
        }
        if not hidden:
            return super()._compute_display_name()
        # computed here, not read: the field is being computed, so reading it
        # on the same records would give False
        shown = self.with_context(**hidden)
        super(ResPartner, shown)._compute_display_name()
        for partner, plain in zip(self, shown, strict=True):
            partner.display_name = plain.display_name

    def _gdpr_sync_env(self):
        """Copying commercial fields (VAT, company registry...) from the
        company to its contacts is bookkeeping, not the user reading them: it
        runs as superuser when the map makes one of them sensitive."""
        restricted = any(
            not self._fields[name].is_accessible(self.env)
            for name in self._commercial_fields()
        )
        return self.sudo() if restricted else self

    def _commercial_sync_from_company(self):
        return super(ResPartner, self._gdpr_sync_env())._commercial_sync_from_company()

    def _commercial_sync_to_children(self, fields_to_sync=None):
        return super(ResPartner, self._gdpr_sync_env())._commercial_sync_to_children(
            fields_to_sync
        )
