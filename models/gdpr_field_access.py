from odoo import api, models
from odoo.tools import SQL

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


class GdprField(models.Model):
    """The map applied to the ORM: the sensitive fields restricted to the
    group that may read them, the fields not collected to nobody, and the
    mapped fields of chatter models tracked. Applied at every registry
    load and after each change of the map."""

    _inherit = "gdpr.field"

    def _register_hook(self):
        super()._register_hook()
        self._apply_field_access(signal=False)

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
