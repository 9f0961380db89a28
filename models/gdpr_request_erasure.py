from odoo import _, models
from odoo.tools import SQL

from .gdpr_footprint import ilike_pattern, normalize_email


class GdprRequest(models.Model):
    _inherit = "gdpr.request"

    _gdpr_erasure_sequence = 40

    def _gdpr_erasure_places(self, footprint):
        """The person's requests, by contact or by the address they wrote
        from, compared normalised ("Kim.Lee@Example.com")."""
        emails = sorted(footprint.emails)
        by_email = []
        if emails:
            self.flush_model(["requester_email"])
            self.env.cr.execute(
                SQL(
                    "SELECT id, requester_email FROM %s "
                    "WHERE requester_email ILIKE ANY(%s)",
                    SQL.identifier(self._table),
                    [ilike_pattern(email) for email in emails],
                )
            )
            by_email = [
                row[0]
                for row in self.env.cr.fetchall()
                if normalize_email(row[1]) in footprint.emails
            ]
        requests = self.search(
            ["|", ("partner_id", "in", footprint.partners.ids), ("id", "in", by_email)]
        )
        footprint.add(
            requests,
            "anonymise",
            _("The request stays in the register, without the person's data."),
        )
        footprint.add(
            requests.export_attachment_ids,
            "delete",
            _("The data package exported for the person."),
        )
