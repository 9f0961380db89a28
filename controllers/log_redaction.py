"""Keep the personal links' tokens out of the server log.

Whoever holds a token can answer for the person, and server logs are read,
shipped and kept by more people than the database: the request lines of
werkzeug and Odoo's CSRF warnings show ``/privacy/.../<token>`` with the
token cut out.
"""

import logging
import re

# any long segment under /privacy/, however the client spells or doubles
# the slashes (werkzeug logs the path as received)
TOKEN_IN_PATH = re.compile(r"(/privacy/+(?:[\w-]+/+)*?)[\w-]{16,}", re.IGNORECASE)
REDACTED = r"\1[token]"


def redact(value):
    return TOKEN_IN_PATH.sub(REDACTED, value) if isinstance(value, str) else value


class TokenRedactionFilter(logging.Filter):
    def filter(self, record):
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        return True


def install(logger_names=("werkzeug", "odoo.http")):
    """On the loggers that write request paths, and on the server's log
    handlers, so that records of their child loggers are redacted too."""
    targets = [logging.getLogger(name) for name in logger_names]
    targets += logging.getLogger().handlers
    for target in targets:
        if not any(isinstance(f, TokenRedactionFilter) for f in target.filters):
            target.addFilter(TokenRedactionFilter())


install()
