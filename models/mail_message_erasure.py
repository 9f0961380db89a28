from odoo import _, models
from odoo.tools import SQL

from .gdpr_footprint import find_mentions
from .gdpr_search_index import SEARCHED_COLUMNS


def attached_to(records, column_model, column_id, erased):
    """Ids of the rows of ``records``' model attached (through
    ``column_model`` and ``column_id``) to the erased records
    ``{model: ids}``: one query."""
    if not erased:
        return []
    records.flush_model([column_model, column_id])
    records.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE %s",
            SQL.identifier(records._table),
            SQL(" OR ").join(
                SQL(
                    "(%s = %s AND %s = ANY(%s))",
                    SQL.identifier(column_model),
                    model,
                    SQL.identifier(column_id),
                    ids,
                )
                for model, ids in sorted(erased.items())
            ),
        )
    )
    return [row[0] for row in records.env.cr.fetchall()]


class MailMessage(models.Model):
    _inherit = "mail.message"

    _gdpr_erasure_sequence = 60

    def _gdpr_erasure_places(self, footprint):
        """The chatter of the records erased, deleted; the messages the
        person wrote or that mention them, cleaned."""
        erased = self.env["gdpr.erasure"]._erased_places(footprint)
        footprint.add(
            self.browse(attached_to(self, "model", "res_id", erased)),
            "delete",
            _("Message on an erased record."),
        )
        deleted = set(footprint.ids(self._name, "delete"))
        partners = footprint.partners
        found = find_mentions(
            self.env,
            self._name,
            SEARCHED_COLUMNS[self._name],
            footprint,
            extra=SQL("author_id = ANY(%s)", partners.ids) if partners else None,
        )
        footprint.add(
            self.browse(sorted(set(found) - deleted)),
            "scrub",
            _("Message written by or mentioning the person."),
        )


class MailActivity(models.Model):
    _inherit = "mail.activity"

    _gdpr_erasure_sequence = 60

    def _gdpr_erasure_places(self, footprint):
        erased = self.env["gdpr.erasure"]._erased_places(footprint)
        footprint.add(
            self.browse(attached_to(self, "res_model", "res_id", erased)),
            "delete",
            _("Activity on an erased record."),
        )


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    _gdpr_erasure_sequence = 65

    def _gdpr_erasure_places(self, footprint):
        """Old and new values of tracked fields, on any record, that hold the
        person's data (a renamed contact's old name)."""
        found = find_mentions(
            self.env, self._name, SEARCHED_COLUMNS[self._name], footprint
        )
        deleted = set(footprint.ids("mail.message", "delete"))
        values = self.browse(sorted(found))
        footprint.add(
            values.filtered(lambda v: v.mail_message_id.id not in deleted),
            "scrub",
            _("Tracked value of the person's data."),
        )


class MailNotification(models.Model):
    _inherit = "mail.notification"

    _gdpr_erasure_sequence = 70

    def _gdpr_erasure_places(self, footprint):
        if footprint.partners:
            footprint.add(
                self.search([("res_partner_id", "in", footprint.partners.ids)]),
                "delete",
                _("Delivery status of an e-mail to the person."),
            )


class MailMail(models.Model):
    _inherit = "mail.mail"

    _gdpr_erasure_sequence = 70

    def _gdpr_erasure_places(self, footprint):
        partners = footprint.partners
        recipients = self._fields["recipient_ids"]
        found = find_mentions(
            self.env,
            self._name,
            SEARCHED_COLUMNS[self._name],
            footprint,
            extra=SQL(
                "id IN (SELECT %s FROM %s WHERE %s = ANY(%s))",
                SQL.identifier(recipients.column1),
                SQL.identifier(recipients.relation),
                SQL.identifier(recipients.column2),
                partners.ids,
            )
            if partners
            else None,
        )
        footprint.add(
            self.browse(sorted(found)), "delete", _("E-mail to or about the person.")
        )
