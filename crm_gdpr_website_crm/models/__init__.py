from . import gdpr_purpose
from . import gdpr_consent_history
from . import gdpr_consent_request
