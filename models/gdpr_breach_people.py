"""Telling the people concerned by a breach (Art. 34): the decision and
its exception, the message, and the communications prepared for each person
(sent by the scheduled action of ``gdpr.breach.communication``)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

COMMUNICATION = [
    ("undecided", "Not decided yet"),
    ("required", "High risk: tell the people concerned (Art. 34(1))"),
    ("not_high_risk", "No high risk to the people concerned"),
    ("exception_a", "Art. 34(3)(a): the data are unintelligible (e.g. encrypted)"),
    ("exception_b", "Art. 34(3)(b): later measures removed the high risk"),
    (
        "exception_c",
        "Art. 34(3)(c): disproportionate effort, public communication instead",
    ),
]


class GdprBreach(models.Model):
    _inherit = "gdpr.breach"

    # the people concerned (Art. 34)
    communication_decision = fields.Selection(
        COMMUNICATION,
        "Tell the people concerned",
        default="undecided",
        required=True,
        tracking=True,
    )
    communication_exception_note = fields.Text(
        "Why not",
        tracking=True,
        help="How the exception of Art. 34(3) applies, or why the risk is not high.",
    )
    subject_message = fields.Html(
        "Message to the people concerned",
        translate=True,
        help="Art. 34(2): the nature of the breach in clear and plain "
        "language. Translate it for the languages of the people concerned.",
    )
    communication_ids = fields.One2many(
        "gdpr.breach.communication", "breach_id", string="Communications"
    )
    communication_count = fields.Integer(compute="_compute_communication_count")
    communication_sent_count = fields.Integer(compute="_compute_communication_count")

    @api.depends("communication_ids.state")
    def _compute_communication_count(self):
        for breach in self:
            breach.communication_count = len(breach.communication_ids)
            breach.communication_sent_count = len(
                breach.communication_ids.filtered(lambda c: c.state == "sent")
            )

    @api.constrains("communication_decision", "communication_exception_note")
    def _check_communication_note(self):
        for breach in self:
            if breach.communication_decision.startswith("exception_") and not (
                (breach.communication_exception_note or "").strip()
            ):
                raise ValidationError(
                    _("Say how the exception of Art. 34(3) applies to this breach.")
                )

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_breach_communication_action"
        )
        action["domain"] = [("breach_id", "=", self.id)]
        action["context"] = {"default_breach_id": self.id}
        return action

    def action_prepare_communications(self):
        """One communication per person concerned; those who were erased,
        suppressed, blacklisted or have no e-mail address are skipped and
        say why. The scheduled action sends them in batches."""
        self._check_dpo()
        for breach in self:
            if breach.communication_decision != "required":
                raise UserError(
                    _(
                        "%s: decide first that the people concerned must be told "
                        "(Art. 34(1)).",
                        breach.display_name,
                    )
                )
            if not (breach.subject_message or "").strip():
                raise UserError(
                    _("Write the message to the people concerned first (Art. 34(2)).")
                )
            breach.communication_ids._create_for(breach, breach.partner_ids)
        self.env.ref("crm_gdpr.ir_cron_gdpr_breach_communication")._trigger()
        return True
