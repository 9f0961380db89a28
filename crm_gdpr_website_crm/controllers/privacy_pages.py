from odoo import http

from odoo.addons.crm_gdpr.controllers.consent_page import ConsentPage
from odoo.addons.crm_gdpr.controllers.data_confirmation import DataConfirmationPage
from odoo.addons.crm_gdpr.controllers.password_change import PasswordChangeHome


def private_page(response):
    """A person's own page: no analytics or custom code of the website
    (its address holds the personal link, it shows their data), no referrer
    sent to the sites it links to, kept in no cache."""
    if getattr(response, "qcontext", None) is not None:
        response.qcontext["crm_gdpr_private_page"] = True
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


class ConsentPageWebsite(ConsentPage):
    """With Website installed, the frontend and login layouts of crm_gdpr's
    pages are the website's: they need the website of the request."""

    @http.route(website=True)
    def consent_page(self, token):
        return private_page(super().consent_page(token))

    @http.route(website=True)
    def consent_submit(self, token, **post):
        return private_page(super().consent_submit(token, **post))


class DataConfirmationPageWebsite(DataConfirmationPage):
    @http.route(website=True)
    def data_page(self, token):
        return private_page(super().data_page(token))

    @http.route(website=True)
    def data_submit(self, token, **post):
        return private_page(super().data_submit(token, **post))


class PasswordChangeWebsite(PasswordChangeHome):
    @http.route(website=True)
    def gdpr_password_change(self, redirect=None, **kw):
        return super().gdpr_password_change(redirect=redirect, **kw)
