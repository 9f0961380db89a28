import ast

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from .gdpr_rights import check_dpo

# the authority is notified within 72 hours of awareness (Art. 33(1))
NOTIFY_HOURS = 72
REMIND_HOURS = 24
STATES = [
    ("draft", "Assessing"),
    ("notified", "Authority notified"),
    ("closed", "Closed"),
]
NOTIFY_AUTHORITY = [
    ("required", "Notify the supervisory authority"),
    (
        "not_required",
        "Not notified: unlikely to result in a risk to people (Art. 33(1))",
    ),
]
COMMUNICATION = [
    ("undecided", "Not decided yet"),
    ("required", "High risk: tell the people concerned (Art. 34(1))"),
    ("not_high_risk", "No high risk to the people concerned"),
    ("exception_a", "Art. 34(3)(a): the data are unintelligible (e.g. encrypted)"),
    ("exception_b", "Art. 34(3)(b): later measures removed the high risk"),
    (
        "exception_c",
        "Art. 34(3)(c): disproportionate effort, public communication instead",
    ),
]
SCOPE_TYPES = [
    ("partner_domain", "Contacts matching a filter"),
    ("lead_domain", "Leads matching a filter"),
    ("user_records", "Records created or changed by a user"),
    ("audit_range", "Personal data in the audit trail over a period"),
]
SCOPE_MODELS = {"partner_domain": "res.partner", "lead_domain": "crm.lead"}


class GdprBreach(models.Model):
    """A personal-data breach: the register every breach stays in, notified
    or not (Art. 33(5)), with the 72-hour clock of Art. 33(1)."""

    _name = "gdpr.breach"
    _description = "Personal Data Breach"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "aware_date desc, id desc"

    name = fields.Char(
        "Reference", required=True, readonly=True, copy=False, default="/"
    )
    title = fields.Char("Summary", required=True, tracking=True)
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    # what happened (Art. 33(3)(a))
    aware_date = fields.Datetime(
        "Aware since",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the company became aware of the breach: the 72 hours run from then.",
    )
    occurred_date = fields.Datetime("Occurred on", tracking=True)
    occurred_end_date = fields.Datetime("Ended on", tracking=True)
    description = fields.Html(
        "What happened", help="The nature of the breach: how, where, by whom."
    )
    breach_confidentiality = fields.Boolean(
        "Confidentiality", help="Data disclosed to or accessed by someone not allowed."
    )
    breach_integrity = fields.Boolean("Integrity", help="Data altered.")
    breach_availability = fields.Boolean(
        "Availability", help="Data lost or destroyed, or access to them lost."
    )
    data_category_ids = fields.Many2many(
        "gdpr.data.category", string="Categories of data"
    )
    subject_category_ids = fields.Many2many(
        "gdpr.subject.category", string="Categories of people"
    )
    field_ids = fields.Many2many(
        "gdpr.field",
        string="Fields concerned",
        help="The fields of the personal-data map the breach reached.",
    )
    subject_count = fields.Integer(
        "People concerned (approx.)", tracking=True, aggregator="sum"
    )
    record_count = fields.Integer(
        "Records concerned (approx.)", tracking=True, aggregator="sum"
    )
    consequences = fields.Text(
        "Likely consequences", help="Art. 33(3)(c): for the people concerned."
    )
    measures_taken = fields.Text(
        "Measures taken", help="Art. 33(3)(d), including to mitigate its effects."
    )
    measures_proposed = fields.Text("Measures proposed")
    # scope: who and what, computed from a selection
    scope_type = fields.Selection(SCOPE_TYPES, "Scope from")
    scope_model = fields.Char(compute="_compute_scope_model")
    scope_domain = fields.Char("Filter", default="[]")
    scope_user_id = fields.Many2one("res.users", "User of the records")
    scope_date_from = fields.Datetime("From")
    scope_date_to = fields.Datetime("To")
    scope_computed_date = fields.Datetime("Scope computed on", readonly=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "gdpr_breach_partner_rel",
        "breach_id",
        "partner_id",
        string="People concerned",
    )
    # the supervisory authority (Art. 33)
    notify_authority = fields.Selection(
        NOTIFY_AUTHORITY, default="required", required=True, tracking=True
    )
    no_notify_reason = fields.Text(
        "Why it is not notified",
        tracking=True,
        help="Art. 33(1) and 33(5): why the breach is unlikely to result in a "
        "risk to the rights and freedoms of people.",
    )
    authority_name = fields.Char(
        "Supervisory authority", help="e.g. UODO, ÚOOÚ, ANSPDCP"
    )
    authority_reference = fields.Char("Reference at the authority", tracking=True)
    deadline = fields.Datetime(
        compute="_compute_deadline",
        store=True,
        index=True,
        help="72 hours after awareness (Art. 33(1)).",
    )
    hours_left = fields.Float(compute="_compute_countdown")
    countdown = fields.Char("Time left", compute="_compute_countdown")
    is_late = fields.Boolean(compute="_compute_countdown", search="_search_is_late")
    notified_date = fields.Datetime("Notified on", tracking=True)
    notified_late = fields.Boolean(compute="_compute_notified_late", store=True)
    delay_reason = fields.Text(
        "Reasons for the delay",
        tracking=True,
        help="A notification after 72 hours must say why it is late (Art. 33(1)).",
    )
    reminder_level = fields.Integer(readonly=True, copy=False)
    dpo_partner_id = fields.Many2one(
        "res.partner",
        "Data protection officer",
        default=lambda self: self.env.company.gdpr_dpo_partner_id,
        help="Art. 33(3)(b): the contact point for more information.",
    )
    # the people concerned (Art. 34)
    communication_decision = fields.Selection(
        COMMUNICATION,
        "Tell the people concerned",
        default="undecided",
        required=True,
        tracking=True,
    )
    communication_exception_note = fields.Text(
        "Why not",
        tracking=True,
        help="How the exception of Art. 34(3) applies, or why the risk is not high.",
    )
    subject_message = fields.Html(
        "Message to the people concerned",
        translate=True,
        help="Art. 34(2): the nature of the breach in clear and plain "
        "language. Translate it for the languages of the people concerned.",
    )
    communication_ids = fields.One2many(
        "gdpr.breach.communication", "breach_id", string="Communications"
    )
    communication_count = fields.Integer(compute="_compute_communication_count")
    communication_sent_count = fields.Integer(compute="_compute_communication_count")

    @api.depends("aware_date")
    def _compute_deadline(self):
        for breach in self:
            breach.deadline = breach.aware_date and (
                breach.aware_date + relativedelta(hours=NOTIFY_HOURS)
            )

    @api.depends("scope_type")
    def _compute_scope_model(self):
        for breach in self:
            breach.scope_model = SCOPE_MODELS.get(breach.scope_type, "res.partner")

    def _needs_notification(self):
        self.ensure_one()
        return (
            self.notify_authority == "required"
            and not self.notified_date
            and self.state == "draft"
        )

    @api.depends("deadline", "notified_date", "notify_authority", "state")
    @api.depends_context("breach_now")
    def _compute_countdown(self):
        now = self.env.context.get("breach_now") or fields.Datetime.now()
        for breach in self:
            if not breach.deadline or not breach._needs_notification():
                breach.hours_left = 0.0
                breach.is_late = False
                breach.countdown = False
                continue
            hours = (breach.deadline - now).total_seconds() / 3600
            breach.hours_left = hours
            breach.is_late = hours < 0
            if hours >= 0:
                breach.countdown = _("%(hours)sh%(minutes)02d left", **_hm(hours))
            else:
                breach.countdown = _("%(hours)sh%(minutes)02d late", **_hm(hours))

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search late breaches with = True or = False."))
        late = [
            ("state", "=", "draft"),
            ("notify_authority", "=", "required"),
            ("notified_date", "=", False),
            ("deadline", "<", fields.Datetime.now()),
        ]
        return late if (operator == "=") == value else ["!", *late]

    @api.depends("notified_date", "deadline")
    def _compute_notified_late(self):
        for breach in self:
            breach.notified_late = bool(
                breach.notified_date
                and breach.deadline
                and breach.notified_date > breach.deadline
            )

    @api.depends("communication_ids.state")
    def _compute_communication_count(self):
        for breach in self:
            breach.communication_count = len(breach.communication_ids)
            breach.communication_sent_count = len(
                breach.communication_ids.filtered(lambda c: c.state == "sent")
            )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("aware_date", "occurred_date", "notified_date")
    def _check_dates(self):
        now = fields.Datetime.now() + relativedelta(minutes=5)
        for breach in self:
            if breach.aware_date and breach.aware_date > now:
                raise ValidationError(
                    _("The company cannot become aware of a breach in the future.")
                )
            if breach.occurred_date and breach.occurred_date > now:
                raise ValidationError(_("A breach cannot occur in the future."))
            if breach.notified_date and breach.notified_date < breach.aware_date:
                raise ValidationError(
                    _("The notification cannot come before the awareness.")
                )

    @api.constrains("notify_authority", "no_notify_reason", "state")
    def _check_no_notify_reason(self):
        for breach in self:
            if (
                breach.notify_authority == "not_required"
                and breach.state != "draft"
                and not (breach.no_notify_reason or "").strip()
            ):
                raise ValidationError(
                    _(
                        "Say why the breach is unlikely to result in a risk, "
                        "as it is not notified (Art. 33(1))."
                    )
                )

    @api.constrains("notified_date", "delay_reason")
    def _check_delay_reason(self):
        for breach in self:
            if breach.notified_late and not (breach.delay_reason or "").strip():
                raise ValidationError(
                    _(
                        "The notification comes more than 72 hours after "
                        "awareness: give the reasons for the delay (Art. 33(1))."
                    )
                )

    @api.constrains("communication_decision", "communication_exception_note")
    def _check_communication_note(self):
        for breach in self:
            if breach.communication_decision.startswith("exception_") and not (
                (breach.communication_exception_note or "").strip()
            ):
                raise ValidationError(
                    _("Say how the exception of Art. 34(3) applies to this breach.")
                )

    @api.constrains("subject_count", "record_count")
    def _check_counts(self):
        for breach in self:
            if breach.subject_count < 0 or breach.record_count < 0:
                raise ValidationError(
                    _("Counts of people and records cannot be negative.")
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("gdpr.breach") or "/"
                )
        breaches = super().create(vals_list)
        breaches._schedule_deadline_activity()
        return breaches

    def write(self, vals):
        result = super().write(vals)
        if {
            "aware_date",
            "user_id",
            "notified_date",
            "notify_authority",
            "state",
        } & set(vals):
            self._schedule_deadline_activity()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            _(
                "Breaches stay in the register, notified or not (Art. 33(5)); "
                "close them instead."
            )
        )

    def _schedule_deadline_activity(self):
        """One to-do for the responsible user, due on the deadline; done
        once the authority is notified or no notification is needed."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        for breach in self:
            activities = breach.activity_ids.filtered(
                lambda a, todo=todo: a.activity_type_id == todo
            )
            if not breach._needs_notification():
                activities.action_feedback(feedback=_("No notification pending."))
                continue
            due = fields.Date.to_date(breach.deadline)
            if activities:
                activities.write({"date_deadline": due, "user_id": breach.user_id.id})
            else:
                breach.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=due,
                    summary=_("Notify the supervisory authority within 72 hours"),
                    user_id=(breach.user_id or self.env.user).id,
                )

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    @api.model
    def _check_dpo(self):
        check_dpo(
            self.env,
            _("Only the data protection officer can manage personal-data breaches."),
        )

    def action_notify(self):
        """Record that the authority was notified, now unless a date was
        entered."""
        self._check_dpo()
        for breach in self:
            if breach.notify_authority != "required":
                raise UserError(
                    _("%s is marked as not to be notified.", breach.display_name)
                )
            if breach.state != "draft":
                raise UserError(_("%s is not being assessed.", breach.display_name))
            notified = breach.notified_date or fields.Datetime.now()
            if notified > breach.deadline and not (breach.delay_reason or "").strip():
                raise ValidationError(
                    _(
                        "The notification comes more than 72 hours after "
                        "awareness: give the reasons for the delay (Art. 33(1))."
                    )
                )
            breach.write(
                {
                    "state": "notified",
                    "notified_date": breach.notified_date or fields.Datetime.now(),
                }
            )
        return True

    def action_close(self):
        self._check_dpo()
        for breach in self:
            if (
                breach.notify_authority == "not_required"
                and not (breach.no_notify_reason or "").strip()
            ):
                raise ValidationError(
                    _(
                        "Say why the breach is unlikely to result in a risk, "
                        "as it is not notified (Art. 33(1))."
                    )
                )
            if breach.notify_authority == "required" and not breach.notified_date:
                raise UserError(
                    _(
                        "Notify the authority first, or record why %s is not notified.",
                        breach.display_name,
                    )
                )
        self.write({"state": "closed"})
        return True

    def action_reopen(self):
        self._check_dpo()
        self.write({"state": "draft"})
        return True

    def action_print_notification(self):
        self._check_dpo()
        return self.env.ref(
            "crm_gdpr.action_report_gdpr_breach_notification"
        ).report_action(self)

    def action_compute_scope(self):
        self._check_dpo()
        for breach in self:
            breach._compute_scope_from_selection()
        return True

    def action_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_breach_communication_action"
        )
        action["domain"] = [("breach_id", "=", self.id)]
        action["context"] = {"default_breach_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------------

    def _parse_domain(self, text, model):
        try:
            domain = ast.literal_eval(text or "[]")
        except (ValueError, SyntaxError) as error:
            raise ValidationError(
                _(
                    "%r is not a filter (a domain such as [('city', '=', 'Brno')]).",
                    text,
                )
            ) from error
        if not isinstance(domain, list | tuple):
            raise ValidationError(_("A filter is a list of conditions."))
        # the count runs as superuser over the breach's company: conditions
        # name the model's own fields the DPO may read, never a path through
        # other records (which would probe what the rules hide)
        Model = self.env[model]
        for term in domain:
            if not isinstance(term, list | tuple) or len(term) != 3:
                continue
            if tuple(term) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                continue
            name = term[0]
            field = isinstance(name, str) and Model._fields.get(name)
            if not field or not field.is_accessible(self.env):
                raise ValidationError(
                    _(
                        "%(field)r is not a field of %(model)s you may read: a "
                        "filter names the model's own fields.",
                        field=name,
                        model=model,
                    )
                )
        try:
            domain = expression.normalize_domain(list(domain))
            self.env[model].search_count(domain, limit=1)
        except Exception as error:
            raise ValidationError(
                _(
                    "The filter %(domain)r does not apply to %(model)s: %(error)s",
                    domain=text,
                    model=model,
                    error=error,
                )
            ) from error
        return domain

    def _scope_records(self):
        """``(people, records, models)`` of the breach's selection: the
        contacts concerned, the number of records reached and the models."""
        self.ensure_one()
        # the DPO (checked by the callers) counts every record of the
        # breach's company, whatever the sales rules let them see
        company = [("company_id", "in", [self.company_id.id, False])]
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        if self.scope_type == "partner_domain":
            partners = Partner.search(
                company + self._parse_domain(self.scope_domain, "res.partner")
            )
            return partners, len(partners), {"res.partner"}, len(partners)
        if self.scope_type == "lead_domain":
            leads = Lead.search(
                company + self._parse_domain(self.scope_domain, "crm.lead")
            )
            people = leads.partner_id
            without = leads.filtered(lambda lead: not lead.partner_id)
            subjects = len(people) + len(
                set(without.mapped(lambda lead: lead.email_normalized or lead.id))
            )
            return people, len(leads), {"crm.lead"}, subjects
        if self.scope_type == "user_records":
            if not self.scope_user_id:
                raise ValidationError(_("Choose the user whose records were reached."))
            domain = [
                "|",
                ("create_uid", "=", self.scope_user_id.id),
                ("write_uid", "=", self.scope_user_id.id),
            ]
            if self.scope_date_from:
                domain = [*domain, ("write_date", ">=", self.scope_date_from)]
            if self.scope_date_to:
                domain = [*domain, ("write_date", "<=", self.scope_date_to)]
            partners = Partner.search(company + domain)
            leads = Lead.search(company + domain)
            people = partners | leads.partner_id
            return (
                people,
                len(partners) + len(leads),
                {"res.partner", "crm.lead"},
                len(people),
            )
        if self.scope_type == "audit_range":
            if not (self.scope_date_from and self.scope_date_to):
                raise ValidationError(_("Give the period of the audit trail."))
            domain = [
                ("date", ">=", self.scope_date_from),
                ("date", "<=", self.scope_date_to),
            ]
            if self.scope_user_id:
                domain.append(("user_id", "=", self.scope_user_id.id))
            entries = self.env["gdpr.audit.entry"].search(domain)
            records = {(entry.model, entry.res_id) for entry in entries if entry.res_id}
            partner_ids = {
                res_id for model, res_id in records if model == "res.partner"
            }
            people = (
                Partner.browse(partner_ids).exists() | entries.subject_key_id.partner_id
            )
            return people, len(records), {model for model, __ in records}, len(people)
        raise ValidationError(_("Choose how the scope is selected."))

    def _compute_scope_from_selection(self):
        self.ensure_one()
        if (
            self.scope_date_from
            and self.scope_date_to
            and (self.scope_date_from > self.scope_date_to)
        ):
            raise ValidationError(_("The period ends before it starts."))
        people, record_count, models_reached, subject_count = self._scope_records()
        values = {
            "partner_ids": [fields.Command.set(people.ids)],
            "subject_count": subject_count,
            "record_count": record_count,
            "scope_computed_date": fields.Datetime.now(),
        }
        mapped = self.env["gdpr.field"].search([("model", "in", list(models_reached))])
        if not self.field_ids:
            values["field_ids"] = [fields.Command.set(mapped.ids)]
        if not self.data_category_ids:
            values["data_category_ids"] = [fields.Command.set(mapped.category_id.ids)]
        self.write(values)
        self.message_post(
            body=_(
                "Scope computed: %(people)s people, %(records)s records.",
                people=subject_count,
                records=record_count,
            )
        )
        return {
            "subject_count": subject_count,
            "record_count": record_count,
            "partner_ids": people.ids,
        }

    # ------------------------------------------------------------------
    # Communication to the people concerned (Art. 34)
    # ------------------------------------------------------------------

    def action_prepare_communications(self):
        """One communication per person concerned; those who were erased,
        suppressed, blacklisted or have no e-mail address are skipped and
        say why. The scheduled action sends them in batches."""
        self._check_dpo()
        for breach in self:
            if breach.communication_decision != "required":
                raise UserError(
                    _(
                        "%s: decide first that the people concerned must be told "
                        "(Art. 34(1)).",
                        breach.display_name,
                    )
                )
            if not (breach.subject_message or "").strip():
                raise UserError(
                    _("Write the message to the people concerned first (Art. 34(2)).")
                )
            breach.communication_ids._create_for(breach, breach.partner_ids)
        self.env.ref("crm_gdpr.ir_cron_gdpr_breach_communication")._trigger()
        return True

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------

    @api.model
    def _cron_remind(self):
        """Remind the data protection officers 24 hours before the deadline
        and once it has passed."""
        now = fields.Datetime.now()
        pending = self.sudo().search(
            [
                ("state", "=", "draft"),
                ("notify_authority", "=", "required"),
                ("notified_date", "=", False),
                ("reminder_level", "<", 2),
                ("deadline", "<=", now + relativedelta(hours=REMIND_HOURS)),
            ]
        )
        dpos = self.env.ref("crm_gdpr.group_gdpr_dpo").users.filtered(
            lambda u: u.active and not u.share and u.id != SUPERUSER_ID
        )
        for breach in pending:
            level = 2 if breach.deadline < now else 1
            if level <= breach.reminder_level:
                continue
            summary = (
                _("Breach %s: the 72 hours have passed", breach.name)
                if level == 2
                else _("Breach %s: notify the authority within 24 hours", breach.name)
            )
            note = (
                _(
                    "Notify the supervisory authority now and record the reasons "
                    "for the delay (Art. 33(1))."
                )
                if level == 2
                else _("The deadline is %s (UTC).", breach.deadline)
            )
            for user in dpos | breach.user_id:
                breach.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=summary,
                    note=note,
                    user_id=user.id,
                )
            breach.reminder_level = level
        return len(pending)

    # ------------------------------------------------------------------
    # RPC
    # ------------------------------------------------------------------

    @api.model
    def record_breach(
        self,
        title=None,
        aware_date=None,
        description=None,
        occurred_date=None,
        data_category_codes=None,
        subject_category_codes=None,
        subject_count=None,
        record_count=None,
        consequences=None,
        measures_taken=None,
    ):
        """Record a breach; returns it as a dict with its deadline."""
        self._check_dpo()
        if not isinstance(title, str) or not title.strip():
            raise ValidationError(_("Give the breach a summary (title)."))
        values = {
            "title": title.strip(),
            "aware_date": self._rpc_datetime(aware_date, "aware_date")
            or fields.Datetime.now(),
            "occurred_date": self._rpc_datetime(occurred_date, "occurred_date"),
            "description": description or False,
            "consequences": consequences or False,
            "measures_taken": measures_taken or False,
        }
        for key, value in (
            ("subject_count", subject_count),
            ("record_count", record_count),
        ):
            if value is not None:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValidationError(
                        _("%(key)s must be a whole number, 0 or more.", key=key)
                    )
                values[key] = value
        for key, model, codes in (
            ("data_category_ids", "gdpr.data.category", data_category_codes),
            ("subject_category_ids", "gdpr.subject.category", subject_category_codes),
        ):
            if codes:
                records = self._rpc_codes(self.env[model], codes)
                values[key] = [fields.Command.set(records.ids)]
        return self.create(values)._to_dict()

    def compute_scope(
        self, scope_type=None, domain=None, user_id=None, date_from=None, date_to=None
    ):
        """Select the records the breach reached and count them: a filter on
        contacts or leads, the records of a user, or a period of the audit
        trail. Returns the counts and the contacts concerned."""
        self._check_dpo()
        self.ensure_one()
        if scope_type is not None and scope_type not in dict(SCOPE_TYPES):
            raise ValidationError(
                _(
                    "%(value)r is not a scope; use one of %(types)s.",
                    value=scope_type,
                    types=", ".join(dict(SCOPE_TYPES)),
                )
            )
        values = {}
        if scope_type is not None:
            values["scope_type"] = scope_type
        if domain is not None:
            if not isinstance(domain, list | tuple | str):
                raise ValidationError(_("A filter is a list of conditions."))
            values["scope_domain"] = (
                domain
                if isinstance(domain, str)
                else repr(
                    list(map(lambda c: tuple(c) if isinstance(c, list) else c, domain))
                )
            )
        if user_id is not None:
            user = self.env["res.users"].browse(
                user_id if isinstance(user_id, int) else 0
            )
            if not user.exists():
                raise ValidationError(_("%r is not a user.", user_id))
            values["scope_user_id"] = user.id
        if date_from is not None:
            values["scope_date_from"] = self._rpc_datetime(date_from, "date_from")
        if date_to is not None:
            values["scope_date_to"] = self._rpc_datetime(date_to, "date_to")
        try:
            with self.env.cr.savepoint():
                self.write(values)
                return self._compute_scope_from_selection()
        except (UserError, ValidationError):
            self.env.invalidate_all()
            raise

    @api.model
    def list_open(self):
        """The breaches not closed yet, the most urgent first, with their
        deadline and the hours left (negative when late)."""
        self._check_dpo()
        breaches = self.search([("state", "!=", "closed")], order="deadline, id")
        return [breach._to_dict() for breach in breaches]

    def _to_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "state": self.state,
            "aware_date": fields.Datetime.to_string(self.aware_date),
            "deadline": fields.Datetime.to_string(self.deadline),
            "hours_left": round(self.hours_left, 2),
            "is_late": self.is_late,
            "notify_authority": self.notify_authority,
            "notified_date": fields.Datetime.to_string(self.notified_date) or False,
            "subject_count": self.subject_count,
            "record_count": self.record_count,
            "communication_decision": self.communication_decision,
        }

    @api.model
    def _rpc_datetime(self, value, name):
        if value in (None, False, ""):
            return False
        if not isinstance(value, str):
            raise ValidationError(
                _(
                    "%(name)s must be a date and time (YYYY-MM-DD HH:MM:SS, UTC).",
                    name=name,
                )
            )
        try:
            return fields.Datetime.to_datetime(value)
        except ValueError as error:
            raise ValidationError(
                _(
                    "%(value)r is not a date and time (YYYY-MM-DD HH:MM:SS, UTC).",
                    value=value,
                )
            ) from error

    @api.model
    def _rpc_codes(self, model, codes):
        if not isinstance(codes, list | tuple) or not all(
            isinstance(code, str) for code in codes
        ):
            raise ValidationError(_("Categories are given as a list of codes."))
        records = model.search([("code", "in", list(codes))])
        unknown = set(codes) - set(records.mapped("code"))
        if unknown:
            raise ValidationError(
                _("Unknown category codes: %s", ", ".join(sorted(unknown)))
            )
        return records


def _hm(hours):
    minutes = int(round(abs(hours) * 60))
    return {"hours": minutes // 60, "minutes": minutes % 60}
