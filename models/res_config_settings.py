from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    gdpr_dpo_partner_id = fields.Many2one(
        related="company_id.gdpr_dpo_partner_id", readonly=False
    )
    gdpr_privacy_policy_url = fields.Char(
        related="company_id.gdpr_privacy_policy_url", readonly=False
    )
    gdpr_audit_retention_months = fields.Integer(
        string="Keep the audit trail (months)",
        config_parameter="crm_gdpr.audit_retention_months",
        help="Entries older than this are purged by a scheduled action, "
        "keeping the hash chain verifiable. 0 keeps them for ever.",
    )
    gdpr_suppression_mode = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        string="Erased people entered again",
        config_parameter="crm_gdpr.suppression_mode",
        default="warn",
        help="Warn: the form warns the user who enters the e-mail address or "
        "phone number of an erased person. Block: creating or importing them "
        "is refused.",
    )
    gdpr_retention_auto = fields.Boolean(
        "Apply retention automatically",
        config_parameter="crm_gdpr.retention_auto",
        help="Every day, a scheduled action reviews who is due and applies the "
        "end action of their purpose, in batches, and mails the summary to "
        "the data protection officer.",
    )
    gdpr_signup_confirm_days = fields.Integer(
        "Days to confirm a sign-up",
        config_parameter="crm_gdpr.signup_confirm_days",
        default=7,
        help="Consents given through a web form or the intake API stay pending "
        "until the person confirms by e-mail; after this many days they are "
        "refused.",
    )
