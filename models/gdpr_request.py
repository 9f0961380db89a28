from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from .gdpr_deadline_todo import sync_deadline_todo
from .gdpr_rights import check_dpo

REQUEST_TYPES = [
    ("access", "Access (Art. 15)"),
    ("rectification", "Rectification (Art. 16)"),
    ("erasure", "Erasure (Art. 17)"),
    ("restriction", "Restriction (Art. 18)"),
    ("portability", "Portability (Art. 20)"),
    ("objection", "Objection (Art. 21)"),
    ("withdrawal", "Consent withdrawal (Art. 7(3))"),
]
REQUEST_CHANNELS = [
    ("email", "E-mail"),
    ("form", "Web form"),
    ("phone", "Phone"),
    ("paper", "Letter"),
    ("in_person", "In person"),
    ("api", "API"),
]
STATES = [
    ("new", "New"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("refused", "Refused"),
]
# the answer is due within one month, extendable by two (Art. 12(3))
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2
REMINDER_DAYS = 7


class GdprRequest(models.Model):
    """A data-subject request and how it was answered: the register the
    company shows a supervisory authority."""

    _name = "gdpr.request"
    _description = "Data Subject Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "deadline, id"
    _check_company_auto = True
    _gdpr_process_fields = ("identity_verified_by_id", "export_attachment_ids")

    name = fields.Char(
        "Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
    )
    request_type = fields.Selection(REQUEST_TYPES, "Type", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner", "Contact", index=True, tracking=True, check_company=True
    )
    requester_name = fields.Char("Name", tracking=True)
    requester_email = fields.Char("E-mail", tracking=True)
    requester_phone = fields.Char("Phone", tracking=True)
    purpose_id = fields.Many2one(
        "gdpr.purpose", help="The purpose an objection or a withdrawal is about."
    )
    channel = fields.Selection(REQUEST_CHANNELS, required=True, default="email")
    received_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    description = fields.Text(help="What the person asked, in their words.")
    identity_verified = fields.Boolean(tracking=True)
    identity_verified_by_id = fields.Many2one("res.users", "Verified by", readonly=True)
    identity_method = fields.Char(
        "Verified how", help="e.g. ID card shown, reply from the known e-mail address"
    )
    extension_months = fields.Integer(
        "Extension (months)",
        tracking=True,
        help="Up to two more months for complex or numerous requests; say why.",
    )
    extension_reason = fields.Text(tracking=True)
    deadline = fields.Date(compute="_compute_deadline", store=True, tracking=True)
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue", search="_search_is_overdue"
    )
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True
    )
    state = fields.Selection(STATES, default="new", required=True, tracking=True)
    refusal_reason = fields.Text(tracking=True)
    answer = fields.Html("Answer sent")
    answer_date = fields.Date(tracking=True)
    export_attachment_ids = fields.Many2many(
        "ir.attachment", string="Exported data", readonly=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.depends("received_date", "extension_months")
    def _compute_deadline(self):
        for request in self:
            request.deadline = request.received_date and (
                request.received_date
                + relativedelta(months=ANSWER_MONTHS + (request.extension_months or 0))
            )

    @api.depends("deadline", "state")
    @api.depends_context("date")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = (
                request.state in ("new", "in_progress")
                and bool(request.deadline)
                and request.deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search overdue requests with = True or = False."))
        overdue = [
            ("state", "in", ("new", "in_progress")),
            ("deadline", "<", fields.Date.context_today(self)),
        ]
        return overdue if (operator == "=") == value else ["!", *overdue]

    @api.constrains("extension_months", "extension_reason")
    def _check_extension(self):
        for request in self:
            if not 0 <= request.extension_months <= MAX_EXTENSION_MONTHS:
                raise ValidationError(
                    _(
                        "The deadline can be extended by two months at most "
                        "(Art. 12(3)).",
                    )
                )
            if (
                request.extension_months
                and not (request.extension_reason or "").strip()
            ):
                raise ValidationError(_("Say why the deadline is extended."))

    @api.constrains("state", "refusal_reason")
    def _check_refusal(self):
        for request in self:
            if (
                request.state == "refused"
                and not (request.refusal_reason or "").strip()
            ):
                raise ValidationError(_("Say why the request is refused (Art. 12(4))."))

    @api.constrains(
        "partner_id", "requester_email", "requester_phone", "requester_name"
    )
    def _check_requester(self):
        for request in self:
            if not (
                request.partner_id or request.requester_name or request.requester_email
            ):
                raise ValidationError(
                    _("Name the person: a contact, a name or an e-mail address.")
                )
            if request.requester_email and not email_normalize(request.requester_email):
                raise ValidationError(
                    _("%r is not an e-mail address.", request.requester_email)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("gdpr.request") or "/"
                )
        requests = super().create(vals_list)
        requests.filtered("identity_verified")._set_verifier()
        requests._schedule_reminder()
        return requests

    def write(self, vals):
        result = super().write(vals)
        if "identity_verified" in vals:
            self._set_verifier()
        if {"extension_months", "received_date", "user_id", "state"} & set(vals):
            self._schedule_reminder()
        return result

    def _set_verifier(self):
        """Who verified the identity is what the system saw, not what a
        caller says: the user who ticked it, cleared when it is unticked."""
        for request in self:
            request.sudo().identity_verified_by_id = (
                self.env.uid if request.identity_verified else False
            )

    def _schedule_reminder(self):
        """One to-do for the responsible user, due a week before the
        deadline; done when the request is closed."""
        for request in self:
            if request.state in ("done", "refused"):
                sync_deadline_todo(request, done_feedback=_("Request closed."))
                continue
            due = max(
                request.deadline - relativedelta(days=REMINDER_DAYS),
                min(fields.Date.context_today(request), request.deadline),
            )
            sync_deadline_todo(
                request,
                due,
                _("Answer the data-subject request by %s", request.deadline),
            )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done", "answer_date": fields.Date.context_today(self)})

    def action_refuse(self):
        self.ensure_one()
        if not (self.refusal_reason or "").strip():
            raise UserError(_("Write the reason for the refusal first."))
        self.write({"state": "refused", "answer_date": fields.Date.context_today(self)})

    def action_export(self):
        """Build the person's data package (JSON and readable HTML), attach
        it to the request and open it: for the DPO, who reads what it holds
        before it goes to the person."""
        self.ensure_one()
        check_dpo(
            self.env,
            _("Only the data protection officer can export a person's data."),
        )
        if not self.partner_id:
            raise UserError(_("Link the request to a contact to export their data."))
        attachments = self.env["gdpr.subject.export"]._attach(self.partner_id, self)
        self.sudo().export_attachment_ids = [
            fields.Command.link(a.id) for a in attachments
        ]
        # logged without the files: the chatter is read by more than the DPO
        self._message_log(body=_("The person's data was exported."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachments[0].id}?download=true",
            "target": "self",
        }

    def action_open_erasure(self):
        """Erasure requests open the erasure wizard for the person."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_erasure_wizard_action"
        )
        action["context"] = {
            "default_partner_ids": self.partner_id.ids,
            "default_email": False if self.partner_id else self.requester_email,
            "default_phone": False if self.partner_id else self.requester_phone,
            "default_name": False if self.partner_id else self.requester_name,
            "default_request_ref": self.name,
        }
        return action

    # ------------------------------------------------------------------
    # RPC
    # ------------------------------------------------------------------

    @api.model
    def submit_request(
        self,
        request_type=None,
        partner_id=None,
        name=None,
        email=None,
        phone=None,
        channel="api",
        received_date=None,
        description=None,
        purpose_code=None,
    ):
        """Register a request. Returns it as a dict."""
        if request_type not in dict(REQUEST_TYPES):
            raise ValidationError(
                _(
                    "%(value)r is not a request type; use one of %(types)s.",
                    value=request_type,
                    types=", ".join(dict(REQUEST_TYPES)),
                )
            )
        if channel not in dict(REQUEST_CHANNELS):
            raise ValidationError(_("%r is not a request channel.", channel))
        partner = self.env["res.partner"]
        if partner_id is not None:
            partner = partner._gdpr_from_rpc(partner_id)
        purpose = self.env["gdpr.purpose"]
        if purpose_code:
            purpose = purpose._get_by_code(purpose_code)
        try:
            received = fields.Date.to_date(received_date) if received_date else None
        except ValueError as error:
            raise ValidationError(
                _("%r is not a date (YYYY-MM-DD).", received_date)
            ) from error
        request = self.create(
            {
                "request_type": request_type,
                "partner_id": partner.id,
                "requester_name": name,
                "requester_email": email,
                "requester_phone": phone,
                "channel": channel,
                "received_date": received or fields.Date.context_today(self),
                "description": description,
                "purpose_id": purpose.id,
            }
        )
        return request._to_dict()

    @api.model
    def list_overdue(self):
        """The open requests past their deadline, oldest deadline first."""
        return [
            request._to_dict() for request in self.search([("is_overdue", "=", True)])
        ]

    def _to_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "request_type": self.request_type,
            "partner_id": self.partner_id.id,
            "requester_name": self.requester_name or False,
            "requester_email": self.requester_email or False,
            "channel": self.channel,
            "received_date": fields.Date.to_string(self.received_date),
            "deadline": fields.Date.to_string(self.deadline),
            "extension_months": self.extension_months,
            "state": self.state,
            "is_overdue": self.is_overdue,
            "user_id": self.user_id.id,
        }
