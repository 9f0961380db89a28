from . import rpc
from . import consent_page
from . import data_confirmation
