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
# the reasons, least permissive first (see crm_gdpr's check_contactable)
REFUSAL_ORDER = (
    "erased",
    "restricted",
    "objection",
    "withdrawn",
    "refused",
    "blacklisted",
    "expired",
    "unknown",
    "no_consent",
)
