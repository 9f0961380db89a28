from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _process_mail_values_state(self, mail_values_dict):
        """Leave out the recipients the mailing's purpose does not allow: a
        cancelled mail with the privacy reason as its failure type, which
        the mailing counts."""
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        mailing = self.mass_mailing_id
        purpose = mailing.sudo().gdpr_purpose_id
        if not purpose or self.composition_mode != "mass_mail":
            return mail_values_dict
        recipients = self._get_recipients_data(mail_values_dict)
        todo = {
            res_id: recipients[res_id]["mail_to_normalized"]
            for res_id, values in mail_values_dict.items()
            if values.get("state") != "cancel"
            and recipients[res_id]["mail_to_normalized"]
        }
        emails = {email for found in todo.values() for email in found}
        failures = mailing._gdpr_failure_types(purpose, emails)
        for res_id, found in todo.items():
            refused = [failures[email] for email in found if email in failures]
            if refused and len(refused) == len(found):
                values = mail_values_dict[res_id]
                values["state"] = "cancel"
                values["failure_type"] = refused[0]
                values["is_notification"] = False
        return mail_values_dict
