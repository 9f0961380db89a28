from . import gdpr_consent_record_wizard
from . import gdpr_audit_download
from . import gdpr_erasure_wizard
from . import gdpr_erasure_wizard_line
from . import gdpr_restriction_wizard
from . import gdpr_consent_request_wizard
from . import gdpr_password_change_request
