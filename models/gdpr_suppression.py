import hashlib
import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from .gdpr_erasure import phone_suffix

SALT_PARAM = "crm_gdpr.suppression_salt"
MODE_PARAM = "crm_gdpr.suppression_mode"


class GdprSuppression(models.Model):
    """A person who was erased, known only by salted hashes of their e-mail
    address and phone number: enough to recognise them when they are
    entered again, not to find out who they were."""

    _name = "gdpr.suppression"
    _description = "Suppression Entry of an Erased Person"
    _order = "id desc"

    identifier_hash = fields.Char(required=True, index=True, readonly=True)
    kind = fields.Selection(
        [("email", "E-mail address"), ("phone", "Phone number")],
        required=True,
        readonly=True,
    )
    erasure_log_id = fields.Many2one(
        "gdpr.erasure.log", ondelete="set null", readonly=True
    )
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _sql_constraints = [
        ("hash_unique", "UNIQUE(identifier_hash)", "An identifier is suppressed once."),
    ]

    @api.model
    def _salt(self, create=False):
        """The database's secret salt, made at the first erasure."""
        params = self.env["ir.config_parameter"].sudo()
        salt = params.get_param(SALT_PARAM)
        if not salt and create:
            salt = secrets.token_hex(32)
            params.set_param(SALT_PARAM, salt)
        return salt

    @api.model
    def _hashes(self, emails=(), phones=(), create_salt=False):
        """``{hash: kind}`` of normalised e-mail addresses and phone numbers;
        empty before the first erasure, when there is no salt yet."""
        salt = self._salt(create=create_salt)
        if not salt:
            return {}
        identifiers = [
            ("email", email)
            for email in filter(None, map(email_normalize, filter(None, emails)))
        ] + [
            ("phone", suffix)
            for suffix in filter(None, map(phone_suffix, filter(None, phones)))
        ]
        return {
            hmac.new(
                salt.encode(), f"{kind}:{value}".encode(), hashlib.sha256
            ).hexdigest(): kind
            for kind, value in identifiers
        }

    @api.model
    def _match(self, emails=(), phones=()):
        hashes = self._hashes(emails, phones)
        if not hashes:
            return self.browse()
        return self.sudo().search([("identifier_hash", "in", list(hashes))])

    @api.model
    def _suppress(self, emails, phones, log):
        hashes = self._hashes(emails, phones, create_salt=True)
        known = set(
            self.sudo()
            .search([("identifier_hash", "in", list(hashes))])
            .mapped("identifier_hash")
        )
        return self.sudo().create(
            [
                {"identifier_hash": value, "kind": kind, "erasure_log_id": log.id}
                for value, kind in hashes.items()
                if value not in known
            ]
        )

    @api.model
    def _mode(self):
        return self.env["ir.config_parameter"].sudo().get_param(MODE_PARAM, "warn")

    @api.model
    def _warning(self, emails=(), phones=()):
        """The message telling a user that this person was erased, or False."""
        match = self._match(emails, phones)
        if not match:
            return False
        return _(
            "This person asked for their data to be erased (on %(date)s). Do not "
            "record them again unless they come back of their own accord and "
            "agree to it.",
            date=fields.Date.to_string(min(match.mapped("date"))),
        )

    @api.model
    def _check_new_data(self, vals_list, email_fields, phone_fields):
        """Refuse, in block mode, records that bring an erased person back."""
        if self._mode() != "block":
            return
        for vals in vals_list:
            emails = [vals[name] for name in email_fields if vals.get(name)]
            phones = [vals[name] for name in phone_fields if vals.get(name)]
            if (emails or phones) and self._match(emails, phones):
                raise UserError(
                    _(
                        "%(identifiers)s belongs to a person whose data was erased "
                        "at their request: it cannot be recorded again.",
                        identifiers=", ".join(emails + phones),
                    )
                )
