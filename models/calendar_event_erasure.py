from odoo import _, models

from .gdpr_footprint import find_mentions
from .gdpr_search_index import SEARCHED_COLUMNS


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    _gdpr_erasure_sequence = 70

    def _gdpr_erasure_places(self, footprint):
        if footprint.partners:
            footprint.add(
                self.search([("partner_id", "in", footprint.partners.ids)]),
                "delete",
                _("Attendance of the person."),
            )


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    _gdpr_erasure_sequence = 75

    def _gdpr_erasure_places(self, footprint):
        """Meetings the person attends (they are taken off the attendees) or
        that mention them."""
        attendees = self.env["calendar.attendee"].browse(
            footprint.ids("calendar.attendee", "delete")
            + footprint.ids("calendar.attendee", "keep")
        )
        ids = set(attendees.event_id.ids)
        ids.update(
            find_mentions(self.env, self._name, SEARCHED_COLUMNS[self._name], footprint)
        )
        footprint.add(
            self.browse(sorted(ids)),
            "scrub",
            _("Meeting the person attends or that mentions them."),
        )
