import hashlib
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .gdpr_rights import is_intake

CONSENT_STATES = [
    ("pending", "Pending"),
    ("given", "Given"),
    ("withdrawn", "Withdrawn"),
    ("refused", "Refused"),
    ("expired", "Expired"),
]

CONSENT_CHANNELS = [
    ("form", "Web form"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("paper", "Paper"),
    ("import", "Import"),
    ("api", "API"),
]

# What staff witness themselves and record under their own name; the other
# channels carry the person's own proof (their request to the consent page,
# an intake integration's form, an import of such records).
WITNESSED_CHANNELS = ("email", "phone", "paper")
# The proof only the person's own request brings.
PROOF_KEYS = ("ip_address", "user_agent", "consent_text")

# The states a consent may move to, and from which states.
TRANSITIONS = {
    "given": {"pending", "given", "withdrawn", "refused"},
    "withdrawn": {"given"},
    "refused": {"pending", "withdrawn"},
}

# Written only by the state actions, never directly: they are the proof.
PROTECTED_FIELDS = {
    "partner_id",
    "purpose_id",
    "state",
    "date",
    "channel",
    "user_id",
    "ip_address",
    "user_agent",
    "consent_text",
    "consent_hash",
    "blacklisted_by_consent",
}


def hash_text(text):
    """The SHA-256 of a consent wording, the proof of what was shown."""
    return hashlib.sha256(text.encode()).hexdigest() if text else False


class GdprConsent(models.Model):
    """One person's decision about one processing purpose.

    The state only changes through :meth:`action_give`, :meth:`action_withdraw`
    and :meth:`action_refuse` (or :meth:`record_consent` over RPC); each change
    is appended to :attr:`history_ids` with its proof.
    """

    _name = "gdpr.consent"
    _description = "Consent"
    _order = "partner_id, purpose_id"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, ondelete="cascade", index=True
    )
    purpose_id = fields.Many2one(
        "gdpr.purpose",
        required=True,
        ondelete="restrict",
        index=True,
        domain=[("consent_required", "=", True)],
    )
    purpose_code = fields.Char(related="purpose_id.code")
    legal_basis = fields.Selection(related="purpose_id.legal_basis")
    state = fields.Selection(
        CONSENT_STATES, required=True, default="pending", readonly=True, index=True
    )
    date = fields.Datetime(readonly=True, help="When the current state was recorded.")
    channel = fields.Selection(CONSENT_CHANNELS, readonly=True)
    user_id = fields.Many2one("res.users", string="Recorded by", readonly=True)
    ip_address = fields.Char(string="IP address", readonly=True)
    user_agent = fields.Char(readonly=True)
    consent_text = fields.Text(string="Wording shown", readonly=True)
    consent_hash = fields.Char(
        string="Wording hash", readonly=True, help="SHA-256 of the wording shown."
    )
    history_ids = fields.One2many("gdpr.consent.history", "consent_id", readonly=True)
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )

    _sql_constraints = [
        (
            "partner_purpose_unique",
            "UNIQUE(partner_id, purpose_id)",
            "A contact has one consent per purpose.",
        ),
    ]

    def _compute_display_name(self):
        for consent in self:
            consent.display_name = (
                f"{consent.partner_id.display_name} - {consent.purpose_id.name}"
            )

    @api.constrains("partner_id", "purpose_id")
    def _check_purpose(self):
        for consent in self:
            purpose = consent.purpose_id
            if not purpose.consent_required:
                raise ValidationError(
                    _(
                        "The purpose %s does not rely on consent: no consent can "
                        "be recorded for it.",
                        purpose.name,
                    )
                )
            company = consent.partner_id.company_id
            if purpose.company_id and company and purpose.company_id != company:
                raise ValidationError(
                    _(
                        "The purpose %(purpose)s belongs to %(purpose_company)s, "
                        "the contact %(partner)s to %(partner_company)s.",
                        purpose=purpose.name,
                        purpose_company=purpose.company_id.name,
                        partner=consent.partner_id.display_name,
                        partner_company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        proof_fields = PROTECTED_FIELDS - {"partner_id", "purpose_id", "state"}
        if not self.env.su:
            for vals in vals_list:
                if vals.get("state", "pending") != "pending" or proof_fields & set(
                    vals
                ):
                    raise UserError(
                        _(
                            "A consent starts as pending; it is given, withdrawn "
                            "or refused through its actions, which keep the proof."
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and PROTECTED_FIELDS & set(vals):
            raise UserError(
                _(
                    "The contact, purpose, state and proof of a consent change "
                    "only through its Give, Withdraw and Refuse actions."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # State actions
    # ------------------------------------------------------------------

    def action_give(self, channel=None):
        return self._decide("given", channel)

    def action_withdraw(self, channel=None):
        return self._decide("withdrawn", channel)

    def action_refuse(self, channel=None):
        return self._decide("refused", channel)

    def _decide(self, state, channel):
        """Record the decision; from a button, where nobody said how it
        reached the company, ask it in the recording dialog first."""
        if channel is None and is_intake(self.env) and not self.env.su:
            channel = "api"
        if channel is None and not self.env.su:
            self.check_access("write")
            self._check_transition(state)
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "crm_gdpr.gdpr_consent_record_wizard_action"
            )
            action["context"] = {
                "default_partner_ids": self.partner_id.ids,
                "default_purpose_id": self.purpose_id[:1].id,
                "default_decision": state,
            }
            return action
        self._set_state(state, channel=channel)
        return True

    @api.model
    def _check_decision(self, state, channel):
        if state not in TRANSITIONS:
            raise ValidationError(
                _(
                    "%(state)r is not a consent decision; use one of %(states)s.",
                    state=state,
                    states=", ".join(sorted(TRANSITIONS)),
                )
            )
        channels = dict(CONSENT_CHANNELS)
        if channel and channel not in channels:
            raise ValidationError(
                _(
                    "%(channel)r is not a consent channel; use one of %(channels)s.",
                    channel=channel,
                    channels=", ".join(channels),
                )
            )

    @api.model
    def _check_proof(self, channel, proof):
        """Staff record what they witnessed, by e-mail, phone or paper, under
        their own name; the web form, API and import channels and the proof
        of IP address, browser and wording shown come only from the consent
        page and from the users of the intake group (integrations)."""
        if is_intake(self.env):
            return
        invented = [key for key in PROOF_KEYS if (proof or {}).get(key)]
        if channel not in WITNESSED_CHANNELS or invented:
            raise AccessError(
                _(
                    "You can record a decision you witnessed by e-mail, phone or "
                    "paper. The web form, API and import channels and the proof "
                    "of IP address, browser and wording come from the person's "
                    "own request to the consent page or from an intake "
                    "integration (group 'Consent intake')."
                )
            )

    def _check_transition(self, state):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for consent in self:
            if consent.state not in TRANSITIONS[state]:
                raise UserError(
                    _(
                        "The consent of %(partner)s for %(purpose)s is %(current)s: "
                        "it cannot become %(state)s.",
                        partner=consent.partner_id.display_name,
                        purpose=consent.purpose_id.name,
                        current=labels[consent.state],
                        state=labels[state],
                    )
                )

    def _set_state(self, state, channel=None, proof=None, note=None):
        """Move the consents in ``self`` to ``state`` and append the change,
        with its proof, to their history.

        :param proof: optional dict with ``ip_address``, ``user_agent``,
            ``consent_text`` (the wording shown; by default the purpose's
            wording in the contact's language) and ``lang``.
        """
        self._check_decision(state, channel)
        self._check_proof(channel, proof)
        self.check_access("write")
        self._check_transition(state)
        self._write_state(state, channel, proof, note)

    def _write_state(self, state, channel=None, proof=None, note=None):
        """Write ``state`` and its history, the checks being done."""
        proof = proof or {}
        now = fields.Datetime.now()
        history_vals = []
        for consent in self:
            lang = proof.get("lang") or consent.partner_id.lang
            text = proof.get("consent_text") or (
                consent.purpose_id.with_context(lang=lang).consent_text
            )
            history_vals.append(
                {
                    "consent_id": consent.id,
                    "previous_state": consent.state,
                    "state": state,
                    "date": now,
                    "channel": channel,
                    "user_id": self.env.uid,
                    "ip_address": proof.get("ip_address"),
                    "user_agent": proof.get("user_agent"),
                    "consent_text": text,
                    "consent_hash": hash_text(text),
                    "lang": lang,
                    "note": note,
                }
            )
        self.env["gdpr.consent.history"].sudo().create(history_vals)
        # One write per distinct proof: the consents of one decision share it
        # but for the wording, which follows each contact's language.
        proof_keys = ("channel", "ip_address", "user_agent", "consent_text")
        by_proof = defaultdict(lambda: self.browse())
        for consent, vals in zip(self, history_vals, strict=True):
            by_proof[tuple(vals[key] for key in proof_keys)] |= consent
        for (chan, ip_address, user_agent, text), consents in by_proof.items():
            consents.sudo().write(
                {
                    "state": state,
                    "date": now,
                    "channel": chan,
                    "user_id": self.env.uid,
                    "ip_address": ip_address,
                    "user_agent": user_agent,
                    "consent_text": text,
                    "consent_hash": hash_text(text),
                }
            )

    # ------------------------------------------------------------------
    # Public API (RPC)
    # ------------------------------------------------------------------

    @api.model
    def _record_decision(
        self, partners, purpose, state, channel=None, proof=None, note=None
    ):
        """Record one decision of several contacts for one purpose, creating
        their consents where missing. Checks everything before writing."""
        self._check_decision(state, channel)
        consents = self.search(
            [("partner_id", "in", partners.ids), ("purpose_id", "=", purpose.id)]
        )
        consents._check_transition(state)
        missing = partners - consents.partner_id
        if missing and "pending" not in TRANSITIONS[state]:
            raise UserError(
                _(
                    "%(partner)s has no consent for %(purpose)s: there is "
                    "nothing to withdraw.",
                    partner=missing[:1].display_name,
                    purpose=purpose.name,
                )
            )
        if missing:
            self.check_access("create")
            consents |= (
                self.sudo()
                .create(
                    [
                        {"partner_id": partner.id, "purpose_id": purpose.id}
                        for partner in missing
                    ]
                )
                .with_env(self.env)
            )
        consents._set_state(state, channel=channel, proof=proof, note=note)
        return consents

    def _to_dict(self):
        self.ensure_one()
        return {
            "id": self.id,
            "partner_id": self.partner_id.id,
            "purpose_code": self.purpose_id.code,
            "purpose_name": self.purpose_id.name,
            "legal_basis": self.purpose_id.legal_basis,
            "state": self.state,
            "date": fields.Datetime.to_string(self.date) if self.date else False,
            "channel": self.channel or False,
            "consent_hash": self.consent_hash or False,
        }

    @api.model
    def _record_pending(self, partner, purposes, channel, proof):
        """Consents a person ticked on a form, pending until they confirm by
        e-mail (double opt-in); consents already given stay given. Returns
        the consents to confirm.

        Whoever knows an address can tick a form for it: an unconfirmed tick
        is no decision, so a consent the person withdrew or refused stays
        so (it is only asked again) until they confirm."""
        consents = self.sudo().search(
            [("partner_id", "=", partner.id), ("purpose_id", "in", purposes.ids)]
        )
        missing = purposes - consents.purpose_id
        consents |= self.sudo().create(
            [
                {"partner_id": partner.id, "purpose_id": purpose.id}
                for purpose in missing
            ]
        )
        to_confirm = consents.filtered(lambda c: c.state != "given")
        to_confirm.filtered(lambda c: c.state == "pending")._write_state(
            "pending", channel, proof, _("Awaiting confirmation by e-mail.")
        )
        return to_confirm

    @api.model
    def record_consent(
        self,
        partner_id=None,
        purpose_code=None,
        state="given",
        channel=None,
        consent_text=None,
        ip_address=None,
        user_agent=None,
        note=None,
    ):
        """Public RPC: record that a contact gave, withdrew or refused consent
        for the purpose ``purpose_code``. Returns the consent as a dict.

        Bad input raises a ValidationError (or a MissingError for an unknown
        contact, an AccessError for another company's record) and writes
        nothing.
        """
        channel = channel or ("api" if is_intake(self.env) else None)
        if not channel:
            raise ValidationError(
                _("Say how the decision reached you: channel e-mail, phone or paper.")
            )
        self._check_decision(state, channel)
        proof = {
            "consent_text": consent_text,
            "ip_address": ip_address,
            "user_agent": user_agent,
        }
        self._check_proof(channel, proof)
        partner = self.env["res.partner"]._gdpr_from_rpc(partner_id)
        purpose = self.env["gdpr.purpose"]._get_by_code(purpose_code)
        if not purpose.consent_required:
            raise ValidationError(
                _(
                    "The purpose %s does not rely on consent: no consent can be "
                    "recorded for it.",
                    purpose_code,
                )
            )
        consent = self._record_decision(
            partner, purpose, state, channel=channel, proof=proof, note=note
        )
        return consent._to_dict()

    @api.model
    def withdraw_consent(
        self, partner_id=None, purpose_code=None, channel=None, note=None
    ):
        """Public RPC: withdraw a given consent. Returns the consent as a dict."""
        return self.record_consent(
            partner_id, purpose_code, state="withdrawn", channel=channel, note=note
        )

    @api.model
    def get_partner_consents(self, partner_id=None):
        """Public RPC: the consents of a contact, as a list of dicts."""
        partner = self.env["res.partner"]._gdpr_from_rpc(partner_id)
        return [
            consent._to_dict()
            for consent in self.search([("partner_id", "=", partner.id)])
        ]
