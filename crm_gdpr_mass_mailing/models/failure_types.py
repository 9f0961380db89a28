from odoo.addons.crm_gdpr.models.gdpr_purpose_contactable import REFUSALS

# Why a mailing left a recipient out for privacy, as mail and trace failure
# types; from the reasons of gdpr.purpose.check_contactable().
GDPR_FAILURE_TYPES = [
    ("gdpr_no_consent", "No valid consent"),
    ("gdpr_objection", "Objected to the purpose"),
    ("gdpr_restricted", "Processing restricted"),
    ("gdpr_erased", "Erased"),
]
ONDELETE = {key: "set null" for key, _label in GDPR_FAILURE_TYPES}
REASON_TO_FAILURE = {
    "erased": "gdpr_erased",
    "restricted": "gdpr_restricted",
    "objection": "gdpr_objection",
    "withdrawn": "gdpr_no_consent",
    "refused": "gdpr_no_consent",
    "expired": "gdpr_no_consent",
    "unknown": "gdpr_no_consent",
    "no_consent": "gdpr_no_consent",
    "blacklisted": "mail_bl",
}
# the reasons a mailing can meet, least permissive first (crm_gdpr's order)
REFUSAL_ORDER = tuple(reason for reason in REFUSALS if reason in REASON_TO_FAILURE)
