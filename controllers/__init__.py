from . import log_redaction
from . import rpc
from . import consent_page
from . import password_change
from . import data_confirmation
