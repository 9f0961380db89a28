from odoo import fields, models
from odoo.exceptions import ValidationError

from .gdpr_rights import check_dpo


class ResPartner(models.Model):
    """Restriction of processing (GDPR Art. 18): marketing e-mails stop
    through the blacklist, and only the data protection officer changes the
    contact's personal data."""

    _inherit = "res.partner"

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
