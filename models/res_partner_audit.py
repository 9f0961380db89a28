from odoo import fields, models


class ResPartner(models.Model):
    """A contact's audit trail: how many entries it has, and the list of
    them for the data protection officer."""

    _inherit = "res.partner"

    gdpr_audit_count = fields.Integer(
        "Audit trail entries",
        compute="_compute_gdpr_audit_count",
        groups="crm_gdpr.group_gdpr_dpo",
    )

    def _compute_gdpr_audit_count(self):
        counts = dict(
            self.env["gdpr.audit.entry"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.gdpr_audit_count = counts.get(partner._origin, 0)

    def action_view_gdpr_audit_trail(self):
        """The audit trail of this contact: its changes and those of its
        leads and bank accounts."""
        self.ensure_one()
        self.env["gdpr.audit.entry"]._check_dpo()
        self.env["gdpr.audit.entry"]._flush_trail()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_audit_entry_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        action["name"] = self.env._("Audit trail of %s", self.display_name)
        return action
