from odoo import _, models
from odoo.tools import SQL

from .gdpr_footprint import find_mentions
from .gdpr_search_index import SEARCHED_COLUMNS
from .mail_message_erasure import attached_to


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    _gdpr_erasure_sequence = 70

    def _gdpr_erasure_places(self, footprint):
        """Files of the erased records and messages, of the messages the
        person wrote, and files whose name or text mentions them."""
        cr = self.env.cr
        ids = set()
        erased = {
            model: res_ids
            for model, res_ids in self.env["gdpr.erasure"]
            ._erased_places(footprint)
            .items()
            if model != self._name
        }
        ids.update(attached_to(self, "res_model", "res_id", erased))
        deleted = footprint.ids("mail.message", "delete")
        scrubbed = footprint.ids("mail.message", "scrub")
        if deleted or (scrubbed and footprint.partners):
            Message = self.env["mail.message"]
            Message.flush_model(["author_id", "attachment_ids"])
            relation = Message._fields["attachment_ids"]
            cr.execute(
                SQL(
                    """SELECT r.%s FROM %s r
                         JOIN %s m ON m.id = r.%s
                        WHERE m.id = ANY(%s)
                           OR (m.id = ANY(%s) AND m.author_id = ANY(%s))""",
                    SQL.identifier(relation.column2),
                    SQL.identifier(relation.relation),
                    SQL.identifier(Message._table),
                    SQL.identifier(relation.column1),
                    deleted,
                    scrubbed,
                    footprint.partners.ids,
                )
            )
            ids.update(row[0] for row in cr.fetchall())
        ids.update(
            find_mentions(self.env, self._name, SEARCHED_COLUMNS[self._name], footprint)
        )
        footprint.add(
            self.browse(sorted(ids)), "delete", _("File of or about the person.")
        )
