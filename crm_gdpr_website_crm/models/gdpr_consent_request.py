from urllib.parse import urlsplit, urlunsplit

from odoo import _, api, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_gdpr.models.gdpr_rights import is_intake

from .gdpr_consent_history import PAGE_URL_KEY

MAX_URL_LENGTH = 2048


def clean_page_url(url):
    """``url`` without its query string and fragment (prefilled fields may
    carry personal data), or False when it is not a web address."""
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class GdprConsentRequest(models.Model):
    _inherit = "gdpr.consent.request"

    @api.model
    def submit_signup(self, *args, page_url=None, **kwargs):
        """As in ``crm_gdpr``, with ``page_url``: the web page whose form the
        person sent, kept in the history of the pending consents."""
        records = self
        # the intake group check is crm_gdpr's, made first
        if page_url and is_intake(self.env):
            cleaned = clean_page_url(page_url)
            if not cleaned:
                raise ValidationError(_("%r is not a web page address.", page_url))
            records = self.with_context(**{PAGE_URL_KEY: cleaned})
        return super(GdprConsentRequest, records).submit_signup(*args, **kwargs)
