from odoo.http import request

from odoo.addons.mass_mailing.controllers.main import MassMailController


class GdprMassMailController(MassMailController):
    """Unsubscribing from a mailing that names a purpose withdraws the
    consent to it (or records an objection), with the request's proof."""

    def _gdpr_unsubscribe(self, mailing, email):
        httprequest = request.httprequest
        mailing._gdpr_unsubscribe(
            email,
            {
                "ip_address": httprequest.remote_addr,
                "user_agent": httprequest.user_agent.string,
            },
        )

    def _mailing_unsubscribe_from_list(self, mailing, document_id, email, hash_token):
        response = super()._mailing_unsubscribe_from_list(
            mailing, document_id, email, hash_token
        )
        self._gdpr_unsubscribe(mailing, email)
        return response

    def _mailing_unsubscribe_from_document(
        self, mailing, document_id, email, hash_token
    ):
        response = super()._mailing_unsubscribe_from_document(
            mailing, document_id, email, hash_token
        )
        self._gdpr_unsubscribe(mailing, email)
        return response
