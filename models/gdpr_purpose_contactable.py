from collections import defaultdict

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, email_normalize

from .gdpr_rights import check_group
from .gdpr_sql import table, tables

# Why a person may not be contacted for a purpose, the least permissive first.
REFUSALS = (
    "erased",
    "restricted",
    "objection",
    "withdrawn",
    "refused",
    "blacklisted",
    "expired",
    "unknown",
    "no_consent",
    "no_email",
    "invalid_email",
)


class GdprPurpose(models.Model):
    """Who may be contacted for a purpose: one answer per e-mail address,
    the least permissive of all the records that hold it."""

    _inherit = "gdpr.purpose"

    @api.model
    def check_contactable(self, purpose_code=None, partner_ids=None, emails=None):
        """Public RPC: which of these contacts (ids) and e-mail addresses may
        be contacted for the purpose ``purpose_code``.

        Returns ``{"purpose_code", "allowed": [{"partner_id", "email"}],
        "refused": [{"partner_id", "email", "reason", "reasons"}]}``. An
        address is judged on every record that holds it (contacts, archived
        ones too, and what bridges add): a withdrawal, refusal or objection
        on any of them wins over a consent on another. ``reason`` is the
        least permissive of ``reasons``.
        """
        check_group(
            self.env,
            "base.group_user",
            self.env._("Only internal users may check who can be contacted."),
        )
        purpose = self._get_by_code(purpose_code)
        partner_ids = partner_ids or []
        emails = emails or []
        if not isinstance(partner_ids, list | tuple) or not all(
            isinstance(pid, int) and not isinstance(pid, bool) for pid in partner_ids
        ):
            raise ValidationError(self.env._("partner_ids must be a list of ids."))
        if not isinstance(emails, list | tuple) or not all(
            isinstance(email, str) for email in emails
        ):
            raise ValidationError(
                self.env._("emails must be a list of e-mail addresses.")
            )
        if not partner_ids and not emails:
            raise ValidationError(
                self.env._("Give contact ids or e-mail addresses to check.")
            )
        Partner = self.env["res.partner"]
        partners = Partner.browse(partner_ids).exists()
        if len(partners) != len(set(partner_ids)):
            raise ValidationError(
                self.env._(
                    "There is no contact with id %s.",
                    ", ".join(map(str, sorted(set(partner_ids) - set(partners.ids)))),
                )
            )
        partners.check_access("read")
        partners = partners.sudo()
        normalized = {email: email_normalize(email) for email in emails}
        verdicts = self._gdpr_contact_refusals(
            purpose,
            set(filter(None, normalized.values()))
            | set(filter(None, partners.mapped("email_normalized"))),
        )
        own = self._gdpr_partner_refusals(purpose, partners)
        allowed, refused = [], []

        def judge(partner_id, email, reasons):
            entry = {"partner_id": partner_id, "email": email}
            if reasons:
                ordered = [r for r in REFUSALS if r in reasons]
                refused.append(dict(entry, reason=ordered[0], reasons=ordered))
            else:
                allowed.append(entry)

        for partner in partners:
            email = partner.email_normalized
            reasons = own.get(partner.id, set()) | (
                verdicts.get(email, set()) if email else {"no_email"}
            )
            judge(partner.id, email or False, reasons)
        for email, norm in normalized.items():
            judge(
                False,
                norm or email,
                verdicts.get(norm, set()) if norm else {"invalid_email"},
            )
        return {"purpose_code": purpose.code, "allowed": allowed, "refused": refused}

    def _gdpr_partner_refusals(self, purpose, partners):
        """Refusals of contacts judged by themselves (those without e-mail
        address): ``{partner id: {reasons}}``."""
        result = {}
        no_email = partners.filtered(lambda p: not p.email_normalized)
        if not no_email:
            return result
        objections = set(
            self.env["gdpr.objection"]
            .sudo()
            .search(
                [("partner_id", "in", no_email.ids), ("purpose_id", "=", purpose.id)]
            )
            .partner_id.ids
        )
        valid = set()
        if purpose.consent_required:
            Consent = self.env["gdpr.consent"].sudo()
            valid = set(
                Consent.search(
                    [("partner_id", "in", no_email.ids)]
                    + Consent._valid_domain(purpose)
                ).partner_id.ids
            )
        for partner in no_email:
            reasons = set()
            if partner.gdpr_erased_date:
                reasons.add("erased")
            if partner.gdpr_restricted:
                reasons.add("restricted")
            if partner.id in objections:
                reasons.add("objection")
            if purpose.consent_required and partner.id not in valid:
                reasons.add("no_consent")
            result[partner.id] = reasons
        return result

    @api.model
    def _gdpr_contact_refusals(self, purpose, emails):
        """``{normalised e-mail: {reasons}}`` for those of ``emails`` that may
        not be contacted for ``purpose`` (the others are absent), each judged
        on all the records holding it, in one set-based query that returns
        only the addresses something stands in the way of. Bridges extend it
        with their records."""
        emails = sorted(set(emails))
        if not emails:
            return {}
        for model, fnames in (
            (
                "res.partner",
                ["email_normalized", "gdpr_erased_date", "gdpr_restricted"],
            ),
            ("gdpr.consent", None),
            ("gdpr.objection", None),
            ("mail.blacklist", None),
        ):
            self.env[model].flush_model(fnames)
        consent = purpose.consent_required
        blacklist = purpose.email_marketing or purpose.legal_basis in (
            "consent",
            "legitimate_interest",
        )
        # The addresses travel as one array literal, far cheaper for
        # PostgreSQL to read than an ARRAY[...] of 100,000 parameters; each
        # query returns only what stands in the way, never every address.
        literal = self._gdpr_array_literal(emails)
        # each company answers for its own contacts: a user learns nothing of
        # another company's (the blacklist, which has no company, is shared)
        own = (
            SQL("TRUE")
            if self.env.su
            else SQL(
                "(p.company_id IS NULL OR p.company_id = ANY(%s))",
                self.env.user.company_ids.ids,
            )
        )
        cr = self.env.cr
        result = defaultdict(set)
        cr.execute(
            SQL(
                """
                SELECT p.email_normalized,
                       BOOL_OR(p.gdpr_erased_date IS NOT NULL),
                       BOOL_OR(COALESCE(p.gdpr_restricted, FALSE)),
                       BOOL_OR(o.id IS NOT NULL),
                       BOOL_OR(c.state = 'withdrawn'),
                       BOOL_OR(c.state = 'refused')
                  FROM %(partner)s p
             LEFT JOIN %(objection)s o
                    ON o.partner_id = p.id AND o.purpose_id = %(purpose)s
             LEFT JOIN %(consent)s c
                    ON c.partner_id = p.id AND c.purpose_id = %(purpose)s
                   AND c.state IN ('withdrawn', 'refused')
                 WHERE p.email_normalized = ANY(%(emails)s::varchar[])
                   AND %(own)s
                   AND (p.gdpr_erased_date IS NOT NULL OR p.gdpr_restricted
                        OR o.id IS NOT NULL OR c.id IS NOT NULL)
              GROUP BY p.email_normalized
                """,
                purpose=purpose.id,
                emails=literal,
                own=own,
                **tables(
                    self.env,
                    partner="res.partner",
                    objection="gdpr.objection",
                    consent="gdpr.consent",
                ),
            )
        )
        names = ("erased", "restricted", "objection", "withdrawn", "refused")
        for email, *flags in cr.fetchall():
            for reason, flag in zip(names, flags, strict=True):
                if flag and (consent or reason not in ("withdrawn", "refused")):
                    result[email].add(reason)
        cr.execute(
            SQL(
                "SELECT unnest(%s::varchar[]) EXCEPT "
                "SELECT email_normalized FROM %s p "
                "WHERE email_normalized IS NOT NULL AND %s",
                literal,
                table(self.env, "res.partner"),
                own,
            )
        )
        unknown = {row[0] for row in cr.fetchall()}
        for email in unknown:
            result[email].add("unknown")
        if consent:
            cr.execute(
                SQL(
                    """
                    SELECT p.email_normalized,
                           BOOL_OR(c.state = 'given' AND (c.valid_until IS NULL
                                   OR c.valid_until > NOW() AT TIME ZONE 'UTC'))
                      FROM %s c
                      JOIN %s p ON p.id = c.partner_id
                     WHERE c.purpose_id = %s AND c.state IN ('given', 'expired')
                       AND p.email_normalized = ANY(%s::varchar[]) AND %s
                  GROUP BY p.email_normalized
                    """,
                    table(self.env, "gdpr.consent"),
                    table(self.env, "res.partner"),
                    purpose.id,
                    literal,
                    own,
                )
            )
            had = dict(cr.fetchall())
            for email in emails:
                if not had.get(email):
                    result[email].add("expired" if email in had else "no_consent")
        if blacklist:
            cr.execute(
                SQL(
                    "SELECT email FROM %s WHERE active AND email = ANY(%s::varchar[])",
                    table(self.env, "mail.blacklist"),
                    literal,
                )
            )
            for (email,) in cr.fetchall():
                result[email].add("blacklisted")
        Suppression = self.env["gdpr.suppression"].sudo()
        hashes = Suppression._hashes(emails=emails)
        if hashes:
            by_hash = dict(zip(hashes, emails, strict=True))
            for entry in Suppression.search([("identifier_hash", "in", list(hashes))]):
                result[by_hash[entry.identifier_hash]].add("erased")
        return dict(result)

    @api.model
    def _gdpr_array_literal(self, values):
        """A PostgreSQL array literal of strings, each quoted and escaped."""
        return (
            "{"
            + ",".join(
                '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
                for value in values
            )
            + "}"
        )
