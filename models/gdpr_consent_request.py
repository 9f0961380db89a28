import hashlib
import secrets

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from .gdpr_rights import INTAKE_GROUP, check_group

CONFIRM_DAYS_PARAM = "crm_gdpr.signup_confirm_days"
KINDS = [
    ("consent", "Consent request"),
    ("confirmation", "Sign-up confirmation"),
]
DECISIONS = ("given", "refused", "withdrawn")
# A sign-up repeated within this time reuses the confirmation e-mail already
# sent: a public form cannot make the site e-mail a person over and over.
SIGNUP_RESEND_HOURS = 24


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class GdprConsentRequest(models.Model):
    """A personal link sent to a person: to give, refuse or withdraw their
    consents on a page of their own, or to confirm a sign-up (double
    opt-in). Only a hash of the token is stored; the link works once and
    until it expires."""

    _name = "gdpr.consent.request"
    _description = "Consent Request"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", "Contact", required=True, ondelete="cascade", index=True
    )
    purpose_ids = fields.Many2many(
        "gdpr.purpose", string="Purposes asked", required=True
    )
    kind = fields.Selection(KINDS, required=True, default="consent")
    token_hash = fields.Char(
        required=True, index=True, copy=False, groups="base.group_system"
    )
    expires_at = fields.Datetime(required=True)
    state = fields.Selection(
        [("sent", "Sent"), ("answered", "Answered"), ("expired", "Expired")],
        default="sent",
        required=True,
    )
    answered_at = fields.Datetime(readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("token_unique", "UNIQUE(token_hash)", "A token is unique."),
    ]

    @api.model
    def _send(self, partners, purposes, kind="consent", days=30):
        """Create a request per contact and e-mail its link. Returns the
        requests."""
        if not purposes:
            raise UserError(_("Choose the purposes to ask about."))
        if not all(purposes.mapped("consent_required")):
            raise ValidationError(_("Only purposes based on consent can be asked for."))
        without_email = partners.filtered(lambda p: not p.email_normalized)
        if without_email:
            raise UserError(
                _(
                    "These contacts have no e-mail address: %s",
                    ", ".join(without_email.mapped("display_name")),
                )
            )
        erased = partners.filtered(lambda p: p.gdpr_erased_date or p.gdpr_restricted)
        if erased:
            raise UserError(
                _(
                    "These contacts are erased or restricted and cannot be asked: %s",
                    ", ".join(erased.mapped("display_name")),
                )
            )
        template = self.env.ref(
            "crm_gdpr.mail_template_consent_request"
            if kind == "consent"
            else "crm_gdpr.mail_template_signup_confirmation"
        )
        requests = self.browse()
        for partner in partners:
            token = secrets.token_urlsafe(32)
            request = self.sudo().create(
                {
                    "partner_id": partner.id,
                    "purpose_ids": [fields.Command.set(purposes.ids)],
                    "kind": kind,
                    "token_hash": token_hash(token),
                    "expires_at": fields.Datetime.now() + relativedelta(days=days),
                }
            )
            mail_id = (
                template.sudo()
                .with_context(consent_url=request._url(token))
                .send_mail(
                    request.id, email_layout_xmlid="mail.mail_notification_light"
                )
            )
            request._hide_link(mail_id)
            requests |= request
        return requests

    def _open_signup(self, partner, purposes):
        """The sign-up confirmation of ``partner`` still open, sent less than
        ``SIGNUP_RESEND_HOURS`` ago and asking at least ``purposes``: a
        repeated sign-up reuses it instead of sending one more e-mail."""
        now = fields.Datetime.now()
        candidates = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("kind", "=", "confirmation"),
                ("state", "=", "sent"),
                ("expires_at", ">", now),
                ("create_date", ">=", now - relativedelta(hours=SIGNUP_RESEND_HOURS)),
            ]
        )
        return candidates.filtered(lambda r: purposes <= r.purpose_ids)[:1]

    def _hide_link(self, mail_id):
        """Whoever holds the link answers for the person: only the outgoing
        e-mail (readable by administrators, deleted once sent) keeps it; the
        message that users reading the request see says that it was sent."""
        message = self.env["mail.mail"].sudo().browse(mail_id).mail_message_id
        message.body = Markup("<p>%s</p>") % _(
            "The e-mail with the personal link was sent to %s.",
            self.partner_id.email_normalized,
        )

    def _url(self, token):
        return f"{self.get_base_url()}/privacy/consent/{token}"

    @api.model
    def _from_token(self, token):
        """The request of an unused, unexpired token, or an empty recordset.
        Only the token's hash is stored and searched."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.browse()
        digest = token_hash(token)
        request = self.sudo().search([("token_hash", "=", digest)], limit=1)
        if not request:
            return self.browse()
        if request.state != "sent" or request.expires_at < fields.Datetime.now():
            return self.browse()
        return request

    def _answer(self, decisions, proof):
        """Record the person's decisions ``{purpose: state}`` with the proof
        of the page, close the request and confirm by e-mail."""
        self.ensure_one()
        Consent = self.env["gdpr.consent"].sudo()
        recorded = {}
        for purpose, state in decisions.items():
            if state not in DECISIONS or purpose not in self.purpose_ids:
                continue
            consent = Consent.search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("purpose_id", "=", purpose.id),
                ]
            )
            if consent.state == state or (
                state == "withdrawn" and consent.state != "given"
            ):
                continue
            lang = proof.get("lang") or self.partner_id.lang
            Consent._record_decision(
                self.partner_id,
                purpose,
                state,
                channel="form" if self.kind == "consent" else "email",
                proof=dict(
                    proof, consent_text=purpose.with_context(lang=lang).consent_text
                ),
            )
            recorded[purpose] = state
        self.write({"state": "answered", "answered_at": fields.Datetime.now()})
        if recorded:
            labels = dict(Consent._fields["state"]._description_selection(self.env))
            self.env.ref(
                "crm_gdpr.mail_template_consent_confirmation"
            ).sudo().with_context(
                decisions=[
                    (purpose.name, labels[state]) for purpose, state in recorded.items()
                ]
            ).send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")
        return recorded

    @api.model
    def _cron_expire(self):
        """Close expired links; sign-ups not confirmed in time are refused."""
        expired = self.sudo().search(
            [("state", "=", "sent"), ("expires_at", "<", fields.Datetime.now())]
        )
        expired.write({"state": "expired"})
        for request in expired.filtered(lambda r: r.kind == "confirmation"):
            pending = (
                self.env["gdpr.consent"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", request.partner_id.id),
                        ("purpose_id", "in", request.purpose_ids.ids),
                        ("state", "=", "pending"),
                    ]
                )
            )
            pending._set_state(
                "refused",
                channel="email",
                note=_("The sign-up was not confirmed in time."),
            )

    @api.model
    def submit_signup(
        self,
        email=None,
        name=None,
        purpose_codes=None,
        ip_address=None,
        user_agent=None,
        consent_text=None,
        lang=None,
    ):
        """Public intake (web forms, other systems): record a person and the
        consents they ticked, pending until they confirm by the e-mailed
        link (double opt-in). Returns ``{"partner_id", "pending", "request_id"}``.

        For the users of the intake group only: the proof comes from the
        person's request to the form, and the confirmation e-mail goes out
        in the company's name. A sign-up repeated while its e-mail of the
        last day is still open sends no other one (``request_id`` is then that
        request's)."""
        check_group(
            self.env,
            INTAKE_GROUP,
            _(
                "Only the intake integrations (group 'Consent intake') can register "
                "sign-ups."
            ),
        )
        normalized = email_normalize(email or "")
        if not normalized:
            raise ValidationError(_("%r is not an e-mail address.", email))
        if not purpose_codes or not isinstance(purpose_codes, list | tuple):
            raise ValidationError(_("List the codes of the purposes consented to."))
        Purpose = self.env["gdpr.purpose"]
        purposes = Purpose.browse()
        for code in purpose_codes:
            purposes |= Purpose._get_by_code(code)
        if not all(purposes.mapped("consent_required")):
            raise ValidationError(
                _("Only purposes based on consent can be signed up for.")
            )
        Partner = self.env["res.partner"]
        partner = Partner.search([("email_normalized", "=", normalized)], limit=1)
        if not partner:
            vals = {"name": name or normalized, "email": normalized}
            # a new person gets the form's language: the confirmation e-mail
            # and their pages speak it
            if lang and lang in dict(self.env["res.lang"].get_installed()):
                vals["lang"] = lang
            partner = Partner.create(vals)
        proof = {
            "ip_address": ip_address,
            "user_agent": user_agent,
            "consent_text": consent_text,
            "lang": lang,
        }
        pending = self.env["gdpr.consent"]._record_pending(
            partner, purposes, "form", proof
        )
        days = int(
            self.env["ir.config_parameter"].sudo().get_param(CONFIRM_DAYS_PARAM, 7)
        )
        request = self.browse()
        if pending:
            request = self._open_signup(partner, pending.purpose_id) or self._send(
                partner, pending.purpose_id, "confirmation", days
            )
        return {
            "partner_id": partner.id,
            "pending": pending.purpose_id.mapped("code"),
            "request_id": request.id or False,
        }
