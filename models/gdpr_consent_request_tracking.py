from odoo import fields, models


class GdprConsentRequest(models.Model):
    """What became of a personal link: shown to the person, answered."""

    _inherit = "gdpr.consent.request"

    opened_at = fields.Datetime(
        string="Page shown on",
        readonly=True,
        help="When the person's browser first showed the page (reported by "
        "the page itself, so that a mail scanner fetching the link does not "
        "count).",
    )
    campaign_line_ids = fields.One2many(
        "gdpr.consent.campaign.line", "request_id", readonly=True
    )

    def _mark_opened(self):
        self.sudo().filtered(lambda r: not r.opened_at).write(
            {"opened_at": fields.Datetime.now()}
        )

    def _answer(self, decisions, proof):
        recorded = super()._answer(decisions, proof)
        self._mark_opened()
        lines = self.sudo().campaign_line_ids
        if lines:
            states = set(
                self.env["gdpr.consent"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", self.partner_id.id),
                        ("purpose_id", "in", self.purpose_ids.ids),
                    ]
                )
                .mapped("state")
            )
            lines.write({"answer": "given" if "given" in states else "refused"})
        return recorded
