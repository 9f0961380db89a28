from . import test_purpose
from . import test_personal_data_map
from . import test_consent
from . import test_access
from . import test_rpc
from . import test_audit_trail
from . import test_audit_rpc
from . import test_ui
