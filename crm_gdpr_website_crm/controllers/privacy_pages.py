from odoo import http

from odoo.addons.crm_gdpr.controllers.consent_page import ConsentPage
from odoo.addons.crm_gdpr.controllers.data_confirmation import DataConfirmationPage


class ConsentPageWebsite(ConsentPage):
    """With Website installed, the frontend layout of the person's pages is
    the website's: it needs the website of the request."""

    @http.route(website=True)
    def consent_page(self, token):
        return super().consent_page(token)

    @http.route(website=True)
    def consent_submit(self, token, **post):
        return super().consent_submit(token, **post)


class DataConfirmationPageWebsite(DataConfirmationPage):
    @http.route(website=True)
    def data_page(self, token):
        return super().data_page(token)

    @http.route(website=True)
    def data_submit(self, token, **post):
        return super().data_submit(token, **post)
