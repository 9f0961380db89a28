"""The breach register over RPC: record a breach, compute its scope and
list the open ones, with plain data in and out."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .gdpr_breach_scope import SCOPE_TYPES


class GdprBreach(models.Model):
    _inherit = "gdpr.breach"

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
