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
    # security of processing (Art. 32): Odoo's own login settings, and the
    # add-on's password expiry, history, login journal and breach mailing
    gdpr_login_cooldown_after = fields.Integer(
        "Failures before a cooldown",
        config_parameter="base.login_cooldown_after",
        default=10,
        help="Odoo refuses logins from an address for a while after this many "
        "failures in a row; 0 switches it off.",
    )
    gdpr_login_cooldown_duration = fields.Integer(
        "Cooldown (seconds)",
        config_parameter="base.login_cooldown_duration",
        default=60,
    )
    gdpr_totp_privacy_groups = fields.Boolean(
        "Two-factor authentication for privacy roles",
        config_parameter="crm_gdpr.totp_privacy_groups",
        help="Users who may read sensitive data or export personal data (and "
        "the data protection officer) log in with a second factor: their "
        "authenticator app, or else a code sent by e-mail.",
    )
    gdpr_password_expiry_days = fields.Integer(
        "Password expiry (days)",
        config_parameter="crm_gdpr.password_expiry_days",
        help="Users choose a new password at their first login after this many "
        "days; 0 switches it off.",
    )
    gdpr_password_history = fields.Integer(
        "Passwords not to reuse",
        config_parameter="crm_gdpr.password_history",
        help="A new password cannot be one of the user's last N passwords; 0 "
        "switches it off (and keeps no old password hashes).",
    )
    gdpr_login_journal_days = fields.Integer(
        "Keep the login journal (days)",
        config_parameter="crm_gdpr.login_journal_days",
        default=90,
        help="Login attempts older than this are deleted every day; 0 keeps "
        "them for ever.",
    )
    gdpr_login_alert_failures = fields.Integer(
        "Failed logins before an alert",
        config_parameter="crm_gdpr.login_alert_failures",
        default=10,
        help="The data protection officer is alerted when one address or one "
        "login fails this many times within the window; 0 switches it off.",
    )
    gdpr_login_alert_minutes = fields.Integer(
        "Alert window (minutes)",
        config_parameter="crm_gdpr.login_alert_minutes",
        default=15,
    )
    gdpr_breach_mail_batch = fields.Integer(
        "Breach e-mails per batch",
        config_parameter="crm_gdpr.breach_mail_batch",
        default=200,
        help="How many people the scheduled action tells about a breach at each run.",
    )
