from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .gdpr_deadline_todo import sync_deadline_todo
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

    @api.depends("aware_date")
    def _compute_deadline(self):
        for breach in self:
            breach.deadline = breach.aware_date and (
                breach.aware_date + relativedelta(hours=NOTIFY_HOURS)
            )

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
        for breach in self:
            if not breach._needs_notification():
                sync_deadline_todo(breach, done_feedback=_("No notification pending."))
            else:
                sync_deadline_todo(
                    breach,
                    fields.Date.to_date(breach.deadline),
                    _("Notify the supervisory authority within 72 hours"),
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


def _hm(hours):
    minutes = int(round(abs(hours) * 60))
    return {"hours": minutes // 60, "minutes": minutes % 60}
