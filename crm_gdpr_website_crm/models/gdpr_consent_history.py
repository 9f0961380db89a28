from odoo import api, fields, models

# The context key through which a sign-up hands its page to its history.
PAGE_URL_KEY = "crm_gdpr_signup_page_url"


class GdprConsentHistory(models.Model):
    _inherit = "gdpr.consent.history"

    page_url = fields.Char(
        string="Page",
        readonly=True,
        help="The web page whose form the person sent (without its query string).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Only the form's own entries carry the page: channel "form" is
        # recorded from the person's request (consent page, intake), never
        # by staff.
        page_url = self.env.context.get(PAGE_URL_KEY)
        if page_url:
            for vals in vals_list:
                if vals.get("channel") == "form" and vals.get("state") == "pending":
                    vals.setdefault("page_url", page_url)
        return super().create(vals_list)
