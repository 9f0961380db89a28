from . import rpc
from . import consent_page
