import logging
import secrets

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules import module
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .gdpr_rights import check_dpo
from .gdpr_sql import table

_logger = logging.getLogger(__name__)

EXCLUSION_REASONS = [
    ("erased", "Erased"),
    ("restricted", "Processing restricted"),
    ("no_email", "No e-mail address"),
    ("blacklisted", "Blacklisted"),
    ("valid_consent", "Already a valid consent"),
    ("open_request", "Open request for the same purposes"),
]
TARGET_MODELS = [("res.partner", "Contacts"), ("crm.lead", "Leads and opportunities")]
AUDIENCES = [
    ("filter", "People matching a filter"),
    ("outdated", "Everyone who agreed to an older wording"),
]
PROGRESS = (
    "queued",
    "excluded",
    "sent",
    "delivered",
    "bounced",
    "opened",
    "given",
    "refused",
    "expired",
)


class GdprConsentCampaign(models.Model):
    """Ask many people at once for their consent: each person the campaign
    targets gets a personal link by e-mail, queued in batches by a scheduled
    action, once per campaign."""

    _name = "gdpr.consent.campaign"
    _description = "Consent Campaign"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("sending", "Sending"),
            ("done", "Sent"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    purpose_ids = fields.Many2many(
        "gdpr.purpose",
        string="Purposes asked",
        required=True,
        domain=[("consent_required", "=", True)],
    )
    audience = fields.Selection(AUDIENCES, required=True, default="filter")
    target_model = fields.Selection(
        TARGET_MODELS, string="People from", required=True, default="res.partner"
    )
    filter_id = fields.Many2one(
        "ir.filters",
        string="Saved filter",
        domain="[('model_id', '=', target_model)]",
        help="A favourite filter of the contacts or leads; it replaces the "
        "domain below.",
    )
    domain = fields.Char(default="[]", help="Which contacts or leads to ask.")
    template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        required=True,
        domain=[("model", "=", "gdpr.consent.request")],
        default=lambda self: self.env.ref(
            "crm_gdpr.mail_template_consent_campaign", raise_if_not_found=False
        ),
        help="Rendered on each consent request; the personal link is "
        "ctx['consent_urls'][object.id].",
    )
    link_days = fields.Integer("Links valid for (days)", default=30, required=True)
    batch_size = fields.Integer(default=200, required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many("gdpr.consent.campaign.line", "campaign_id")
    last_error = fields.Text(readonly=True)

    # Who will be asked and who is left out, and why (before sending: a
    # preview; after: from the campaign's lines).
    count_to_ask = fields.Integer("To ask", compute="_compute_counts")
    count_erased = fields.Integer("Erased", compute="_compute_counts")
    count_restricted = fields.Integer("Restricted", compute="_compute_counts")
    count_no_email = fields.Integer("No e-mail address", compute="_compute_counts")
    count_blacklisted = fields.Integer("Blacklisted", compute="_compute_counts")
    count_valid_consent = fields.Integer("Valid consent", compute="_compute_counts")
    count_open_request = fields.Integer("Open request", compute="_compute_counts")
    count_no_contact = fields.Integer(
        "Leads without contact", compute="_compute_counts"
    )
    # progress
    count_queued = fields.Integer("Queued", compute="_compute_progress")
    count_excluded = fields.Integer("Left out", compute="_compute_progress")
    count_sent = fields.Integer("Sent", compute="_compute_progress")
    count_delivered = fields.Integer("Delivered", compute="_compute_progress")
    count_bounced = fields.Integer("Bounced", compute="_compute_progress")
    count_opened = fields.Integer("Opened", compute="_compute_progress")
    count_given = fields.Integer("Given", compute="_compute_progress")
    count_refused = fields.Integer("Refused", compute="_compute_progress")
    count_expired = fields.Integer("Links expired", compute="_compute_progress")

    _sql_constraints = [
        ("batch_size_positive", "CHECK(batch_size > 0)", "A batch holds someone."),
        ("link_days_positive", "CHECK(link_days > 0)", "A link lasts a day at least."),
    ]

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------

    def _check_dpo(self):
        check_dpo(
            self.env, _("Only the data protection officer can run consent campaigns.")
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_dpo()
        return super().create(vals_list)

    def write(self, vals):
        self._check_dpo()
        if (
            not self.env.su
            and set(vals) - {"name"}
            and any(c.state != "draft" for c in self)
        ):
            raise UserError(_("Only a draft campaign can be changed."))
        return super().write(vals)

    @api.onchange("filter_id")
    def _onchange_filter_id(self):
        if self.filter_id:
            self.domain = self.filter_id.domain

    @api.onchange("target_model")
    def _onchange_target_model(self):
        if self.filter_id.model_id != self.target_model:
            self.filter_id = False
        self.domain = "[]"

    # ------------------------------------------------------------------
    # Who is asked
    # ------------------------------------------------------------------

    def _target_domain(self):
        self.ensure_one()
        text = self.filter_id.domain if self.filter_id else self.domain
        try:
            domain = safe_eval(
                text or "[]",
                {
                    "uid": self.env.uid,
                    "datetime": safe_datetime,
                    "context_today": safe_datetime.datetime.now,
                },
            )
        except Exception as error:
            raise ValidationError(
                _("The domain of the campaign is not valid: %s", error)
            ) from error
        if not isinstance(domain, list):
            raise ValidationError(_("The domain of the campaign must be a list."))
        return domain

    def _targets(self):
        """The contacts the campaign is about, and the number of leads that
        have no contact to ask."""
        self.ensure_one()
        domain = self._target_domain()
        if self.audience == "outdated":
            consents = self.env["gdpr.consent"].search(
                [
                    ("purpose_id", "in", self.purpose_ids.ids),
                    ("state", "=", "given"),
                    ("wording_outdated", "=", True),
                ]
            )
            partners = consents.partner_id
            if domain and self.target_model == "res.partner":
                partners = partners.filtered_domain(domain)
            return partners, 0
        records = self.env[self.target_model].search(domain)
        if self.target_model == "crm.lead":
            return records.partner_id, len(records.filtered(lambda r: not r.partner_id))
        return records, 0

    @api.model
    def _classify(self, partners, purposes, outdated=False):
        """Who among ``partners`` is left out when asking about ``purposes``,
        and why: ``{reason: {partner ids}}``, each person under the first
        reason that applies (in the order of EXCLUSION_REASONS)."""
        ids = list(partners.ids)
        if not ids or not purposes:
            return {}
        self.env["res.partner"].flush_model(
            ["email_normalized", "gdpr_erased_date", "gdpr_restricted"]
        )
        self.env["gdpr.consent"].flush_model()
        self.env["gdpr.consent.request"].flush_model()
        self.env["gdpr.purpose"].flush_model(["wording_version"])
        self.env["mail.blacklist"].flush_model()
        cr = self.env.cr
        reasons = {reason: set() for reason, _label in EXCLUSION_REASONS}
        cr.execute(
            SQL(
                "SELECT p.id, p.gdpr_erased_date IS NOT NULL, "
                "COALESCE(p.gdpr_restricted, FALSE), p.email_normalized, "
                "bl.id IS NOT NULL FROM %s p "
                "LEFT JOIN %s bl ON bl.active "
                "AND bl.email = p.email_normalized WHERE p.id = ANY(%s)",
                table(self.env, "res.partner"),
                table(self.env, "mail.blacklist"),
                ids,
            )
        )
        placed = set()
        for pid, erased, restricted, email, blacklisted in cr.fetchall():
            if erased:
                reasons["erased"].add(pid)
            elif restricted:
                reasons["restricted"].add(pid)
            elif not email:
                reasons["no_email"].add(pid)
            elif blacklisted:
                reasons["blacklisted"].add(pid)
            else:
                continue
            placed.add(pid)
        wording = (
            SQL("AND c.wording_version >= pu.wording_version") if outdated else SQL("")
        )
        cr.execute(
            SQL(
                "SELECT c.partner_id FROM %s c "
                "JOIN %s pu ON pu.id = c.purpose_id "
                "WHERE c.partner_id = ANY(%s) AND c.purpose_id = ANY(%s) "
                "AND c.state = 'given' "
                "AND (c.valid_until IS NULL "
                "OR c.valid_until > NOW() AT TIME ZONE 'UTC') "
                "%s GROUP BY c.partner_id HAVING COUNT(DISTINCT c.purpose_id) = %s",
                table(self.env, "gdpr.consent"),
                table(self.env, "gdpr.purpose"),
                ids,
                purposes.ids,
                wording,
                len(purposes),
            )
        )
        reasons["valid_consent"] = {row[0] for row in cr.fetchall()} - placed
        placed |= reasons["valid_consent"]
        field = self.env["gdpr.consent.request"]._fields["purpose_ids"]
        cr.execute(
            SQL(
                "SELECT r.partner_id FROM %s r "
                "WHERE r.partner_id = ANY(%s) AND r.state = 'sent' "
                "AND r.kind = 'consent' "
                "AND r.expires_at > NOW() AT TIME ZONE 'UTC' "
                "AND NOT EXISTS (SELECT 1 FROM unnest(%s::int[]) asked(id) "
                "WHERE asked.id NOT IN (SELECT rel.%s FROM %s rel "
                "WHERE rel.%s = r.id))",
                table(self.env, "gdpr.consent.request"),
                ids,
                purposes.ids,
                SQL.identifier(field.column2),
                SQL.identifier(field.relation),
                SQL.identifier(field.column1),
            )
        )
        reasons["open_request"] = {row[0] for row in cr.fetchall()} - placed
        return {reason: found for reason, found in reasons.items() if found}

    def _preview(self):
        self.ensure_one()
        partners, no_contact = self._targets()
        reasons = self._classify(
            partners, self.purpose_ids, outdated=self.audience == "outdated"
        )
        counts = {reason: len(found) for reason, found in reasons.items()}
        counts["to_ask"] = len(partners) - sum(counts.values())
        counts["no_contact"] = no_contact
        return counts

    @api.depends(
        "state",
        "purpose_ids",
        "audience",
        "target_model",
        "domain",
        "filter_id",
        "line_ids.state",
    )
    def _compute_counts(self):
        keys = ["to_ask", "no_contact"] + [r for r, _label in EXCLUSION_REASONS]
        launched = self.filtered(lambda c: c.state != "draft" and c.id)
        rows = self.env["gdpr.consent.campaign.line"]._read_group(
            [("campaign_id", "in", launched.ids)],
            ["campaign_id", "state", "exclusion_reason"],
            ["__count"],
        )
        for campaign in self:
            counts = dict.fromkeys(keys, 0)
            if campaign in launched:
                for line_campaign, state, reason, count in rows:
                    if line_campaign != campaign:
                        continue
                    counts["to_ask" if state != "excluded" else reason] += count
            elif campaign.purpose_ids:
                try:
                    counts.update(campaign._preview())
                except (ValidationError, ValueError) as error:
                    _logger.info("Campaign preview not computed: %s", error)
            for key in keys:
                campaign[f"count_{key}"] = counts.get(key, 0)

    def _compute_progress(self):
        self.env["gdpr.consent.campaign.line"].flush_model()
        self.env["gdpr.consent.request"].flush_model()
        counts = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """SELECT l.campaign_id,
                    COUNT(*) FILTER (WHERE l.state = 'queued'),
                    COUNT(*) FILTER (WHERE l.state = 'excluded'),
                    COUNT(*) FILTER (WHERE l.state = 'sent'),
                    COUNT(*) FILTER (WHERE l.delivered),
                    COUNT(*) FILTER (WHERE l.bounced),
                    COUNT(*) FILTER (WHERE l.opened_at IS NOT NULL),
                    COUNT(*) FILTER (WHERE l.answer = 'given'),
                    COUNT(*) FILTER (WHERE l.answer = 'refused'),
                    COUNT(*) FILTER (WHERE l.status = 'expired')
                    FROM %s l
                    WHERE l.campaign_id = ANY(%s) GROUP BY l.campaign_id""",
                    table(self.env, "gdpr.consent.campaign.line"),
                    self.ids,
                )
            )
            counts = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        names = PROGRESS
        for campaign in self:
            values = counts.get(campaign.id, (0,) * len(names))
            for name, value in zip(names, values, strict=True):
                campaign[f"count_{name}"] = value

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_launch(self):
        """Queue the personal links of everyone the campaign asks; the
        scheduled action sends them in batches."""
        self._check_dpo()
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(_("The campaign %s was already sent.", campaign.name))
            if not campaign.purpose_ids:
                raise UserError(_("Choose the purposes to ask about."))
            if not all(campaign.purpose_ids.mapped("consent_required")):
                raise ValidationError(
                    _("Only purposes based on consent can be asked for.")
                )
            partners, _no_contact = campaign._targets()
            reasons = self._classify(
                partners,
                campaign.purpose_ids,
                outdated=campaign.audience == "outdated",
            )
            reason_of = {
                pid: reason for reason, found in reasons.items() for pid in found
            }
            if len(partners) == len(reason_of):
                raise UserError(_("The campaign has nobody to ask."))
            self.env["gdpr.consent.campaign.line"].sudo().create(
                [
                    {
                        "campaign_id": campaign.id,
                        "partner_id": pid,
                        "state": "excluded" if pid in reason_of else "queued",
                        "exclusion_reason": reason_of.get(pid),
                    }
                    for pid in partners.ids
                ]
            )
            campaign.sudo().write({"state": "sending"})
        self.env.ref("crm_gdpr.ir_cron_gdpr_consent_campaign")._trigger()
        return True

    def action_cancel(self):
        """Stop a campaign: the links not sent yet are not sent."""
        self._check_dpo()
        self.filtered(lambda c: c.state in ("draft", "sending")).sudo().write(
            {"state": "cancelled"}
        )
        return True

    def action_view_lines(self):
        self.ensure_one()
        self._check_dpo()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_gdpr.gdpr_consent_campaign_line_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        status = self.env.context.get("campaign_status")
        action["context"] = (
            {"search_default_status": status}
            if status in PROGRESS
            else {"search_default_group_status": 1}
        )
        if status in PROGRESS:
            action["domain"].append(("status", "=", status))
        return action

    def get_progress(self):
        """Public RPC: the preview or progress counts of the campaigns."""
        self._check_dpo()
        return {
            campaign.id: {
                "state": campaign.state,
                "to_ask": campaign.count_to_ask,
                "left_out": {
                    reason: campaign[f"count_{reason}"]
                    for reason, _label in EXCLUSION_REASONS
                },
                "leads_without_contact": campaign.count_no_contact,
                **{name: campaign[f"count_{name}"] for name in PROGRESS},
            }
            for campaign in self
        }

    # ------------------------------------------------------------------
    # Sending, in batches
    # ------------------------------------------------------------------

    @api.model
    def _cron_send(self):
        for campaign in self.sudo().search([("state", "=", "sending")]):
            campaign._send_batches()

    def _send_batches(self, max_batches=None, on_batch=None):
        """Send the queued links, a batch per transaction: a failure rolls
        its batch back and stops; the next run resumes with the people not
        asked yet. Returns the number of links sent."""
        self.ensure_one()
        Line = self.env["gdpr.consent.campaign.line"].sudo()
        cron = self.env["ir.cron"]
        sent = batches = 0
        while max_batches is None or batches < max_batches:
            lines = Line.search(
                [("campaign_id", "=", self.id), ("state", "=", "queued")],
                limit=self.batch_size,
                order="id",
            )
            if not lines:
                self.sudo().write({"state": "done", "last_error": False})
                break
            try:
                with self.env.cr.savepoint():
                    lines._send()
            except Exception as error:  # pylint: disable=broad-except
                _logger.warning("Consent campaign %s: batch failed: %s", self.id, error)
                self.sudo().write({"last_error": str(error)})
                return sent
            sent += len(lines)
            batches += 1
            remaining = Line.search_count(
                [("campaign_id", "=", self.id), ("state", "=", "queued")]
            )
            cron._notify_progress(done=sent, remaining=remaining)
            if not (self.env.registry.in_test_mode() or module.current_test):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
            if on_batch:
                on_batch(sent, remaining)
        return sent

    def _new_tokens(self, count):
        return [secrets.token_urlsafe(32) for _i in range(count)]

    def _expiry(self):
        return fields.Datetime.now() + relativedelta(days=self.link_days)
