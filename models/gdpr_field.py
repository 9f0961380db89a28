import re
from collections import defaultdict

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL, split_every, sql

from .gdpr_rights import check_dpo

# the trail's own models are not traced through the ORM
UNAUDITED_MODELS = {"gdpr.audit.entry", "gdpr.subject.key"}
# the database's own machinery, not people's data: the map never reaches it
# (switching a field off or purging it there would switch off access rules,
# users, companies or the privacy processes themselves)
SYSTEM_MODELS = re.compile(
    r"^(ir\.(?!attachment$)|base[._]|bus\.|auth_|"
    r"res\.(users|groups|company|config|lang|currency)|"
    r"gdpr\.(?!request$)|(mail|phone)\.blacklist)"
)

SENSITIVITIES = [
    ("normal", "Normal"),
    ("sensitive", "Sensitive"),
    ("special", "Special category (Art. 9)"),
]

ERASURE_METHODS = [
    ("clear", "Clear"),
    ("placeholder", "Replace with a placeholder"),
    ("keep", "Keep for legal reasons"),
    ("delete", "Delete the record"),
]

TEXT_FIELD_TYPES = ("char", "text", "html")


class GdprField(models.Model):
    """The personal-data map: which field of which model holds personal data.

    Every privacy feature reads it: sensitive entries restrict the field to
    ``group_gdpr_sensitive``; the erasure method says what erasing a person
    does to the field.
    """

    _name = "gdpr.field"
    _description = "Personal Data Map Entry"
    _order = "model, field_name"

    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("transient", "=", False)],
    )
    model = fields.Char(
        related="model_id.model", string="Model name", store=True, index=True
    )
    field_id = fields.Many2one(
        "ir.model.fields",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
    )
    field_name = fields.Char(related="field_id.name", store=True, index=True)
    field_description = fields.Char(related="field_id.field_description")
    field_type = fields.Selection(related="field_id.ttype")
    category_id = fields.Many2one(
        "gdpr.data.category", required=True, ondelete="restrict"
    )
    sensitivity = fields.Selection(
        SENSITIVITIES,
        required=True,
        default="normal",
        help="Sensitive and special-category fields can only be read and "
        "written by users of the group 'Sensitive personal data'.",
    )
    erasure_method = fields.Selection(
        ERASURE_METHODS,
        required=True,
        default="clear",
        help="What erasing a person does to this field.",
    )
    placeholder = fields.Char(
        default="Anonymised",
        help="The value written instead of the personal data.",
    )
    legal_hold_reason = fields.Text(
        help="The legal basis that obliges the company to keep this data."
    )
    note = fields.Text()
    collected = fields.Boolean(
        default=True,
        help="Switch off a field the company decides not to collect (GDPR "
        "Art. 5(1)(c)): it disappears from forms and lists, and entering a "
        "value is refused everywhere. Purge the values already held.",
    )
    stored_count = fields.Integer(
        "Records with a value", compute="_compute_stored_count"
    )
    active = fields.Boolean(default=True)
    access_warning = fields.Char(compute="_compute_access_warning")

    _sql_constraints = [
        (
            "field_unique",
            "UNIQUE(field_id)",
            "A field appears only once in the personal-data map.",
        ),
    ]

    @api.depends("field_id", "sensitivity")
    def _compute_access_warning(self):
        for entry in self:
            field = entry._get_orm_field()
            declared = field and getattr(field, "_gdpr_declared_groups", field.groups)
            entry.access_warning = (
                _(
                    "The module defining this field already restricts it to "
                    "the groups %s; that restriction applies instead.",
                    declared,
                )
                if declared and entry.sensitivity != "normal"
                else False
            )

    def _compute_display_name(self):
        for entry in self:
            entry.display_name = f"{entry.model}.{entry.field_name}"

    def _compute_stored_count(self):
        for entry in self:
            field = entry._get_orm_field()
            if field is None or not field.column_type:
                entry.stored_count = 0
                continue
            self.env[entry.model].flush_model([entry.field_name])
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM %s WHERE %s IS NOT NULL",
                    SQL.identifier(self.env[entry.model]._table),
                    SQL.identifier(entry.field_name),
                )
            )
            entry.stored_count = self.env.cr.fetchone()[0]

    @api.constrains("collected", "field_id")
    def _check_collected(self):
        for entry in self.filtered(lambda e: not e.collected):
            if entry.sudo().field_id.required or entry.field_name in (
                "name",
                "display_name",
            ):
                raise ValidationError(
                    _(
                        "%(model)s.%(field)s is needed by Odoo: it cannot be "
                        "switched off.",
                        model=entry.model,
                        field=entry.field_name,
                    )
                )

    def action_purge_values(self):
        """Clear the values held in switched-off fields, in batches, through
        the ORM so that the audit trail records each purge. Irreversible:
        for the DPO only."""
        check_dpo(
            self.env,
            _("Only the data protection officer can purge the values of a field."),
        )
        self._check_field()
        purged = 0
        for entry in self.filtered(lambda e: not e.collected):
            Model = (
                self.env[entry.model]
                .sudo()
                .with_context(active_test=False, tracking_disable=True)
            )
            records = Model.search([(entry.field_name, "!=", False)])
            for batch in split_every(1000, records.ids, Model.browse):
                batch.write({entry.field_name: False})
            purged += len(records)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": _("%s values purged.", purged),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.constrains("model_id", "field_id", "erasure_method", "legal_hold_reason")
    def _check_field(self):
        for entry in self:
            if SYSTEM_MODELS.match(entry.model or ""):
                raise ValidationError(
                    _(
                        "%s holds the database's own rules or the privacy "
                        "processes, not people's data: it cannot be in the "
                        "personal-data map.",
                        entry.model,
                    )
                )
            field = entry.field_id
            if field.model_id != entry.model_id:
                raise ValidationError(
                    _(
                        "The field %(field)s does not belong to the model %(model)s.",
                        field=field.name,
                        model=entry.model_id.model,
                    )
                )
            if not field.store:
                raise ValidationError(
                    _(
                        "The field %(model)s.%(field)s is not stored: it holds "
                        "no data of its own.",
                        model=entry.model,
                        field=field.name,
                    )
                )
            if (
                entry.erasure_method == "placeholder"
                and field.ttype not in TEXT_FIELD_TYPES
            ):
                raise ValidationError(
                    _(
                        "Only text fields can be replaced with a placeholder; "
                        "%(model)s.%(field)s is a %(type)s field.",
                        model=entry.model,
                        field=field.name,
                        type=field.ttype,
                    )
                )
            if entry.erasure_method == "clear" and field.required:
                raise ValidationError(
                    _(
                        "The field %(model)s.%(field)s is required and cannot be "
                        "cleared: replace it with a placeholder or delete the "
                        "record instead.",
                        model=entry.model,
                        field=field.name,
                    )
                )
            if entry.erasure_method == "keep" and not entry.legal_hold_reason:
                raise ValidationError(
                    _(
                        "Say which legal obligation requires keeping %(model)s."
                        "%(field)s.",
                        model=entry.model,
                        field=field.name,
                    )
                )

    @api.model
    def _resolve_names(self, vals):
        """Accept ``model`` and ``field_name`` (for RPC and imports) instead of
        ids, refusing names that do not exist."""
        vals = dict(vals)
        model_name = vals.pop("model", None)
        field_name = vals.pop("field_name", None)
        if model_name and not vals.get("model_id"):
            model = self.env["ir.model"]._get(model_name)
            if not model:
                raise ValidationError(_("There is no model %r.", model_name))
            vals["model_id"] = model.id
        if field_name and not vals.get("field_id"):
            model = self.env["ir.model"].browse(vals.get("model_id"))
            field = self.env["ir.model.fields"]._get(model.model, field_name)
            if not field:
                raise ValidationError(
                    _(
                        "The model %(model)s has no field %(field)r.",
                        model=model.model,
                        field=field_name,
                    )
                )
            vals["field_id"] = field.id
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        entries = super().create([self._resolve_names(vals) for vals in vals_list])
        self._apply_field_access()
        return entries

    def write(self, vals):
        result = super().write(self._resolve_names(vals))
        if {"model_id", "field_id", "sensitivity", "active", "collected"} & set(vals):
            self._apply_field_access()
        return result

    def unlink(self):
        result = super().unlink()
        self._apply_field_access()
        return result

    @api.model
    @tools.ormcache()
    def _audited_fields(self):
        """``{model: frozenset(field names)}``: the stored fields of the map
        whose changes the audit trail records."""
        cr = self.env.cr
        if not sql.table_exists(cr, self._table):
            return {}  # while the module installs
        cr.execute(
            SQL(
                "SELECT model, field_name FROM %s WHERE active",
                SQL.identifier(self._table),
            )
        )
        result = defaultdict(set)
        for model_name, field_name in cr.fetchall():
            model = self.env.registry.get(model_name)
            field = model is not None and model._fields.get(field_name)
            if (
                field
                and field.store
                and field.column_type
                and not model._transient
                and model_name not in UNAUDITED_MODELS
            ):
                result[model_name].add(field_name)
        return {model: frozenset(names) for model, names in result.items()}

    @api.model
    @tools.ormcache()
    def _not_collected_fields(self):
        """``{model: frozenset(field names)}`` the company does not collect."""
        if not sql.table_exists(self.env.cr, self._table):
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT model, field_name FROM %s WHERE active AND NOT collected",
                SQL.identifier(self._table),
            )
        )
        result = defaultdict(set)
        for model_name, field_name in self.env.cr.fetchall():
            result[model_name].add(field_name)
        return {model: frozenset(names) for model, names in result.items()}

    def _get_orm_field(self):
        self.ensure_one()
        model = self.env.registry.get(self.model or "")
        return model._fields.get(self.field_name) if model is not None else None
