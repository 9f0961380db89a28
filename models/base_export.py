from odoo import _, models
from odoo.models import fix_import_export_id_paths

from .gdpr_rights import EXPORT_GROUP, check_group


class Base(models.AbstractModel):
    """Exports: fields the user may not read are refused along every path;
    mapped personal data needs the export right, and its export is
    logged."""

    _inherit = "base"

    def export_data(self, fields_to_export):
        """Refuse exports of fields the user may not read, along every path
        (``bank_ids/acc_number``), as read() does: ``_export_rows`` reads
        through the cache and would not check field groups itself. Exports
        of mapped personal data need the export right and are logged."""
        mapped = self.env["gdpr.field"]._audited_fields()
        personal = []
        for path in fields_to_export:
            for model, name in self._gdpr_path_fields(fix_import_export_id_paths(path)):
                model.check_field_access_rights("read", [name])
                if name in mapped.get(model._name, ()):
                    personal.append(path)
        if personal:
            check_group(
                self.env,
                EXPORT_GROUP,
                _(
                    "You are not allowed to export personal data (%(fields)s). "
                    "Ask your data protection officer for the right "
                    "'Export personal data'.",
                    fields=", ".join(dict.fromkeys(personal)),
                ),
            )
        result = super().export_data(fields_to_export)
        if personal:
            self.env["gdpr.audit.entry"]._log_data_access(
                "export", self, fields_to_export
            )
        return result
