from odoo import _, api, fields, models

BATCH_PARAM = "crm_gdpr.breach_mail_batch"
STATES = [
    ("pending", "To send"),
    ("sent", "Sent"),
    ("skipped", "Not sent"),
]
SKIP_REASONS = [
    ("erased", "Erased at their request"),
    ("suppressed", "Suppressed (erased person entered again)"),
    ("blacklisted", "Does not receive e-mails (blacklist)"),
    ("no_email", "No e-mail address"),
]


class GdprBreachCommunication(models.Model):
    """The communication of a breach to one person concerned (Art. 34): the
    per-person log of what was sent, when, and in which language, or why
    nothing was."""

    _name = "gdpr.breach.communication"
    _description = "Breach Communication to a Person"
    _order = "id"

    breach_id = fields.Many2one(
        "gdpr.breach", required=True, ondelete="restrict", index=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner", "Person", required=True, ondelete="cascade", readonly=True
    )
    state = fields.Selection(
        STATES, default="pending", required=True, readonly=True, index=True
    )
    skip_reason = fields.Selection(SKIP_REASONS, "Why not sent", readonly=True)
    lang = fields.Char("Language", readonly=True)
    sent_date = fields.Datetime("Sent on", readonly=True)
    company_id = fields.Many2one(related="breach_id.company_id", store=True)

    _sql_constraints = [
        (
            "breach_partner_unique",
            "UNIQUE(breach_id, partner_id)",
            "A person is told about a breach once.",
        ),
    ]

    @api.model
    def _skip_reasons(self, partners):
        """``{partner id: reason}`` of the people who must not be written to:
        erased, suppressed, blacklisted or without an e-mail address. Three
        queries whatever the number of people."""
        partners = partners.with_context(active_test=False)
        reasons = {}
        suppressed = self.env["gdpr.suppression"]._hashes(
            partners.mapped("email"), partners.mapped("phone")
        )
        matched = set()
        if suppressed:
            matched = set(
                self.env["gdpr.suppression"]
                .sudo()
                .search([("identifier_hash", "in", list(suppressed))])
                .mapped("identifier_hash")
            )
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search(
                [
                    (
                        "email",
                        "in",
                        [e for e in partners.mapped("email_normalized") if e],
                    )
                ]
            )
            .mapped("email")
        )
        Suppression = self.env["gdpr.suppression"]
        for partner in partners:
            if partner.gdpr_erased_date:
                reasons[partner.id] = "erased"
            elif (
                matched
                and set(Suppression._hashes([partner.email], [partner.phone])) & matched
            ):
                reasons[partner.id] = "suppressed"
            elif not partner.email_normalized:
                reasons[partner.id] = "no_email"
            elif partner.email_normalized in blacklisted:
                reasons[partner.id] = "blacklisted"
        return reasons

    @api.model
    def _create_for(self, breach, partners):
        """A communication for each person not told yet."""
        done = set(
            self.sudo().search([("breach_id", "=", breach.id)]).mapped("partner_id").ids
        )
        partners = partners.filtered(lambda p: p.id not in done)
        reasons = self._skip_reasons(partners)
        return self.sudo().create(
            [
                {
                    "breach_id": breach.id,
                    "partner_id": partner.id,
                    "state": "skipped" if partner.id in reasons else "pending",
                    "skip_reason": reasons.get(partner.id, False),
                }
                for partner in partners
            ]
        )

    @api.model
    def _batch_size(self):
        try:
            return max(
                1,
                int(self.env["ir.config_parameter"].sudo().get_param(BATCH_PARAM, 200)),
            )
        except ValueError:
            return 200

    @api.model
    def _cron_send(self):
        """Send one batch of pending communications, each in the person's
        language; checks again that nobody was erased or suppressed since
        they were prepared. Triggers itself again while some are left."""
        pending = self.sudo().search(
            [("state", "=", "pending")], limit=self._batch_size()
        )
        if not pending:
            return 0
        reasons = self._skip_reasons(pending.partner_id)
        skipped = pending.filtered(lambda c: c.partner_id.id in reasons)
        for reason in set(reasons.values()):
            skipped.filtered(
                lambda c, reason=reason: reasons[c.partner_id.id] == reason
            ).write({"state": "skipped", "skip_reason": reason})
        to_send = pending - skipped
        if to_send:
            template = self.env.ref("crm_gdpr.mail_template_breach_communication")
            template.sudo().send_mail_batch(
                to_send.ids, email_layout_xmlid="mail.mail_notification_light"
            )
            now = fields.Datetime.now()
            for lang in set(to_send.partner_id.mapped("lang")):
                to_send.filtered(lambda c, lang=lang: c.partner_id.lang == lang).write(
                    {"state": "sent", "sent_date": now, "lang": lang}
                )
            for breach in to_send.breach_id:
                breach.message_post(
                    body=_(
                        "%(count)s people were told about the breach by e-mail.",
                        count=len(
                            to_send.filtered(lambda c, b=breach: c.breach_id == b)
                        ),
                    )
                )
        if self.sudo().search_count([("state", "=", "pending")], limit=1):
            self.env.ref("crm_gdpr.ir_cron_gdpr_breach_communication")._trigger()
        return len(to_send)
