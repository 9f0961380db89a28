from . import failure_types
from . import mail_mail
from . import mailing_trace
from . import mailing_mailing
