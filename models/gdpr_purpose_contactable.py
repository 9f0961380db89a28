from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, email_normalize

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
        if not self.env.user._is_internal():
            raise AccessError(
                self.env._("Only internal users may check who can be contacted.")
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
        # The addresses travel as one array literal: far cheaper for
        # PostgreSQL to read than an ARRAY[...] of 100,000 parameters.
        self.env.cr.execute(
            SQL(
                """
                WITH e AS MATERIALIZED (
                    SELECT DISTINCT unnest(%(emails)s::varchar[]) AS email
                ), judged AS (
                    SELECT e.email,
                           BOOL_OR(p.id IS NOT NULL) AS known,
                           BOOL_OR(p.gdpr_erased_date IS NOT NULL) AS erased,
                           BOOL_OR(COALESCE(p.gdpr_restricted, FALSE))
                               AS restricted,
                           BOOL_OR(o.id IS NOT NULL) AS objection,
                           BOOL_OR(c.state = 'withdrawn') AS withdrawn,
                           BOOL_OR(c.state = 'refused') AS refused,
                           BOOL_OR(c.state = 'given' AND (c.valid_until IS NULL
                                   OR c.valid_until > NOW() AT TIME ZONE 'UTC'))
                               AS valid,
                           BOOL_OR(c.state IN ('given', 'expired')) AS had,
                           BOOL_OR(bl.id IS NOT NULL) AS blacklisted
                      FROM e
                 LEFT JOIN res_partner p ON p.email_normalized = e.email
                 LEFT JOIN gdpr_consent c
                        ON c.partner_id = p.id AND c.purpose_id = %(purpose)s
                 LEFT JOIN gdpr_objection o
                        ON o.partner_id = p.id AND o.purpose_id = %(purpose)s
                 LEFT JOIN mail_blacklist bl
                        ON bl.email = e.email AND bl.active AND %(blacklist)s
                  GROUP BY e.email
                )
                SELECT email, known, erased, restricted, objection,
                       COALESCE(withdrawn, FALSE), COALESCE(refused, FALSE),
                       COALESCE(valid, FALSE), COALESCE(had, FALSE), blacklisted
                  FROM judged
                 WHERE NOT known OR erased OR restricted OR objection
                       OR blacklisted
                       OR (%(consent)s AND (withdrawn OR refused
                                            OR NOT COALESCE(valid, FALSE)))
                """,
                emails=self._gdpr_array_literal(emails),
                purpose=purpose.id,
                blacklist=blacklist,
                consent=consent,
            )
        )
        result = defaultdict(set)
        for row in self.env.cr.fetchall():
            email, known, erased, restricted, objection = row[:5]
            withdrawn, refused, valid, had, blacklisted = row[5:]
            reasons = result[email]
            for reason, flag in (
                ("unknown", not known),
                ("erased", erased),
                ("restricted", restricted),
                ("objection", objection),
                ("blacklisted", blacklisted),
            ):
                if flag:
                    reasons.add(reason)
            if consent:
                if withdrawn:
                    reasons.add("withdrawn")
                if refused:
                    reasons.add("refused")
                if not valid:
                    reasons.add("expired" if had else "no_consent")
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
