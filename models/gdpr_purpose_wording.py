from odoo import _, api, fields, models

from .gdpr_consent import hash_text


class GdprPurposeWording(models.Model):
    """One version of a purpose's consent wording in one language. A new
    version is kept each time the wording changes; the consents given under
    an older one keep pointing at it through the hash of their proof."""

    _name = "gdpr.purpose.wording"
    _description = "Consent Wording Version"
    _order = "purpose_id, version desc, lang"

    purpose_id = fields.Many2one(
        "gdpr.purpose", required=True, ondelete="cascade", index=True, readonly=True
    )
    version = fields.Integer(required=True, readonly=True)
    lang = fields.Char(string="Language", readonly=True)
    consent_text = fields.Text(string="Wording", readonly=True)
    consent_hash = fields.Char(string="Wording hash", index=True, readonly=True)
    date = fields.Datetime(
        string="Since", default=fields.Datetime.now, required=True, readonly=True
    )
    company_id = fields.Many2one(related="purpose_id.company_id", store=True)
    is_current = fields.Boolean(compute="_compute_is_current")
    consent_count = fields.Integer(
        string="Consents given on it", compute="_compute_consent_count"
    )

    @api.depends("version", "purpose_id.wording_version")
    def _compute_is_current(self):
        for wording in self:
            wording.is_current = wording.version == wording.purpose_id.wording_version

    def _compute_consent_count(self):
        counts = dict(
            (
                (purpose.id, version),
                count,
            )
            for purpose, version, count in self.env["gdpr.consent"]._read_group(
                [
                    ("purpose_id", "in", self.purpose_id.ids),
                    ("state", "=", "given"),
                ],
                ["purpose_id", "wording_version"],
                ["__count"],
            )
        )
        for wording in self:
            wording.consent_count = counts.get(
                (wording.purpose_id.id, wording.version), 0
            )


class GdprPurpose(models.Model):
    """A purpose keeps each version of its consent wording, and tells the
    consents given on an older one."""

    _inherit = "gdpr.purpose"

    wording_version = fields.Integer(
        string="Current wording version",
        readonly=True,
        copy=False,
        help="Raised each time the consent wording changes, in any language.",
    )
    wording_ids = fields.One2many(
        "gdpr.purpose.wording", "purpose_id", string="Wording versions", readonly=True
    )
    consent_expired_count = fields.Integer(compute="_compute_consent_version_counts")
    consent_outdated_count = fields.Integer(
        string="Consents on an older wording",
        compute="_compute_consent_version_counts",
    )

    def _compute_consent_version_counts(self):
        Consent = self.env["gdpr.consent"]
        expired = dict(
            Consent._read_group(
                [("purpose_id", "in", self.ids), ("state", "=", "expired")],
                ["purpose_id"],
                ["__count"],
            )
        )
        outdated = dict(
            Consent._read_group(
                [
                    ("purpose_id", "in", self.ids),
                    ("state", "=", "given"),
                    ("wording_outdated", "=", True),
                ],
                ["purpose_id"],
                ["__count"],
            )
        )
        for purpose in self:
            purpose.consent_expired_count = expired.get(purpose, 0)
            purpose.consent_outdated_count = outdated.get(purpose, 0)

    @api.model_create_multi
    def create(self, vals_list):
        purposes = super().create(vals_list)
        purposes._snapshot_wording()
        return purposes

    def write(self, vals):
        result = super().write(vals)
        if "consent_text" in vals:
            self._snapshot_wording()
        return result

    def _snapshot_wording(self):
        """Keep the consent wording of every installed language as a new
        version when it differs from the current one."""
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        Wording = self.env["gdpr.purpose.wording"].sudo()
        current = Wording.search([("purpose_id", "in", self.ids)])
        for purpose in self:
            texts = {
                lang: purpose.with_context(lang=lang).consent_text for lang in langs
            }
            texts = {lang: text for lang, text in texts.items() if text}
            if not texts:
                continue
            known = {
                (w.lang, w.consent_hash)
                for w in current
                if w.purpose_id == purpose and w.version == purpose.wording_version
            }
            if known == {(lang, hash_text(text)) for lang, text in texts.items()}:
                continue
            version = purpose.wording_version + 1
            Wording.create(
                [
                    {
                        "purpose_id": purpose.id,
                        "version": version,
                        "lang": lang,
                        "consent_text": text,
                        "consent_hash": hash_text(text),
                    }
                    for lang, text in texts.items()
                ]
            )
            purpose.sudo().wording_version = version
            # consents recorded on this very wording before it was a version
            # (an upgrade, an integration) now point at it
            Consent = self.env["gdpr.consent"].sudo()
            earlier = Consent.search(
                [
                    ("purpose_id", "=", purpose.id),
                    ("wording_version", "=", 0),
                    ("consent_hash", "in", [hash_text(t) for t in texts.values()]),
                ]
            )
            if earlier:
                self.env.add_to_compute(Consent._fields["wording_version"], earlier)

    @api.model
    def _snapshot_all_wordings(self):
        """Keep the current wording of every purpose as a version (at install
        and upgrade; a purpose whose wording is already kept is left as is)."""
        self.sudo().with_context(active_test=False).search([])._snapshot_wording()

    def action_view_outdated_consents(self):
        """The consents given on an older wording of this purpose."""
        action = self.action_view_consents()
        action["domain"] = [
            ("purpose_id", "=", self.id),
            ("state", "=", "given"),
            ("wording_outdated", "=", True),
        ]
        return action

    def action_reask_outdated(self):
        """A draft consent campaign asking again everyone who agreed to an
        older wording of this purpose."""
        self.ensure_one()
        campaign = self.env["gdpr.consent.campaign"].create(
            {
                "name": _("%s: new wording", self.name),
                "purpose_ids": [fields.Command.set(self.ids)],
                "audience": "outdated",
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "gdpr.consent.campaign",
            "res_id": campaign.id,
            "view_mode": "form",
        }
