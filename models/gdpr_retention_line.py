from odoo import _, fields, models

from .gdpr_purpose import RETENTION_END_ACTIONS
from .gdpr_retention_review import LINE_STATES


class GdprRetentionLine(models.Model):
    """A person due under the retention rules, and what happens to them."""

    _name = "gdpr.retention.line"
    _description = "Person Due for Retention"
    _order = "id"
    # what the plan found and did: the DPO only excludes people
    _gdpr_process_fields = (
        "review_id",
        "res_model",
        "res_id",
        "purpose_id",
        "ended_on",
        "action",
        "state",
        "error",
    )

    review_id = fields.Many2one(
        "gdpr.retention.review", required=True, ondelete="cascade", index=True
    )
    res_model = fields.Selection(
        [("res.partner", "Contact"), ("crm.lead", "Lead")], "Model", required=True
    )
    res_id = fields.Integer("Record ID", required=True)
    record_name = fields.Char("Person", compute="_compute_record_name")
    purpose_id = fields.Many2one(
        "gdpr.purpose",
        "Purpose that ended",
        help="The last purpose that justified keeping them.",
    )
    ended_on = fields.Date()
    action = fields.Selection(RETENTION_END_ACTIONS, required=True)
    excluded = fields.Boolean()
    exclusion_reason = fields.Char()
    state = fields.Selection(LINE_STATES, default="pending", required=True, index=True)
    error = fields.Text()

    def _compute_record_name(self):
        for line in self:
            record = self.env[line.res_model].sudo().browse(line.res_id).exists()
            line.record_name = record.display_name if record else _("(gone)")

    def action_exclude(self):
        """Keep this person out of this and later reviews."""
        return {
            "type": "ir.actions.act_window",
            "res_model": "gdpr.retention.exclusion",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": self.res_model,
                "default_res_id": self.res_id,
                "retention_line_id": self.id,
            },
        }

    def _apply(self):
        """Archive or delete the record; returns the line's new state.
        Anonymisation is done for a whole batch by the review."""
        self.ensure_one()
        record = self.env[self.res_model].sudo().with_context(active_test=False)
        record = record.browse(self.res_id).exists()
        if not record:
            return "skipped"
        if self.action == "archive":
            record.active = False
        elif self.action == "delete":
            record.unlink()
            # what the trail holds of the deleted person goes with them
            self.env["gdpr.audit.entry"]._erase_subjects(record)
        return "done"
