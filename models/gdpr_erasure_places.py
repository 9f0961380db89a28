from collections import defaultdict

from odoo import _, api, models

from .gdpr_footprint import (
    LEGAL_HOLD_MODELS,
    OWN_RECORDS,
    Footprint,
    _map_memo,
    find_mentions,
)


class GdprErasure(models.AbstractModel):
    """The person finder's places: asks each model holding personal data
    where a person is in it, through the model's
    ``_gdpr_erasure_places(footprint)``, and adds what no single model
    knows: legal holds, copies in the map's fields, optional modules and the
    audit-trail keys."""

    _inherit = "gdpr.erasure"

    @api.model
    def _place_hooks(self):
        """``[(sequence, model name)]`` of the models that say where a
        person's data is in them, in the order their hooks run."""
        hooks = []
        for name in self.env.registry:
            model = self.env[name]
            sequence = getattr(model, "_gdpr_erasure_sequence", None)
            if sequence is not None and not model._abstract and not model._transient:
                hooks.append((sequence, name))
        return sorted(hooks)

    def _find_places(self, footprint):
        """First the person's own records, then the legal holds and copies,
        then what hangs on or mentions them: the same set for the preview,
        the erasure, the export and retention."""
        env = footprint.partners.env
        hooks = self._place_hooks()
        for sequence, name in hooks:
            if sequence < OWN_RECORDS:
                env[name]._gdpr_erasure_places(footprint)
        self._find_legal_holds(footprint)
        self._find_copies(footprint)
        for sequence, name in hooks:
            if sequence >= OWN_RECORDS:
                env[name]._gdpr_erasure_places(footprint)
        self._find_optional(footprint)
        self._find_keys(footprint)

    def _map_entries(self):
        """``{model: {field name: map entry}}`` of the active map entries."""
        memo = _map_memo.get()
        if memo is not None and "entries" in memo:
            return memo["entries"]
        entries = defaultdict(dict)
        for entry in self.env["gdpr.field"].sudo().search([]):
            entries[entry.model][entry.field_name] = entry
        if memo is not None:
            memo["entries"] = entries
        return entries

    def _map_methods(self, model):
        """``{field name: map entry}`` of the model's active map entries."""
        return dict(self._map_entries().get(model, {}))

    def _map_reason(self, model, reason=None):
        """Why a record is treated so: the map, and the fields it keeps for a
        legal reason."""
        reasons = [reason or _("Personal-data map")]
        reasons += [
            self.env._(
                "%(field)s kept: %(reason)s",
                field=entry.field_id.field_description,
                reason=entry.legal_hold_reason,
            )
            for entry in self._map_methods(model).values()
            if entry.erasure_method == "keep"
        ]
        return " ".join(reasons)

    def _records_footprint(self, partners, leads, label):
        """The footprint of the records of many people at once (retention):
        their contacts, leads and what hangs on them, found by the same hooks,
        without searching free text for mentions."""
        env = self.env(su=True, context={"active_test": False})
        partners = partners.with_env(env)
        leads = leads.with_env(env) | env["crm.lead"].search(
            [("partner_id", "in", partners.ids)]
        )
        footprint = Footprint(label, partners, leads, scan_text=False)
        footprint.emails = set(
            filter(
                None,
                partners.mapped("email_normalized") + leads.mapped("email_normalized"),
            )
        )
        self._find_places(footprint)
        return footprint

    def _erased_places(self, footprint):
        """``{model: ids}`` of the records anonymised or deleted so far."""
        erased = defaultdict(set)
        for (model, action), reasons in footprint.places.items():
            if action in ("anonymise", "delete"):
                erased[model].update(reasons)
        return {model: sorted(ids) for model, ids in erased.items() if ids}

    @api.model
    def _legal_hold_models(self):
        """``{model: reason}`` of the installed models whose records the law
        makes the company keep: the built-in accounting models, and the
        models with fields the map keeps for legal reasons (but the person's
        own records, anonymised around the fields kept). The one list of
        the erasure and of retention."""
        hold_models = dict(LEGAL_HOLD_MODELS)
        for entries in self._map_entries().values():
            for entry in entries.values():
                if entry.erasure_method == "keep" and entry.model not in (
                    "res.partner",
                    "crm.lead",
                    "res.partner.bank",
                ):
                    hold_models.setdefault(entry.model, entry.legal_hold_reason)
        return {
            model: reason for model, reason in hold_models.items() if model in self.env
        }

    @api.model
    def _partner_references(self, model_name):
        """The stored many2one fields of ``model_name`` to contacts."""
        return [
            name
            for name, fld in self.env[model_name]._fields.items()
            if fld.type == "many2one"
            and fld.comodel_name == "res.partner"
            and fld.store
        ]

    def _find_legal_holds(self, footprint):
        """Records the law makes the company keep, that refer to the
        person's contacts."""
        env = footprint.partners.env
        if not footprint.partners:
            return
        for model_name, reason in self._legal_hold_models().items():
            model = env[model_name]
            references = self._partner_references(model_name)
            if not references:
                continue
            domain = ["|"] * (len(references) - 1) + [
                (name, "in", footprint.partners.ids) for name in references
            ]
            footprint.add(model.search(domain), "keep", reason)

    def _find_copies(self, footprint):
        """Fields of the map, on any record, holding a copy of the person's
        e-mail address (``email_cc`` of another lead, a request...): its
        e-mail fields and free-text fields, each searched through its own
        trigram index where it has one."""
        env = footprint.partners.env
        if not footprint.emails or not footprint.scan_text:
            return
        emails_only = Footprint(
            footprint.label,
            footprint.partners,
            footprint.leads,
            emails=footprint.emails,
        )
        by_model = defaultdict(list)
        for model_name, entries in self._map_entries().items():
            for name, entry in entries.items():
                if entry.field_type in ("text", "html") or (
                    entry.field_type == "char" and "email" in name
                ):
                    by_model[model_name].append(name)
        for model_name, names in sorted(by_model.items()):
            if model_name not in env or env[model_name]._transient:
                continue
            found = find_mentions(env, model_name, names, emails_only, per_column=True)
            ids = set(found) - set(footprint.ids(model_name))
            footprint.add(
                env[model_name].browse(sorted(ids)),
                "scrub",
                _("Holds a copy of the person's e-mail address."),
            )

    def _find_optional(self, footprint):
        """Places of modules crm_gdpr does not depend on, when installed."""
        env = footprint.partners.env
        emails = sorted(footprint.emails)
        if "mailing.contact" in env and emails:
            footprint.add(
                env["mailing.contact"].search([("email_normalized", "in", emails)]),
                "delete",
                _("Mailing list contact."),
            )
        if "mailing.trace" in env and emails:
            footprint.add(
                env["mailing.trace"].search([("email", "in", emails)]),
                "scrub",
                _("Mailing statistics keep no address."),
            )
        if "website.visitor" in env and footprint.partners:
            footprint.add(
                env["website.visitor"].search(
                    [("partner_id", "in", footprint.partners.ids)]
                ),
                "delete",
                _("Website visitor."),
            )
        # Odoo's privacy.log is left alone: its masked address
        # (z****.b**********@e******.pl) is the same for every address of
        # the same shape, so it cannot tell the person from another one.

    def _find_keys(self, footprint):
        """The audit-trail keys of the person: their contacts', and those of
        their leads for the changes made while a lead had no contact."""
        env = footprint.partners.env
        leads = footprint.leads
        partners = footprint.partners
        if not partners and not leads:
            return
        keys = env["gdpr.subject.key"].search(
            [
                ("destroyed_date", "=", False),
                "|",
                "&",
                ("subject_model", "=", "crm.lead"),
                ("subject_res_id", "in", leads.ids),
                "&",
                ("subject_model", "=", "res.partner"),
                ("subject_res_id", "in", partners.ids),
            ]
        )
        keyed = {(key.subject_model, key.subject_res_id) for key in keys}
        footprint.add(
            leads.filtered(lambda lead: ("crm.lead", lead.id) in keyed),
            "destroy_key",
            _("Audit trail values recorded while the lead had no contact."),
        )
        footprint.add(
            partners.filtered(lambda partner: ("res.partner", partner.id) in keyed),
            "destroy_key",
            _("Audit trail values of the person."),
        )
