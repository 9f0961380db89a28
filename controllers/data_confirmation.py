from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request


class DataConfirmationPage(http.Controller):
    """The page behind a data confirmation link: reading it changes nothing
    (mail scanners open links), only the form's POST with its CSRF token
    confirms or corrects. Unknown, used or expired links get a plain 404."""

    def _confirmation(self, token):
        confirmation = request.env["gdpr.data.confirmation"]._from_token(token)
        if confirmation:
            # the person's language, else their company's (the controller's)
            request.update_context(
                lang=confirmation.partner_id.lang
                or confirmation.company_id.sudo().partner_id.lang
                or request.env.lang
            )
        return confirmation

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
        return request.render(
            "crm_gdpr.data_confirmation_page",
            {
                "token": token,
                "company": confirmation.company_id.sudo(),
                "fields_shown": shown,
                "error": error,
            },
        )

    @http.route(
        "/privacy/data/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def data_page(self, token):
        confirmation = self._confirmation(token)
        if not confirmation:
            raise request.not_found()
        return self._render_page(confirmation, token)

    @http.route(
        "/privacy/data/<string:token>/submit",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=True,
        sitemap=False,
    )
    def data_submit(self, token, **post):
        confirmation = self._confirmation(token)
        if not confirmation:
            raise request.not_found()
        try:
            state = confirmation._answer(post)
        except ValidationError as error:
            return self._render_page(
                confirmation, token, error=error.args[0], post=post
            )
        return request.render(
            "crm_gdpr.data_confirmation_done",
            {"company": confirmation.company_id.sudo(), "state": state},
        )
