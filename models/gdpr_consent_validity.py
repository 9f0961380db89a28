import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.modules import module
from odoo.tools import SQL

from .gdpr_sql import table

_logger = logging.getLogger(__name__)

# An expired consent may be given, refused or asked again.
FROM_EXPIRED = {"given", "refused", "pending"}


class GdprConsent(models.Model):
    """How long a consent lasts, and which version of the purpose's wording
    it was given on."""

    _inherit = "gdpr.consent"

    valid_until = fields.Datetime(
        compute="_compute_valid_until",
        store=True,
        index=True,
        help="When the consent expires, from the validity of its purpose. "
        "Empty: until withdrawn.",
    )
    wording_version = fields.Integer(
        compute="_compute_wording_version",
        store=True,
        index=True,
        help="The version of the purpose's wording the consent was recorded "
        "on, found by the hash of the wording shown. 0: a wording the purpose "
        "never had (typed by an integration).",
    )
    wording_outdated = fields.Boolean(
        string="On an older wording",
        compute="_compute_wording_outdated",
        search="_search_wording_outdated",
    )

    @api.depends("state", "date", "purpose_id.consent_validity_months")
    def _compute_valid_until(self):
        for consent in self:
            months = consent.purpose_id.consent_validity_months
            consent.valid_until = (
                consent.date + relativedelta(months=months)
                if months and consent.date and consent.state in ("given", "expired")
                else False
            )

    @api.depends("consent_hash", "purpose_id")
    def _compute_wording_version(self):
        hashes = [h for h in self.mapped("consent_hash") if h]
        versions = {
            (purpose.id, digest): version
            for purpose, digest, version in self.env["gdpr.purpose.wording"]
            .sudo()
            ._read_group(
                [
                    ("purpose_id", "in", self.purpose_id.ids),
                    ("consent_hash", "in", hashes),
                ],
                ["purpose_id", "consent_hash"],
                ["version:max"],
            )
        }
        for consent in self:
            consent.wording_version = versions.get(
                (consent.purpose_id.id, consent.consent_hash), 0
            )

    @api.depends("wording_version", "purpose_id.wording_version")
    def _compute_wording_outdated(self):
        for consent in self:
            consent.wording_outdated = bool(consent.consent_hash) and (
                consent.wording_version < consent.purpose_id.wording_version
            )

    def _search_wording_outdated(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        self.env["gdpr.consent"].flush_model(["wording_version", "consent_hash"])
        self.env["gdpr.purpose"].flush_model(["wording_version"])
        query = SQL(
            "(SELECT c.id FROM %s c JOIN %s p "
            "ON p.id = c.purpose_id WHERE c.consent_hash IS NOT NULL "
            "AND COALESCE(c.wording_version, 0) < p.wording_version)",
            SQL.identifier(self._table),
            table(self.env, "gdpr.purpose"),
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", query)]

    @api.model
    def _valid_domain(self, purposes):
        """The consents given to ``purposes`` and not past their validity."""
        return [
            ("purpose_id", "in", purposes.ids),
            ("state", "=", "given"),
            "|",
            ("valid_until", "=", False),
            ("valid_until", ">", fields.Datetime.now()),
        ]

    def _check_transition(self, state):
        expired = self.filtered(lambda c: c.state == "expired")
        if state in FROM_EXPIRED:
            return super(GdprConsent, self - expired)._check_transition(state)
        return super()._check_transition(state)

    def _write_expired(self):
        """Mark the consents as expired, with a history entry keeping the
        proof of the wording they were given on."""
        if not self:
            return
        now = fields.Datetime.now()
        self.env["gdpr.consent.history"].sudo().create(
            [
                {
                    "consent_id": consent.id,
                    "previous_state": consent.state,
                    "state": "expired",
                    "date": now,
                    "channel": consent.channel,
                    "user_id": self.env.uid,
                    "consent_text": consent.consent_text,
                    "consent_hash": consent.consent_hash,
                    "lang": consent.partner_id.lang,
                    "note": _(
                        "Expired: the consent was valid until %s.",
                        fields.Datetime.to_string(consent.valid_until),
                    ),
                }
                for consent in self
            ]
        )
        self.sudo().write({"state": "expired"})

    @api.model
    def _cron_expire(self, batch_size=1000):
        """Expire the consents past their validity and, where the purpose
        says so, ask the people again by e-mail."""
        Consent = self.sudo()
        domain = [("state", "=", "given"), ("valid_until", "<", fields.Datetime.now())]
        total = 0
        while consents := Consent.search(domain, limit=batch_size):
            consents._write_expired()
            consents._reask()
            total += len(consents)
            if not (self.env.registry.in_test_mode() or module.current_test):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        if total:
            _logger.info("%s consents expired", total)
        return total

    def _reask(self):
        """E-mail a personal link to the people whose expired consent's
        purpose asks again, unless something stands in the way."""
        Campaign = self.env["gdpr.consent.campaign"]
        for purpose in self.purpose_id.filtered("consent_reask"):
            partners = self.filtered(lambda c, p=purpose: c.purpose_id == p).partner_id
            reasons = Campaign._classify(partners, purpose)
            left_out = set().union(*reasons.values()) if reasons else set()
            to_ask = partners.filtered(lambda p, out=left_out: p.id not in out)
            if to_ask:
                self.env["gdpr.consent.request"].sudo()._send(to_ask, purpose)
