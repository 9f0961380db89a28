from collections import Counter

from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .gdpr_rights import DPO_GROUP, check_dpo
from .gdpr_sql import table, tables

AUTO_PARAM = "crm_gdpr.retention_auto"
# records that tie a person to a contract, when their module is installed
CONTRACT_MODELS = ("sale.order", "purchase.order", "project.project")
# purposes whose period runs for everyone, and those that need a customer
EVERYONE_BASES = ("legitimate_interest", "public_task", "vital_interest")
CUSTOMER_BASES = ("contract",)
PLAN_BATCH = 20000
RUN_BATCH = 200
LINE_STATES = [
    ("pending", "To do"),
    ("done", "Done"),
    ("skipped", "Gone already"),
    ("failed", "Failed"),
]


class GdprRetentionReview(models.Model):
    """Who is due under the retention periods of the purposes, why, and
    what happens to them: planned in batches of SQL, run in batches with a
    commit each (the scheduled action), resumable after an interruption."""

    _name = "gdpr.retention.review"
    _description = "Retention Review"
    # the plan and its progress are the process's, never written directly
    _gdpr_process_fields = ("state", "checked_count", "kept_summary")
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, default=lambda self: _("New"))
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    dry_run = fields.Boolean(
        help="Plan only: show who is due and why, change nothing.", readonly=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("planned", "Planned"),
            ("running", "Running"),
            ("done", "Done"),
        ],
        default="draft",
        required=True,
        tracking=True,
    )
    line_ids = fields.One2many("gdpr.retention.line", "review_id", readonly=True)
    checked_count = fields.Integer("People checked", readonly=True)
    kept_summary = fields.Text("Why people are kept", readonly=True)
    due_count = fields.Integer("Due", compute="_compute_counts")
    done_count = fields.Integer("Done", compute="_compute_counts")
    failed_count = fields.Integer("Failed", compute="_compute_counts")
    excluded_count = fields.Integer("Excluded", compute="_compute_counts")

    @api.depends("line_ids.state", "line_ids.excluded")
    def _compute_counts(self):
        for review in self:
            lines = review.line_ids
            review.due_count = len(lines.filtered(lambda line: not line.excluded))
            review.done_count = len(lines.filtered(lambda line: line.state == "done"))
            review.failed_count = len(
                lines.filtered(lambda line: line.state == "failed")
            )
            review.excluded_count = len(lines.filtered("excluded"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "gdpr.retention.review"
                )
        return super().create(vals_list)

    def _check_dpo(self):
        check_dpo(
            self.env, _("Only the data protection officer runs retention reviews.")
        )

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------

    def _reference_columns(self, model_names):
        """(table, column) of the stored many2one fields to contacts of the
        installed ``model_names``."""
        Erasure = self.env["gdpr.erasure"]
        return [
            (self.env[name]._table, column)
            for name in model_names
            if name in self.env
            for column in Erasure._partner_references(name)
        ]

    def _exists_any(self, columns, key):
        if not columns:
            return SQL("false")
        return SQL(" OR ").join(
            SQL(
                "EXISTS(SELECT 1 FROM %s WHERE %s = %s)",
                SQL.identifier(table),
                SQL.identifier(column),
                key,
            )
            for table, column in columns
        )

    def _partner_rows(self, last_id, limit):
        hold = self._exists_any(
            self._reference_columns(self.env["gdpr.erasure"]._legal_hold_models()),
            SQL("p.id"),
        )
        contract = self._exists_any(
            self._reference_columns(CONTRACT_MODELS), SQL("p.id")
        )
        self.env.cr.execute(
            SQL(
                """
            SELECT p.id, p.company_id,
                   GREATEST(p.write_date, p.create_date,
                            (SELECT MAX(m.date) FROM %(message)s m
                              WHERE m.model = %(partner_model)s AND m.res_id = p.id),
                            (SELECT MAX(l.write_date) FROM %(lead)s l
                              WHERE l.partner_id = p.id)),
                   EXISTS(SELECT 1 FROM %(consent)s c
                            JOIN %(purpose)s pu ON pu.id = c.purpose_id
                           WHERE c.partner_id = p.id AND c.state = 'given'
                             AND pu.active),
                   EXISTS(SELECT 1 FROM %(lead)s l
                            LEFT JOIN %(stage)s s ON s.id = l.stage_id
                           WHERE l.partner_id = p.id AND l.active
                             AND l.type = 'opportunity'
                             AND NOT COALESCE(s.is_won, false)),
                   EXISTS(SELECT 1 FROM %(lead)s l JOIN %(stage)s s ON s.id = l.stage_id
                           WHERE l.partner_id = p.id AND s.is_won) OR (%(contract)s),
                   %(hold)s
              FROM %(partner)s p
             WHERE p.id > %(last_id)s AND p.active AND NOT COALESCE(p.is_company, false)
               AND p.gdpr_erased_date IS NULL
               AND NOT EXISTS(SELECT 1 FROM %(user)s u WHERE u.partner_id = p.id)
               AND NOT EXISTS(SELECT 1 FROM %(company)s c WHERE c.partner_id = p.id)
          ORDER BY p.id
             LIMIT %(limit)s""",
                contract=contract,
                hold=hold,
                last_id=last_id,
                limit=limit,
                partner_model="res.partner",
                **tables(
                    self.env,
                    message="mail.message",
                    lead="crm.lead",
                    consent="gdpr.consent",
                    purpose="gdpr.purpose",
                    stage="crm.stage",
                    partner="res.partner",
                    user="res.users",
                    company="res.company",
                ),
            )
        )
        return self.env.cr.fetchall()

    def _lead_rows(self, last_id, limit):
        """Leads without a contact: people known only as leads."""
        self.env.cr.execute(
            SQL(
                """
            SELECT l.id, l.company_id,
                   GREATEST(l.write_date, l.create_date,
                            (SELECT MAX(m.date) FROM %(message)s m
                              WHERE m.model = %(lead_model)s AND m.res_id = l.id)),
                   false,
                   l.active AND l.type = 'opportunity'
                       AND NOT COALESCE(s.is_won, false),
                   COALESCE(s.is_won, false),
                   false
              FROM %(lead)s l
              LEFT JOIN %(stage)s s ON s.id = l.stage_id
             WHERE l.id > %(last_id)s AND l.partner_id IS NULL
               AND (l.email_from IS NOT NULL OR l.phone IS NOT NULL
                    OR l.contact_name IS NOT NULL)
          ORDER BY l.id
             LIMIT %(limit)s""",
                lead_model="crm.lead",
                last_id=last_id,
                limit=limit,
                **tables(
                    self.env, message="mail.message", lead="crm.lead", stage="crm.stage"
                ),
            )
        )
        return self.env.cr.fetchall()

    def _verdict(self, row, purposes, today):
        """``(kept_reason, None)`` or ``(None, (purpose, ended_on))``."""
        _id, company_id, last_activity, consent, open_lead, customer, hold = row
        if consent:
            return _("a consent is given"), None
        if open_lead:
            return _("an open lead or opportunity"), None
        if hold:
            return _("a legal hold"), None
        last_ended = None
        for purpose in purposes:
            if (
                purpose.company_id
                and company_id
                and purpose.company_id.id != company_id
            ):
                continue
            if purpose.legal_basis in CUSTOMER_BASES and not customer:
                continue
            if purpose.legal_basis not in CUSTOMER_BASES + EVERYONE_BASES:
                continue
            if not purpose.retention_months:
                return _("%s (no fixed period)", purpose.name), None
            until = (last_activity or fields.Datetime.now()).date() + relativedelta(
                months=purpose.retention_months
            )
            if until > today:
                return purpose.name, None
            if last_ended is None or until > last_ended[1]:
                last_ended = (purpose, until)
        return None, last_ended or (self.env["gdpr.purpose"], today)

    def _plan(self):
        """Replace the lines with who is due now, and why."""
        self.ensure_one()
        self.line_ids.unlink()
        today = fields.Date.context_today(self)
        purposes = (
            self.env["gdpr.purpose"].sudo().search([("consent_required", "=", False)])
        )
        exclusions = {
            (e.res_model, e.res_id): e.reason
            for e in self.env["gdpr.retention.exclusion"].sudo().search([])
        }
        kept = Counter()
        checked = 0
        for model, fetch in (
            ("res.partner", self._partner_rows),
            ("crm.lead", self._lead_rows),
        ):
            last_id = 0
            while rows := fetch(last_id, PLAN_BATCH):
                last_id = rows[-1][0]
                checked += len(rows)
                lines = []
                for row in rows:
                    reason, ended = self._verdict(row, purposes, today)
                    if reason:
                        kept[reason] += 1
                        continue
                    purpose, ended_on = ended
                    excluded = exclusions.get((model, row[0]))
                    lines.append(
                        {
                            "review_id": self.id,
                            "res_model": model,
                            "res_id": row[0],
                            "purpose_id": purpose.id or False,
                            "ended_on": ended_on,
                            "action": purpose.retention_end_action or "anonymise",
                            "excluded": bool(excluded),
                            "exclusion_reason": excluded or False,
                        }
                    )
                self.env["gdpr.retention.line"].sudo().create(lines)
                self.env.invalidate_all()  # memory stays flat, batch after batch
        self.sudo().write(
            {
                "state": "planned",
                "checked_count": checked,
                "kept_summary": "\n".join(
                    f"{count}: {reason}" for reason, count in kept.most_common()
                ),
            }
        )

    def action_plan(self):
        self._check_dpo()
        for review in self:
            review._plan()
        return True

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------

    def action_run(self):
        """Run the plan in the background, a batch per transaction."""
        self._check_dpo()
        for review in self:
            if review.dry_run:
                raise UserError(
                    _("A dry run changes nothing: start a review to run it.")
                )
            if review.state != "planned":
                raise UserError(_("Plan the review first."))
        self.sudo().write({"state": "running"})
        self.env.ref("crm_gdpr.ir_cron_gdpr_retention")._trigger()
        return True

    def _run_batch(self, batch_size=RUN_BATCH):
        """Apply the end action of the next pending lines: archive and
        delete one by one (a record that cannot be changed is marked failed
        with the reason), anonymise all the batch's people at once through
        the erasure feature. Any other error stops the batch, whose
        transaction then rolls back: the next run starts again from the
        same lines. Returns ``(done, remaining)``."""
        self.ensure_one()
        Line = self.env["gdpr.retention.line"].sudo()
        domain = [
            ("review_id", "=", self.id),
            ("state", "=", "pending"),
            ("excluded", "=", False),
        ]
        lines = Line.search(domain, limit=batch_size, order="id")
        for line in lines.filtered(lambda line: line.action != "anonymise"):
            try:
                with self.env.cr.savepoint():
                    # the files of the attachments deleted go at commit
                    line.state = line.with_context(gdpr_remove_files=True)._apply()
            except (UserError, ValidationError, AccessError, IntegrityError) as error:
                line.write({"state": "failed", "error": str(error)})
        anonymise = lines.filtered(lambda line: line.action == "anonymise")
        if anonymise:
            self._anonymise(anonymise)
        remaining = Line.search_count(domain)
        if not remaining:
            self._finish()
        return len(lines), remaining

    def _anonymise(self, lines):
        """Anonymise the people of ``lines`` in one erasure, without the
        suppression entries of a requested erasure."""
        env = self.env(su=True, context={"active_test": False})
        ids = {model: [] for model in ("res.partner", "crm.lead")}
        for line in lines:
            ids[line.res_model].append(line.res_id)
        partners = env["res.partner"].browse(ids["res.partner"]).exists()
        leads = env["crm.lead"].browse(ids["crm.lead"]).exists()
        Erasure = env["gdpr.erasure"]
        try:
            with self.env.cr.savepoint():
                footprint = Erasure._records_footprint(partners, leads, self.name)
                Erasure._erase_footprint(footprint, self.name, False, suppress=False)
        except UserError as error:
            lines.write({"state": "failed", "error": str(error)})
            return
        existing = {("res.partner", i) for i in partners.ids} | {
            ("crm.lead", i) for i in leads.ids
        }
        for line in lines:
            line.state = (
                "done" if (line.res_model, line.res_id) in existing else "skipped"
            )

    def _finish(self):
        self.sudo().state = "done"
        counts = Counter(
            (line.action, line.state) for line in self.line_ids if not line.excluded
        )
        actions = dict(
            self.env["gdpr.retention.line"]
            ._fields["action"]
            ._description_selection(self.env)
        )
        rows = Markup("").join(
            Markup("<li>%s: %s</li>") % (f"{actions[action]} ({state})", count)
            for (action, state), count in sorted(counts.items())
        )
        dpo = self.env.ref(DPO_GROUP).users.partner_id.filtered("email")
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                _(
                    "Retention review %(name)s done: %(checked)s people checked, "
                    "%(excluded)s excluded.",
                    name=self.name,
                    checked=self.checked_count,
                    excluded=self.excluded_count,
                ),
                rows,
            ),
            partner_ids=dpo.ids,
            subtype_xmlid="mail.mt_comment",
        )

    @api.model
    def _cron_retention(self, batch_size=RUN_BATCH):
        """Unattended retention, when the DPO enabled it: plan a review once
        a day, then run it a batch per call until done."""
        review = self.search([("state", "=", "running")], limit=1, order="id")
        if not review:
            if not self.env["ir.config_parameter"].sudo().get_param(AUTO_PARAM):
                return
            last = self.search(
                [("dry_run", "=", False), ("state", "=", "done")], limit=1
            )
            if last and last.date > fields.Datetime.now() - relativedelta(days=1):
                return
            review = self.create({})
            review._plan()
            review.state = "running"
        done, remaining = review._run_batch(batch_size)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def action_print_inventory(self):
        return self.env.ref("crm_gdpr.action_report_gdpr_data_inventory").report_action(
            self
        )

    def _inventory(self):
        """What the inventory page shows: values held per model and category,
        how old the people's last activity is, and who is due."""
        self.ensure_one()
        cr = self.env.cr
        per_category = Counter()
        for entry in self.env["gdpr.field"].sudo().search([]):
            field = entry._get_orm_field()
            if field is not None and field.column_type:
                key = (entry.model_id.name, entry.category_id.name)
                per_category[key] += entry.stored_count
        cr.execute(
            SQL(
                """SELECT CASE
                            WHEN age < interval '1 year' THEN 1
                            WHEN age < interval '3 years' THEN 2
                            WHEN age < interval '5 years' THEN 3
                            ELSE 4 END, COUNT(*)
                     FROM (SELECT now() - GREATEST(write_date, create_date) AS age
                             FROM %s
                            WHERE active AND NOT COALESCE(is_company, false)) ages
                 GROUP BY 1 ORDER BY 1""",
                table(self.env, "res.partner"),
            )
        )
        rows = cr.fetchall()
        labels = {
            1: _("less than a year"),
            2: _("1 to 3 years"),
            3: _("3 to 5 years"),
            4: _("more than 5 years"),
        }
        ages = [(labels[bucket], count) for bucket, count in rows]
        due = Counter(
            (line.res_model, line.action) for line in self.line_ids if not line.excluded
        )
        return {
            "per_category": sorted(per_category.items()),
            "ages": ages,
            "due": sorted(due.items()),
        }
