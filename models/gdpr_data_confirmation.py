import logging
import secrets

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules import module
from odoo.tools import SQL

from .gdpr_audit_entry import traced_as
from .gdpr_consent_request import token_hash
from .gdpr_rights import check_dpo

_logger = logging.getLogger(__name__)

MONTHS_PARAM = "crm_gdpr.data_confirm_months"
LINK_DAYS = 30
# the field types a person may correct on their page
EDITABLE_TYPES = ("char", "text", "many2one")
EDITABLE_COMODELS = ("res.country",)


class GdprDataConfirmation(models.Model):
    """A personal link asking a person to confirm or correct the data the
    company holds about them (the periodic questionnaire). Only a hash of
    the token is kept; the link works once and until it expires."""

    _name = "gdpr.data.confirmation"
    _description = "Data Confirmation Request"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", "Contact", required=True, ondelete="cascade", index=True
    )
    token_hash = fields.Char(
        required=True, index=True, copy=False, groups="base.group_system"
    )
    expires_at = fields.Datetime(required=True)
    state = fields.Selection(
        [
            ("sent", "Sent"),
            ("confirmed", "Confirmed"),
            ("corrected", "Corrected"),
            ("expired", "Expired"),
        ],
        default="sent",
        required=True,
        index=True,
    )
    answered_at = fields.Datetime(readonly=True)
    request_id = fields.Many2one(
        "gdpr.request", string="Rectification", readonly=True, ondelete="set null"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("token_unique", "UNIQUE(token_hash)", "A token is unique."),
    ]

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    @api.model
    def _months(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MONTHS_PARAM, 0)
        try:
            return max(int(value), 0)
        except ValueError:
            return 0

    @api.model
    def _due_domain(self, months):
        cutoff = fields.Datetime.now() - relativedelta(months=months)
        domain = [
            ("email_normalized", "!=", False),
            ("is_company", "=", False),
            # the users' own contacts are no customer data to confirm
            ("user_ids", "=", False),
            ("gdpr_erased_date", "=", False),
            ("gdpr_restricted", "=", False),
            ("is_blacklisted", "=", False),
            "|",
            ("gdpr_data_confirmed_on", "<", cutoff.date()),
            "&",
            ("gdpr_data_confirmed_on", "=", False),
            ("create_date", "<", cutoff),
        ]
        if not self.env.su:
            # the DPO of one company asks the contacts of their companies
            domain += [("company_id", "in", [*self.env.user.company_ids.ids, False])]
        return domain

    @api.model
    def _due_partners(self, months, limit=None):
        """Contacts whose data was last confirmed (or recorded) more than
        ``months`` ago and who were not asked within that time."""
        cutoff = fields.Datetime.now() - relativedelta(months=months)
        self.flush_model()
        asked = SQL(
            "(SELECT partner_id FROM %s WHERE create_date >= %s)",
            SQL.identifier(self._table),
            cutoff,
        )
        return (
            self.env["res.partner"]
            .sudo()
            .search(
                self._due_domain(months) + [("id", "not in", asked)],
                limit=limit,
                order="id",
            )
        )

    @api.model
    def _send(self, partners, days=LINK_DAYS):
        """Create a link per contact and e-mail it, in one go."""
        tokens = [secrets.token_urlsafe(32) for _i in partners]
        expires_at = fields.Datetime.now() + relativedelta(days=days)
        confirmations = self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "token_hash": token_hash(token),
                    "expires_at": expires_at,
                    "company_id": (partner.company_id or self.env.company).id,
                }
                for partner, token in zip(partners, tokens, strict=True)
            ]
        )
        urls = {
            confirmation.id: confirmation._url(token)
            for confirmation, token in zip(confirmations, tokens, strict=True)
        }
        self.env.ref("crm_gdpr.mail_template_data_confirmation").sudo().with_context(
            data_urls=urls
        ).send_mail_batch(
            confirmations.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        return confirmations

    def _url(self, token):
        return f"{self.get_base_url()}/privacy/data/{token}"

    @api.model
    def _cron_send(self, batch_size=200):
        """Ask the contacts who are due, a batch per transaction."""
        months = self._months()
        if not months:
            return 0
        sent = 0
        while partners := self._due_partners(months, limit=batch_size):
            self._send(partners)
            sent += len(partners)
            if not (self.env.registry.in_test_mode() or module.current_test):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        self._expire()
        return sent

    @api.model
    def _expire(self):
        self.sudo().search(
            [("state", "=", "sent"), ("expires_at", "<", fields.Datetime.now())]
        ).write({"state": "expired"})

    def action_send_now(self):
        """Public RPC for the DPO: ask the contacts who are due now."""
        check_dpo(
            self.env,
            _("Only the data protection officer can ask contacts to confirm."),
        )
        months = self._months()
        if not months:
            raise UserError(_("Set how often contacts confirm their data first."))
        return len(self.sudo()._send(self._due_partners(months)))

    # ------------------------------------------------------------------
    # The person's page
    # ------------------------------------------------------------------

    @api.model
    def _from_token(self, token):
        """The confirmation of an unused, unexpired token, or an empty
        recordset. Only the token's hash is stored and searched."""
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.browse()
        digest = token_hash(token)
        confirmation = self.sudo().search([("token_hash", "=", digest)], limit=1)
        if not confirmation:
            return self.browse()
        if (
            confirmation.state != "sent"
            or confirmation.expires_at < fields.Datetime.now()
        ):
            return self.browse()
        partner = confirmation.partner_id
        if not partner.active or partner.gdpr_erased_date or partner.gdpr_restricted:
            # erased or restricted since the link went out: nothing to confirm
            return self.browse()
        return confirmation

    @api.model
    def _editable_fields(self):
        """The fields of a contact the person may correct: those of the
        personal-data map marked so, of a type the page can show."""
        entries = (
            self.env["gdpr.field"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("subject_editable", "=", True),
                    ("active", "=", True),
                ],
                order="id",
            )
        )
        Partner = self.env["res.partner"]
        names = []
        for entry in entries:
            field = Partner._fields.get(entry.field_name)
            if not field or not field.store or field.type not in EDITABLE_TYPES:
                continue
            if field.type == "many2one" and field.comodel_name not in EDITABLE_COMODELS:
                continue
            names.append(entry.field_name)
        return names

    def _parse(self, post):
        """The changes ``post`` makes to the contact's editable fields, as
        write values; bad values raise a ValidationError."""
        self.ensure_one()
        partner = self.partner_id.sudo()
        values = {}
        for name in self._editable_fields():
            if name not in post:
                continue
            field = partner._fields[name]
            raw = (post.get(name) or "").strip()
            if field.type == "many2one":
                new = int(raw) if raw.isdigit() else False
                if new and not self.env[field.comodel_name].sudo().browse(new).exists():
                    raise ValidationError(_("Choose a value from the list."))
                if new != partner[name].id:
                    values[name] = new
                continue
            if len(raw) > 256 and field.type == "char":
                raise ValidationError(_("%s is too long.", field.string))
            if raw != (partner[name] or ""):
                values[name] = raw or False
        if "name" in values and not values["name"]:
            raise ValidationError(_("Your name cannot be empty."))
        return values

    def _answer(self, post):
        """Confirm the data, or correct it through the audit trail and log
        the correction as a rectification request. Returns the state."""
        self.ensure_one()
        values = self._parse(post)
        partner = self.partner_id.sudo()
        today = fields.Date.context_today(self)
        if values:
            labels = [partner._fields[name].string for name in values]
            with traced_as(self.env, "portal"):
                partner.write(dict(values, gdpr_data_confirmed_on=today))
            request = (
                self.env["gdpr.request"]
                .sudo()
                .create(
                    {
                        "request_type": "rectification",
                        "partner_id": partner.id,
                        "channel": "form",
                        "description": _(
                            "Corrected by the person on their data page: %s",
                            ", ".join(labels),
                        ),
                        "identity_verified": True,
                        "identity_method": _("Personal link sent by e-mail"),
                        "state": "done",
                        "answer_date": today,
                        "user_id": False,
                        "company_id": self.company_id.id,
                    }
                )
            )
            self.write(
                {
                    "state": "corrected",
                    "answered_at": fields.Datetime.now(),
                    "request_id": request.id,
                }
            )
        else:
            partner.write({"gdpr_data_confirmed_on": today})
            self.write({"state": "confirmed", "answered_at": fields.Datetime.now()})
        return self.state
