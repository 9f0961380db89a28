from odoo import _, fields, models


class GdprConsent(models.Model):
    """Consents to e-mail marketing and the blacklist: a withdrawal
    blacklists the address at once, giving the consent again lifts only
    what a withdrawal put there."""

    _inherit = "gdpr.consent"

    blacklisted_by_consent = fields.Boolean(
        string="E-mail blacklisted by the withdrawal",
        readonly=True,
        help="Giving the consent again removes the e-mail address from the "
        "blacklist only if the withdrawal put it there.",
    )

    def _write_state(self, state, channel=None, proof=None, note=None):
        result = super()._write_state(state, channel, proof, note)
        self._sync_blacklist(state)
        return result

    def _sync_blacklist(self, state):
        """Withdrawing an e-mail marketing consent blacklists the address at
        once; giving it again lifts the blacklist only if a withdrawal put it
        there and no other such withdrawal of that address remains."""
        marketing = self.filtered(
            lambda c: c.purpose_id.email_marketing and c.partner_id.email_normalized
        )
        if not marketing or state not in ("withdrawn", "given"):
            return
        blacklist = self.env["mail.blacklist"].sudo().with_context(active_test=False)
        if state == "withdrawn":
            emails = set(marketing.partner_id.mapped("email_normalized"))
            already = set(
                blacklist.search(
                    [("email", "in", list(emails)), ("active", "=", True)]
                ).mapped("email")
            )
            for email in sorted(emails - already):
                blacklist._add(
                    email,
                    message=_(
                        "Blacklisted: a consent to e-mail marketing was withdrawn."
                    ),
                )
            marketing.filtered(
                lambda c: c.partner_id.email_normalized not in already
            ).sudo().write({"blacklisted_by_consent": True})
            return
        ours = marketing.filtered("blacklisted_by_consent")
        if not ours:
            return
        ours.sudo().write({"blacklisted_by_consent": False})
        emails = set(ours.partner_id.mapped("email_normalized"))
        remaining = self.sudo().search(
            [
                ("partner_id.email_normalized", "in", list(emails)),
                ("state", "=", "withdrawn"),
                ("purpose_id.email_marketing", "=", True),
            ]
        )
        # The last remaining withdrawal of an address now owns its blacklisting.
        owners = remaining.browse()
        for email in set(remaining.partner_id.mapped("email_normalized")):
            owners |= remaining.filtered(
                lambda c, email=email: c.partner_id.email_normalized == email
            )[:1]
        owners.write({"blacklisted_by_consent": True})
        lifted = blacklist.search(
            [
                (
                    "email",
                    "in",
                    list(emails - set(owners.partner_id.mapped("email_normalized"))),
                ),
                ("active", "=", True),
            ]
        )
        for email in sorted(lifted.mapped("email")):
            blacklist._remove(
                email,
                message=_(
                    "Removed from the blacklist: the consent to e-mail marketing "
                    "was given again."
                ),
            )
