from odoo import _, api, models
from odoo.exceptions import AccessError, UserError
from odoo.models import fix_import_export_id_paths
from odoo.osv import expression

from .gdpr_audit_entry import traced_as
from .gdpr_rights import EXPORT_GROUP, check_group


class Base(models.AbstractModel):
    _inherit = "base"

    def _gdpr_path_fields(self, names):
        """The (model, field name) pairs along a field path, e.g.
        ``["bank_ids", "acc_number"]``."""
        model = self
        for name in names:
            field = model._fields.get(name)
            if field is None:
                return
            yield model, name
            if not field.relational:
                return
            model = model.env[field.comodel_name]

    def _gdpr_user_may_read(self, field_name):
        """Whether the user may read the field, also in superuser mode: display
        names of linked records are computed as superuser, yet must not show
        the user a field the personal-data map hides from them."""
        groups = self._fields[field_name].groups
        user = self.env.user
        return not groups or user._is_superuser() or user.has_groups(groups)

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

    # ------------------------------------------------------------------
    # Minimisation: fields the company decided not to collect
    # ------------------------------------------------------------------

    def _gdpr_refuse_not_collected(self, vals_list):
        """Refuse values for switched-off fields, with a message that says
        why, in forms, imports and over RPC alike."""
        if self.env.su:
            return
        names = self.env["gdpr.field"]._not_collected_fields().get(self._name)
        given = names and {n for vals in vals_list for n in names if vals.get(n)}
        if given:
            raise UserError(
                _(
                    "Your company does not collect %(fields)s (switched off in the "
                    "personal-data map): leave it empty.",
                    fields=", ".join(sorted(self._fields[n].string for n in given)),
                )
            )

    # ------------------------------------------------------------------
    # Fields that only the add-on's own processes set (erasure date,
    # restriction flags, who verified an identity...): they run as
    # superuser; everyone else is refused, over RPC, in imports and forms.
    # ------------------------------------------------------------------

    _gdpr_process_fields = ()

    def _gdpr_default(self, name):
        default = self._fields[name].default
        return default(self) if default else False

    def _gdpr_refuse_process_fields(self, vals_list, creating):
        if self.env.su or not self._gdpr_process_fields:
            return
        given = {
            name
            for vals in vals_list
            for name in self._gdpr_process_fields
            if name in vals
            and (
                not creating
                or vals[name] not in (False, None, self._gdpr_default(name))
            )
        }
        if given:
            raise AccessError(
                _(
                    "%(fields)s of %(model)s can only be set by the privacy "
                    "processes (erasure, restriction, consent collection), not "
                    "written directly.",
                    fields=", ".join(sorted(self._fields[n].string for n in given)),
                    model=self._description,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._gdpr_refuse_process_fields(vals_list, creating=True)
        self._gdpr_refuse_not_collected(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._gdpr_refuse_process_fields([vals], creating=False)
        self._gdpr_refuse_not_collected([vals])
        return super().write(vals)

    # ------------------------------------------------------------------
    # Audit trail: every change of a mapped field, at the lowest level
    # (_create, _write_multi, unlink) so that computed and related
    # fields, imports and direct writes are all caught in one place
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Lookups of sensitive fields, wherever Odoo hands out values: read,
    # search_read and web_read (all through _read_format), read_group
    # (group-bys and aggregates), name_search and display names that show
    # them. The interface is decided on the server (_interface), never
    # taken from the caller's context.
    # ------------------------------------------------------------------

    def _gdpr_display_name_fields(self):
        """Fields the display name shows in the current context."""
        return ()

    def _gdpr_looked_up(self, names):
        """The sensitive fields of the map among ``names``, when a user (not
        the system) reads them from the UI or over RPC."""
        restricted = getattr(self.env.registry, "_gdpr_restricted_fields", None)
        mapped = restricted and not self.env.su and self._gdpr_audited()
        if not mapped:
            return []
        names = set(names)
        if "display_name" in names:
            # shown only to those who may read them (_compute_display_name)
            names.update(
                name
                for name in self._gdpr_display_name_fields()
                if self._gdpr_user_may_read(name)
            )
        looked_up = sorted(
            name
            for name in names
            if name in mapped and self._fields[name] in restricted
        )
        if looked_up and self.env["gdpr.audit.entry"]._interface() in ("ui", "rpc"):
            return looked_up
        return []

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load)
        if result and (looked_up := self._gdpr_looked_up(fnames)):
            records = self.browse([row["id"] for row in result])
            self.env["gdpr.audit.entry"]._log_data_access("lookup", records, looked_up)
        return result

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        result = super().read_group(
            domain, fields, groupby, offset, limit, orderby, lazy
        )
        if result and getattr(self.env.registry, "_gdpr_restricted_fields", None):
            groupbys = [groupby] if isinstance(groupby, str) else list(groupby or ())
            names = {
                spec.split(":")[0].split(".")[0]
                for spec in [*fields, *groupbys]
                if isinstance(spec, str)
            } | {
                spec.split("(")[1].rstrip(")")
                for spec in fields
                if isinstance(spec, str) and "(" in spec
            }
            if looked_up := self._gdpr_looked_up(names):
                self.env["gdpr.audit.entry"]._log_data_access(
                    "lookup", self.search(domain or [], limit=1000), looked_up
                )
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        copied = {name for vals in vals_list for name in vals}
        if vals_list and (looked_up := self._gdpr_looked_up(copied)):
            self.env["gdpr.audit.entry"]._log_data_access("lookup", self, looked_up)
        return vals_list

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        result = super().name_search(name, args, operator, limit)
        if result and (looked_up := self._gdpr_looked_up(["display_name"])):
            self.env["gdpr.audit.entry"]._log_data_access(
                "lookup", self.browse([row[0] for row in result]), looked_up
            )
        return result

    @api.model
    def load(self, fields, data):
        with traced_as(self.env, "import"):
            return super().load(fields, data)

    @api.model
    def _search_display_name(self, operator, value):
        """Search by name without the fields the user may not read: a
        sensitive field in ``_rec_names_search`` (e.g. the VAT number) must
        neither break the search of a contact by name nor be probed by it."""
        domain = super()._search_display_name(operator, value)
        if self.env.su:
            return domain

        def readable(term):
            # TRUE_LEAF and FALSE_LEAF name no field
            return not isinstance(term[0], str) or all(
                model._fields[name].is_accessible(model.env)
                for model, name in self._gdpr_path_fields(term[0].split("."))
            )

        return [
            term
            if not expression.is_leaf(term) or readable(term)
            else (
                expression.TRUE_LEAF
                if term[1] in expression.NEGATIVE_TERM_OPERATORS
                else expression.FALSE_LEAF
            )
            for term in expression.normalize_domain(domain)
        ]
