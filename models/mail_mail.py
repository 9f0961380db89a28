from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """A consent campaign's link is delivered when the mail server took
        it, bounced when it refused it."""
        requests = self.filtered(lambda m: m.model == "gdpr.consent.request")
        if requests:
            self.env["gdpr.consent.campaign.line"]._mark(
                [("mail_id", "in", requests.ids), ("state", "=", "sent")],
                {"bounced": True} if failure_type else {"delivered": True},
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
