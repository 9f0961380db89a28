from odoo import api, models

from .gdpr_audit_entry import traced_as


class Base(models.AbstractModel):
    """Audit trail: every change of a mapped field, at the lowest level
    (_create, _write_multi, unlink) so that computed and related fields,
    imports and direct writes are all caught in one place; imports are
    recorded as such."""

    _inherit = "base"

    def _gdpr_audited(self):
        return self.env["gdpr.field"]._audited_fields().get(self._name)

    def _create(self, data_list):
        records = super()._create(data_list)
        audited = self._gdpr_audited()
        if audited:
            self.env["gdpr.audit.entry"]._log_create(
                records, [data["stored"] for data in data_list], audited
            )
        return records

    def _write_multi(self, vals_list):
        audited = self._gdpr_audited()
        names = audited and audited.intersection(set().union(*vals_list))
        if not names or not self.ids:
            return super()._write_multi(vals_list)
        Entry = self.env["gdpr.audit.entry"]
        subject_column = Entry._subject_column(self)
        old_values = Entry._read_columns(
            self, sorted(names | {subject_column} - {None})
        )
        super()._write_multi(vals_list)
        Entry._log_write(self, vals_list, old_values, names, subject_column)

    def unlink(self):
        audited = self._gdpr_audited()
        if not audited or not self.ids:
            return super().unlink()
        Entry = self.env["gdpr.audit.entry"]
        subject_column = Entry._subject_column(self)
        columns = sorted(audited | {subject_column} - {None})
        self.flush_recordset(columns)
        old_values = Entry._read_columns(self, columns)
        result = super().unlink()
        Entry._log_unlink(self, old_values, audited, subject_column)
        return result

    @api.model
    def load(self, fields, data):
        with traced_as(self.env, "import"):
            return super().load(fields, data)
