"""The scope of a breach: the people and records it reached, computed from
a selection (a filter on contacts or leads, the records of a user, a period of
the audit trail), and the fields and categories of data concerned."""

import ast

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

SCOPE_TYPES = [
    ("partner_domain", "Contacts matching a filter"),
    ("lead_domain", "Leads matching a filter"),
    ("user_records", "Records created or changed by a user"),
    ("audit_range", "Personal data in the audit trail over a period"),
]
SCOPE_MODELS = {"partner_domain": "res.partner", "lead_domain": "crm.lead"}


class GdprBreach(models.Model):
    _inherit = "gdpr.breach"

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

    @api.depends("scope_type")
    def _compute_scope_model(self):
        for breach in self:
            breach.scope_model = SCOPE_MODELS.get(breach.scope_type, "res.partner")

    def action_compute_scope(self):
        self._check_dpo()
        for breach in self:
            breach._compute_scope_from_selection()
        return True

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
