from odoo import _, fields, models


class GdprPasswordChangeRequest(models.TransientModel):
    """Ask users to choose a new password at their next login, with a
    message telling them why."""

    _name = "gdpr.password.change.request"
    _description = "Ask Users to Change Their Password"

    user_ids = fields.Many2many("res.users", string="Users", required=True)
    message = fields.Text(
        default=lambda self: _(
            "For the security of the personal data we hold, please choose a new "
            "password."
        ),
        help="Shown to the users when they next log in.",
    )

    def action_apply(self):
        self.ensure_one()
        count = self.env["res.users"].gdpr_request_password_change(
            self.user_ids.ids, self.message or None
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(count)s users will be asked to change their password at "
                    "their next login.",
                    count=count,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
