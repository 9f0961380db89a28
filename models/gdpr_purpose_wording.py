from odoo import api, fields, models


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
