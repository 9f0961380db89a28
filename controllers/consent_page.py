from odoo import http
from odoo.http import request


class ConsentPage(http.Controller):
    """The person's own page behind the link of a consent request: reading
    it changes nothing (mail scanners open links), only the form's POST with
    its CSRF token does. Unknown, used or expired links get a plain 404."""

    def _consent_request(self, token):
        consent_request = request.env["gdpr.consent.request"]._from_token(token)
        if consent_request:
            # the person's language, else their company's (the controller's)
            request.update_context(
                lang=consent_request.partner_id.lang
                or consent_request.company_id.sudo().partner_id.lang
                or request.env.lang
            )
        return consent_request

    @http.route(
        "/privacy/consent/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def consent_page(self, token):
        consent_request = self._consent_request(token)
        if not consent_request:
            raise request.not_found()
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
        return request.render(
            "crm_gdpr.consent_page",
            {
                "consent_request": consent_request,
                "token": token,
                "company": company,
                "address": company.partner_id._display_address(without_company=True),
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

    @http.route(
        "/privacy/consent/<string:token>/submit",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=True,
        sitemap=False,
    )
    def consent_submit(self, token, **post):
        consent_request = self._consent_request(token)
        if not consent_request:
            raise request.not_found()
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
        return request.render(
            "crm_gdpr.consent_page_done",
            {
                "company": consent_request.company_id.sudo(),
                "recorded": [
                    (purpose.with_context(lang=request.env.lang).name, labels[state])
                    for purpose, state in recorded.items()
                ],
            },
        )

    @http.route(
        "/privacy/consent/<string:token>/seen",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=True,
        sitemap=False,
    )
    def consent_seen(self, token, **post):
        """The page reports that a browser showed it (a campaign's "opened"):
        a POST with the page's CSRF token, which a mail scanner's GET of the
        link never sends."""
        consent_request = self._consent_request(token)
        if not consent_request:
            raise request.not_found()
        consent_request._mark_opened()
        return request.make_response("", status=204)
