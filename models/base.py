from odoo import models
from odoo.models import fix_import_export_id_paths


class Base(models.AbstractModel):
    _inherit = "base"

    def export_data(self, fields_to_export):
        """Refuse exports of fields the user may not read, along every path
        (``bank_ids/acc_number``), as read() does: ``_export_rows`` reads
        through the cache and would not check field groups itself."""
        for path in fields_to_export:
            model = self
            for name in fix_import_export_id_paths(path):
                field = model._fields.get(name)
                if field is None:
                    break
                model.check_field_access_rights("read", [name])
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
        return super().export_data(fields_to_export)
