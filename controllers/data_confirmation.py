from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from .privacy_page import PrivacyPage, form_route, page_route


class DataConfirmationPage(PrivacyPage, http.Controller):
    """The page behind a data confirmation link, where the person confirms
    or corrects the data held about them."""

    _token_model = "gdpr.data.confirmation"

    def _render_page(self, confirmation, token, error=None, post=None):
        partner = confirmation.partner_id.sudo()
        shown = []
        for name in confirmation._editable_fields():
            field = partner._fields[name]
            label = field._description_string(request.env)
            if field.type == "many2one":
                choices = [
                    (record.id, record.display_name)
                    for record in request.env[field.comodel_name].sudo().search([])
                ]
                value = partner[name].id
                shown.append((name, label, "many2one", value, choices))
            else:
                value = post.get(name) if post and name in post else partner[name]
                shown.append((name, label, field.type, value, []))
        return self._render(
            "crm_gdpr.data_confirmation_page",
            confirmation,
            {"token": token, "fields_shown": shown, "error": error},
        )

    @page_route("/privacy/data/<string:token>")
    def data_page(self, token):
        return self._render_page(self._from_token(token), token)

    @form_route("/privacy/data/<string:token>/submit")
    def data_submit(self, token, **post):
        confirmation = self._from_token(token)
        try:
            state = confirmation._answer(post)
        except ValidationError as error:
            return self._render_page(
                confirmation, token, error=error.args[0], post=post
            )
        return self._render(
            "crm_gdpr.data_confirmation_done", confirmation, {"state": state}
        )
