from odoo import api, models


class Base(models.AbstractModel):
    """Lookups of sensitive fields, wherever Odoo hands out values: read,
    search_read and web_read (all through _read_format), read_group
    (group-bys and aggregates), name_search and display names that show
    them. The interface is decided on the server (_interface), never taken
    from the caller's context."""

    _inherit = "base"

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
