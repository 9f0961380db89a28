import logging

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessDenied
from odoo.http import request

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    """Every login attempt, successful or not, goes to the login journal."""

    _inherit = "res.users"

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        try:
            auth_info = super()._login(db, credential, user_agent_env=user_agent_env)
        except AccessDenied as error:
            result = "failure" if error.args == AccessDenied().args else "blocked"
            cls._gdpr_journal(credential, result)
            raise
        cls._gdpr_journal(credential, "success", auth_info.get("uid"))
        return auth_info

    @classmethod
    def _gdpr_journal(cls, credential, result, uid=None):
        """Record the attempt in its own transaction, so that failures stay
        recorded; the journal never prevents a login."""
        try:
            with cls.pool.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["gdpr.login.attempt"]._record(
                    login=credential.get("login"),
                    result=result,
                    uid=uid,
                    httprequest=request.httprequest if request else None,
                )
        except Exception:
            _logger.exception("The login attempt could not be journaled.")
