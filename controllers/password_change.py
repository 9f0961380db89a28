import time

from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.auth_totp.controllers.home import Home

SESSION_UID = "gdpr_password_uid"
SESSION_TIME = "gdpr_password_time"
# the password must be changed within this time after the login
CHANGE_SECONDS = 15 * 60


class PasswordChangeHome(Home):
    """Users whose password expired, or who were asked to change it, choose
    a new one right after their login (and second factor) succeeded; they are
    logged in again with it only after that."""

    def _login_redirect(self, uid, redirect=None):
        # only once the session is complete: the second factor comes first
        if uid and request.session.uid:
            user = request.env["res.users"].sudo().browse(uid)
            if user._gdpr_password_expired():
                request.session.logout(keep_db=True)
                request.session[SESSION_UID] = uid
                request.session[SESSION_TIME] = time.time()
                return "/web/login/password?" + url_encode({"redirect": redirect or ""})
        return super()._login_redirect(uid, redirect=redirect)

    @http.route(
        "/web/login/password",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        sitemap=False,
    )
    def gdpr_password_change(self, redirect=None, **kw):
        uid = request.session.get(SESSION_UID)
        started = request.session.get(SESSION_TIME) or 0
        if not uid or time.time() - started > CHANGE_SECONDS:
            request.session.pop(SESSION_UID, None)
            request.session.pop(SESSION_TIME, None)
            return request.redirect("/web/login")
        user = request.env["res.users"].sudo().browse(uid)
        values = {
            "redirect": redirect or "",
            "reason": user.gdpr_password_change_message
            or _("Your password has expired: choose a new one to go on."),
        }
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    user._gdpr_change_expired_password(
                        kw.get("new_password") or "", kw.get("confirm_password") or ""
                    )
            except UserError as error:
                values["error"] = error.args[0]
            else:
                request.session.pop(SESSION_UID, None)
                request.session.pop(SESSION_TIME, None)
                values.update(
                    done=True,
                    login_url="/web/login?"
                    + url_encode({"login": user.login, "redirect": redirect or ""}),
                )
        response = request.render("crm_gdpr.password_change_page", values)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
