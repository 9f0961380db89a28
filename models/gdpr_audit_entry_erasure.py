from odoo import api, models

from .gdpr_audit_entry import PENDING


class GdprAuditEntry(models.Model):
    """What the trail holds about an erased person becomes unreadable: their
    keys are destroyed, and their values never reach the entries of other
    people."""

    _inherit = "gdpr.audit.entry"

    @api.model
    def _erase_subjects(self, *recordsets, redact=None):
        """Erase what the trail holds about the people ``recordsets`` stand
        for (contacts, or records without a contact such as leads), by
        destroying their keys. Who did what and when, and the chain, stay.

        Call it after the erasure's own changes are made: they are written
        to the trail first, encrypted with the keys about to be destroyed.
        With ``redact`` (a function returning a value without the person's
        data), the values of other people's entries not yet written (the
        erasure cleaning a copy in another lead) are redacted first, so that
        no readable value of the person is written under another key.
        Returns the destroyed keys.
        """
        subjects = {
            (record._name, record.id) for records in recordsets for record in records
        }
        if redact is not None:
            self.env.flush_all()
            self._redact_pending(redact, subjects)
        self._flush_trail()
        keys = self.env["gdpr.subject.key"].sudo()._destroy(subjects)
        if keys:
            self._queue(
                [
                    self._new_entry(
                        "erase",
                        "gdpr.subject.key",
                        record_count=len(keys),
                        res_ids=",".join(map(str, keys.ids)),
                    )
                ]
            )
        return keys

    @api.model
    def _redact_pending(self, redact, erased_subjects):
        """Pass the old and new values of the entries waiting to be written
        through ``redact``, except those of ``erased_subjects`` (their key is
        about to be destroyed): an erased person's values are never written
        readable under someone else's key."""
        for entry in self.env.cr.precommit.data.get(PENDING) or ():
            if entry["subject"] in erased_subjects or not entry["changes"]:
                continue
            for pair in entry["changes"].values():
                for index, value in enumerate(pair):
                    if isinstance(value, str) and value:
                        redacted = redact(value)
                        pair[index] = redacted if redacted else None
