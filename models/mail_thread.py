from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """A bounce of a consent campaign's e-mail marks its person bounced."""
        msg_ids = message_dict.get("bounced_msg_ids") or []
        if msg_ids:
            self.env["gdpr.consent.campaign.line"]._mark(
                [("message_id", "in", msg_ids), ("state", "=", "sent")],
                {"bounced": True, "delivered": False},
            )
        return super()._routing_handle_bounce(email_message, message_dict)
