from odoo import api, fields, models


class GdprRetentionExclusion(models.Model):
    """A person the DPO keeps out of retention reviews, and why."""

    _name = "gdpr.retention.exclusion"
    _description = "Exclusion from Retention"
    _order = "id desc"

    res_model = fields.Char("Model", required=True)
    res_id = fields.Integer("Record ID", required=True)
    reason = fields.Char(required=True)
    user_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _sql_constraints = [
        (
            "record_unique",
            "UNIQUE(res_model, res_id)",
            "This person is already excluded.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        exclusions = super().create(vals_list)
        line_id = self.env.context.get("retention_line_id")
        if line_id:
            line = self.env["gdpr.retention.line"].browse(line_id)
            line.write({"excluded": True, "exclusion_reason": exclusions[:1].reason})
        return exclusions

    def action_save(self):
        return {"type": "ir.actions.act_window_close"}
