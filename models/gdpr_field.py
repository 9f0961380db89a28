import re
from collections import defaultdict

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL, split_every, sql

from .gdpr_rights import check_dpo

SENSITIVE_GROUP = "crm_gdpr.group_gdpr_sensitive"
# a group nobody is in: the fields the company does not collect
NOT_COLLECTED_GROUP = "crm_gdpr.group_gdpr_not_collected"
# field types the chatter can track (mail.tracking.value)
TRACKABLE_TYPES = {
    "boolean",
    "char",
    "date",
    "datetime",
    "float",
    "integer",
    "many2one",
    "monetary",
    "selection",
    "text",
}
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

    def _register_hook(self):
        super()._register_hook()
        self._apply_field_access(signal=False)

    def _get_orm_field(self):
        self.ensure_one()
        model = self.env.registry.get(self.model or "")
        return model._fields.get(self.field_name) if model is not None else None

    @api.model
    def _sensitive_orm_fields(self):
        """The ORM fields the map restricts: the sensitive fields, the fields
        computed from them on the same model (but ``display_name``, which
        every record needs), and their copies in models that inherit them
        through ``_inherits`` (e.g. res.users from res.partner)."""
        self.flush_model(["model", "field_name", "sensitivity", "active"])
        self.env.cr.execute(
            SQL(
                "SELECT model, field_name FROM %s "
                "WHERE active AND sensitivity IN ('sensitive', 'special')",
                SQL.identifier(self._table),
            )
        )
        registry = self.env.registry
        result = set()
        for model_name, field_name in self.env.cr.fetchall():
            model = registry.get(model_name)
            if model is None or field_name not in model._fields:
                continue
            restricted = {model._fields[field_name]} | {
                field
                for field in model._fields.values()
                if field.compute
                and field.name != "display_name"
                and any(
                    dep.split(".")[0] == field_name
                    for dep in registry.field_depends.get(field, ())
                )
            }
            result |= self._with_inherited_copies(model, restricted)
        return result

    @api.model
    def _with_inherited_copies(self, model, fields_):
        """``fields_`` of ``model`` and their copies in the models that
        inherit it through ``_inherits``."""
        registry = self.env.registry
        result = set(fields_)
        for field in fields_:
            for child_name in model._inherits_children:
                child_field = registry[child_name]._fields.get(field.name)
                if child_field is not None and child_field.inherited:
                    result.add(child_field)
        return result

    @api.model
    def _not_collected_orm_fields(self):
        """The switched-off fields, and their ``_inherits`` copies."""
        result = set()
        for model_name, names in self._not_collected_fields().items():
            model = self.env.registry.get(model_name)
            if model is not None:
                fields_ = set(filter(None, map(model._fields.get, names)))
                result |= self._with_inherited_copies(model, fields_)
        return result

    @api.model
    def _apply_tracking(self):
        """Track the mapped fields of chatter models, so that everyone sees
        who changed a contact's data in its chatter; the chatter shows the
        values of a sensitive field only to those who may read it."""
        registry = self.env.registry
        wanted = set()
        for model_name, names in self._audited_fields().items():
            model = registry[model_name]
            if "message_ids" not in model._fields:
                continue
            wanted.update(
                field
                for field in map(model._fields.get, names)
                if field.type in TRACKABLE_TYPES and not field.inherited
            )
        previous = getattr(registry, "_gdpr_tracked_fields", set())
        for field in previous - wanted:
            field.tracking = field._gdpr_declared_tracking
        for field in wanted - previous:
            field._gdpr_declared_tracking = getattr(field, "tracking", None)
            if not field._gdpr_declared_tracking:
                field.tracking = True
        registry._gdpr_tracked_fields = wanted
        return wanted != previous

    @api.model
    def _apply_field_access(self, signal=True):
        """Restrict the sensitive fields of the map to group_gdpr_sensitive.

        Setting the ORM field's ``groups`` makes every path enforce it: views
        drop the field, ``fields_get`` hides it, and read, search, write and
        export raise an AccessError. Fields whose module already restricts
        them keep that restriction. After an edit of the map (``signal``),
        other workers reload their registry, which calls this again.
        """
        registry = self.env.registry
        self.flush_model()
        registry.clear_cache()
        sensitive = self._sensitive_orm_fields()
        wanted = dict.fromkeys(sensitive, SENSITIVE_GROUP)
        wanted.update(
            dict.fromkeys(self._not_collected_orm_fields(), NOT_COLLECTED_GROUP)
        )
        previous = getattr(registry, "_gdpr_field_groups", {})
        for field in previous.keys() - wanted.keys():
            field.groups = field._gdpr_declared_groups
        for field, group in wanted.items():
            if not hasattr(field, "_gdpr_declared_groups"):
                field._gdpr_declared_groups = field.groups
            if group == NOT_COLLECTED_GROUP or not field._gdpr_declared_groups:
                field.groups = group
            elif field.groups == NOT_COLLECTED_GROUP:
                field.groups = field._gdpr_declared_groups
        registry._gdpr_field_groups = wanted
        registry._gdpr_restricted_fields = sensitive
        tracking_changed = self._apply_tracking()
        if signal and (wanted != previous or tracking_changed):
            registry.clear_cache("templates")
            registry.registry_invalidated = True
