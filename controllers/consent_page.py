from odoo import http
from odoo.http import request

from .privacy_page import PrivacyPage, form_route, page_route


class ConsentPage(PrivacyPage, http.Controller):
    """The person's own page behind the link of a consent request."""

    _token_model = "gdpr.consent.request"

    @page_route("/privacy/consent/<string:token>")
    def consent_page(self, token):
        consent_request = self._from_token(token)
        Consent = request.env["gdpr.consent"].sudo()
        states = {
            consent.purpose_id: consent.state
            for consent in Consent.search(
                [
                    ("partner_id", "=", consent_request.partner_id.id),
                    ("purpose_id", "in", consent_request.purpose_ids.ids),
                ]
            )
        }
        company = consent_request.company_id.sudo()
        return self._render(
            "crm_gdpr.consent_page",
            consent_request,
            {
                "consent_request": consent_request,
                "token": token,
                # one line that wraps, not lines run together
                "address": ", ".join(
                    line.strip()
                    for line in company.partner_id._display_address(
                        without_company=True
                    ).splitlines()
                    if line.strip()
                ),
                "purposes": [
                    (purpose.with_context(lang=request.env.lang), states.get(purpose))
                    for purpose in consent_request.purpose_ids
                ],
                "legal_bases": dict(
                    request.env["gdpr.purpose"]
                    ._fields["legal_basis"]
                    ._description_selection(request.env)
                ),
            },
        )

    @form_route("/privacy/consent/<string:token>/submit")
    def consent_submit(self, token, **post):
        consent_request = self._from_token(token)
        purposes = consent_request.purpose_ids
        if consent_request.kind == "confirmation":
            decisions = dict.fromkeys(purposes, "given")
        else:
            decisions = {
                purpose: post.get(f"purpose_{purpose.id}") for purpose in purposes
            }
        httprequest = request.httprequest
        recorded = consent_request._answer(
            decisions,
            {
                "ip_address": httprequest.remote_addr,
                "user_agent": httprequest.user_agent.string,
                "lang": request.env.lang,
            },
        )
        labels = dict(
            request.env["gdpr.consent"]
            ._fields["state"]
            ._description_selection(request.env)
        )
        return self._render(
            "crm_gdpr.consent_page_done",
            consent_request,
            {
                "recorded": [
                    (purpose.with_context(lang=request.env.lang).name, labels[state])
                    for purpose, state in recorded.items()
                ],
            },
        )

    @form_route("/privacy/consent/<string:token>/seen")
    def consent_seen(self, token, **post):
        """The page reports that a browser showed it (a campaign's "opened"):
        a POST with the page's CSRF token, which a mail scanner's GET of the
        link never sends."""
        self._from_token(token)._mark_opened()
        return request.make_response("", status=204)
