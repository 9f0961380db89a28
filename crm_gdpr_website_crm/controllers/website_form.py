import json
import logging

from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.website_crm.controllers.website_form import WebsiteForm

from ..models.gdpr_consent_request import clean_page_url

_logger = logging.getLogger(__name__)

# A ticked box posts "crm_gdpr_consent_<purpose id>" = hash of the wording shown.
CONSENT_PREFIX = "crm_gdpr_consent_"
PAGE_URL_PARAM = "crm_gdpr_page_url"


class WebsiteFormConsent(WebsiteForm):
    """The consent boxes of the contact form: what the person ticked goes
    through crm_gdpr's sign-up (double opt-in) once the lead is created. The
    form itself never records a consent; a box that the form did not offer,
    or with a wording other than the current one, is ignored."""

    def _handle_website_form(self, model_name, **kwargs):
        ticked, page_url = self._crm_gdpr_pop_params(kwargs)
        result = super()._handle_website_form(model_name, **kwargs)
        if model_name != "crm.lead" or not ticked:
            return result
        try:
            lead_id = json.loads(result).get("id")
        except (TypeError, ValueError, AttributeError):
            lead_id = False
        if lead_id:
            self._crm_gdpr_signup(lead_id, ticked, page_url)
        return result

    def _crm_gdpr_pop_params(self, kwargs):
        """Take the consent boxes out of the form's values (they are no field
        of the lead and must not land in its description). Returns
        ``({purpose id: wording hash}, page url)``."""
        ticked = {}
        for key in [key for key in request.params if key.startswith(CONSENT_PREFIX)]:
            value = request.params.pop(key)
            kwargs.pop(key, None)
            purpose_id = key[len(CONSENT_PREFIX) :]
            if purpose_id.isdigit() and isinstance(value, str):
                ticked[int(purpose_id)] = value
        page_url = request.params.pop(PAGE_URL_PARAM, None)
        kwargs.pop(PAGE_URL_PARAM, None)
        page_url = (
            clean_page_url(page_url)
            or clean_page_url(request.httprequest.referrer)
            or None
        )
        return ticked, page_url

    def _crm_gdpr_signup(self, lead_id, ticked, page_url):
        lead = request.env["crm.lead"].sudo().browse(lead_id)
        lang = request.env.lang
        purposes = (
            request.env["gdpr.purpose"]
            .with_context(lang=lang)
            ._web_form_purposes(request.website)
        )
        accepted = purposes.filtered(
            lambda purpose: ticked.get(purpose.id) == purpose._web_form_wording_hash()
        )
        if len(accepted) != len(ticked):
            _logger.info(
                "Contact form: %d consent box(es) not offered by the form ignored.",
                len(ticked) - len(accepted),
            )
        if not accepted or not lead.email_from:
            return
        httprequest = request.httprequest
        try:
            with request.env.cr.savepoint():
                signup = (
                    request.env["gdpr.consent.request"]
                    .sudo()
                    .submit_signup(
                        email=lead.email_from,
                        name=lead.contact_name or lead.partner_name or None,
                        purpose_codes=accepted.mapped("code"),
                        ip_address=httprequest.remote_addr,
                        user_agent=httprequest.user_agent.string,
                        lang=lang,
                        page_url=page_url,
                    )
                )
        except (UserError, ValidationError) as error:
            # e.g. an erased or restricted person: the lead stays, nothing
            # is asked
            _logger.info("Contact form: consents not asked: %s", error)
            return
        if signup["pending"]:
            lead._message_log(
                body=request.env._(
                    "Consents ticked on the contact form, awaiting confirmation by "
                    "e-mail: %s",
                    ", ".join(
                        accepted.filtered(lambda p: p.code in signup["pending"]).mapped(
                            "name"
                        )
                    ),
                )
            )
