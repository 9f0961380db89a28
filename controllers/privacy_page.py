"""What the person's own pages (consent, data confirmation) share: the
record behind the link's token, the person's language, the plain 404 of an
unknown, used or expired link, and the routes. Reading a page changes nothing
(mail scanners open links); only the form's POST with its CSRF token does."""

from odoo import http
from odoo.http import request


def page_route(route):
    """The page itself: a GET that only reads."""
    return http.route(route, type="http", auth="public", methods=["GET"], sitemap=False)


def form_route(route):
    """What the page posts: a POST that carries the page's CSRF token."""
    return http.route(
        route, type="http", auth="public", methods=["POST"], csrf=True, sitemap=False
    )


class PrivacyPage:
    """Mixed into the controllers of the person's pages, each naming the
    model of its links in ``_token_model`` (a plain class, not a controller:
    Odoo would merge controllers that share a parent into one)."""

    _token_model = None

    def _from_token(self, token):
        """The record behind ``token``, the request then in the person's
        language (else their company's); a 404 when there is none."""
        record = request.env[self._token_model]._from_token(token)
        if not record:
            raise request.not_found()
        request.update_context(
            lang=record.partner_id._gdpr_lang(record.company_id) or request.env.lang
        )
        return record

    def _render(self, template, record, values=None):
        """``template`` with the company of ``record`` (its name, logo and
        privacy notice on the page)."""
        return request.render(
            template, {"company": record.company_id.sudo(), **(values or {})}
        )
