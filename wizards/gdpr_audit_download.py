import base64
import csv
import io
import json

from odoo import _, api, fields, models
from odoo.tools.safe_eval import safe_eval

CSV_COLUMNS = [
    "id",
    "date",
    "user",
    "operation",
    "interface",
    "model",
    "res_id",
    "partner_id",
    "fields",
    "changes",
    "values_erased",
    "record_count",
    "res_ids",
    "link",
    "prev_hash",
    "hash",
]


class GdprAuditDownload(models.TransientModel):
    """Download the selected or filtered audit trail as CSV or JSON."""

    _name = "gdpr.audit.download"
    _description = "Download the Audit Trail"

    file_format = fields.Selection(
        [("csv", "CSV"), ("json", "JSON")],
        string="Format",
        required=True,
        default="csv",
    )
    entry_ids = fields.Many2many("gdpr.audit.entry", string="Entries")
    domain = fields.Char(
        default="[]", help="The filter of the trail when no entry is selected."
    )
    entry_count = fields.Integer(compute="_compute_entry_count")
    data = fields.Binary("File", readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "gdpr.audit.entry":
            if context.get("active_domain") is not None:
                values["domain"] = repr(context["active_domain"])
            elif context.get("active_ids"):
                values["entry_ids"] = [fields.Command.set(context["active_ids"])]
                values["domain"] = False
        return values

    def _entries(self):
        """The entries chosen, or those of the domain: never more than asked
        (chosen entries the user may not read leave nothing, not the whole
        trail)."""
        if self.domain:
            return self.env["gdpr.audit.entry"].search(safe_eval(self.domain))
        return self.entry_ids

    @api.depends("entry_ids", "domain")
    def _compute_entry_count(self):
        for wizard in self:
            wizard.entry_count = len(wizard._entries())

    def _rows(self):
        entries = self._entries()
        decrypted = entries._decrypted_changes()
        self.env["gdpr.audit.entry"]._log_data_access("export", entries, CSV_COLUMNS)
        return [entry._to_dict(decrypted[entry.id]) for entry in entries]

    def action_download(self):
        self.ensure_one()
        self.env["gdpr.audit.entry"]._check_dpo()
        self.env["gdpr.audit.entry"]._flush_trail()
        rows = self._rows()
        if self.file_format == "json":
            content = json.dumps(rows, indent=2, ensure_ascii=False)
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {
                        **row,
                        "fields": ",".join(row["fields"]),
                        "res_ids": ",".join(map(str, row["res_ids"])),
                        "changes": json.dumps(row["changes"], ensure_ascii=False)
                        if row["changes"]
                        else "",
                    }
                )
            content = buffer.getvalue()
        self.write(
            {
                "data": base64.b64encode(content.encode()),
                "filename": f"audit_trail.{self.file_format}",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/data/{self.filename}"
            "?download=true",
            "target": "self",
            "name": _("Audit trail"),
        }
