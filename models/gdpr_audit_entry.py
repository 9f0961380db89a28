import json
import logging
import re
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import SQL, split_every

from .gdpr_rights import check_dpo
from .rpc_values import rpc_safe

_logger = logging.getLogger(__name__)

PENDING = "crm_gdpr.audit_pending"

OPERATIONS = [
    ("create", "Created"),
    ("write", "Changed"),
    ("unlink", "Deleted"),
    ("export", "Exported"),
    ("lookup", "Looked up"),
    ("erase", "Erased"),
    ("purge", "Trail purged"),
]
INTERFACES = [
    ("ui", "User interface"),
    ("rpc", "XML-RPC / JSON-RPC"),
    ("import", "Import"),
    ("cron", "Scheduled action"),
    ("system", "System"),
]
# the columns an entry is inserted with, and their SQL types
INSERTED_COLUMNS = {
    "date": "timestamp",
    "user_id": "int4",
    "operation": "varchar",
    "interface": "varchar",
    "model": "varchar",
    "res_id": "int4",
    "subject_key_id": "int4",
    "field_names": "varchar",
    "payload": "text",
    "record_count": "int4",
    "res_ids": "text",
    "anchor_seq": "int4",
    "anchor_hash": "varchar",
    "company_id": "int4",
    "hash_version": "int4",
}
# an e-mail address in a value; what an erased person's becomes when read
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ERASED_VALUE = "[erased]"
# the layout of the columns new entries are hashed under (gdpr_audit_chain)
HASH_VERSION = 2
# what the collected entries hold, written as is; the key and the encrypted
# values are added when they are written
ENTRY_COLUMNS = tuple(
    c for c in INSERTED_COLUMNS if c not in ("subject_key_id", "payload")
)

# The interface of the changes made in the current block of code. A context
# variable rather than the Odoo context: the ORM flushes with an empty one.
_interface = ContextVar("crm_gdpr_interface", default=None)


@contextmanager
def traced_as(env, interface):
    """Trace the changes made inside the block as coming from ``interface``
    ("rpc", "import", "cron"); with ``env``, they are flushed before the
    block ends."""
    token = _interface.set(interface)
    try:
        yield
        if env is not None:
            env.flush_all()
    finally:
        _interface.reset(token)


PLAIN_TYPES = {str, int, float, bool, type(None)}


def _plain(value):
    """A database value as JSON can hold it."""
    if type(value) in PLAIN_TYPES:
        return value
    value = getattr(value, "adapted", value)  # psycopg2 Json wrapper
    if isinstance(value, models.BaseModel):
        return value.ids if len(value) != 1 else value.id
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    if isinstance(value, str):
        return str(value)  # Markup
    if value is None or isinstance(value, bool | int | float | dict | list):
        return value
    return str(value)  # Decimal


class GdprAuditEntry(models.Model):
    """One line of the audit trail: a change, export or lookup of personal data.

    Entries are written with SQL at the end of the transaction that made the
    change (a precommit hook collects the changes of the whole transaction),
    then sealed into a hash chain right after commit, in a transaction of
    their own, so that concurrent writers never conflict on the chain. The
    values of a person are encrypted with that person's key
    (``gdpr.subject.key``): destroying the key erases them from the trail.
    Nobody can edit or delete entries through the ORM.
    """

    _name = "gdpr.audit.entry"
    _description = "Audit Trail Entry"
    _order = "id desc"
    _log_access = False

    date = fields.Datetime(readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, index=True, ondelete="restrict"
    )
    operation = fields.Selection(OPERATIONS, readonly=True, index=True)
    interface = fields.Selection(INTERFACES, readonly=True)
    model = fields.Char(readonly=True, index=True)
    res_id = fields.Integer("Record ID", readonly=True, index=True)
    subject_key_id = fields.Many2one(
        "gdpr.subject.key",
        string="Person",
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        related="subject_key_id.partner_id", string="Contact", readonly=True
    )
    field_names = fields.Char("Fields", readonly=True)
    payload = fields.Text(
        "Encrypted values",
        readonly=True,
        help="Old and new values, encrypted with the person's key.",
    )
    record_count = fields.Integer("Records", readonly=True)
    res_ids = fields.Text("Record IDs", readonly=True)
    anchor_seq = fields.Integer(readonly=True, help="Purge: the last purged link.")
    anchor_hash = fields.Char(
        readonly=True, help="Purge: the hash of the last purged link."
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company the user worked in when the entry was written.",
    )
    hash_version = fields.Integer(
        readonly=True, help="The layout of the columns the entry's hash covers."
    )
    seal_seq = fields.Integer("Link", readonly=True, index=True)
    prev_hash = fields.Char("Previous hash", readonly=True)
    entry_hash = fields.Char("Hash", readonly=True)
    values_erased = fields.Boolean(compute="_compute_changes")
    changes_display = fields.Text("Changes", compute="_compute_changes")

    _sql_constraints = [
        ("seal_seq_unique", "UNIQUE(seal_seq)", "A link of the chain is unique."),
    ]

    # ------------------------------------------------------------------
    # Immutability
    # ------------------------------------------------------------------

    # the trail is written with SQL only: these refuse, never call super
    # pylint: disable=method-required-super
    @api.model_create_multi
    def create(self, vals_list):
        raise AccessError(_("Audit trail entries are written by the system only."))

    def write(self, vals):
        raise AccessError(_("Audit trail entries cannot be changed."))

    def unlink(self):
        raise AccessError(
            _("Audit trail entries cannot be deleted; set a retention period instead.")
        )

    # pylint: enable=method-required-super

    # ------------------------------------------------------------------
    # Collecting entries
    # ------------------------------------------------------------------

    @api.model
    def _interface(self):
        if interface := _interface.get():
            return interface
        if getattr(threading.current_thread(), "type", None) == "cron":
            return "cron"
        if not request:
            return "system"
        if request.httprequest.path.startswith(("/xmlrpc", "/jsonrpc")):
            return "rpc"
        return "ui"

    @api.model
    def _subject_column(self, model):
        """The column naming the person a record is about, if not itself."""
        field = model._fields.get("partner_id")
        if (
            model._name != "res.partner"
            and field
            and field.type == "many2one"
            and field.comodel_name == "res.partner"
            and field.store
        ):
            return "partner_id"
        return None

    @api.model
    def _entry_factory(self):
        """A function making entries of the current user, time and
        interface, which are worked out once for a whole batch."""
        common = {
            "date": self.env.cr.now().replace(microsecond=0),
            "user_id": self.env.uid,
            "interface": self._interface(),
            "res_id": None,
            "subject": None,
            "field_names": None,
            "changes": None,
            "record_count": 1,
            "res_ids": None,
            "anchor_seq": None,
            "anchor_hash": None,
            "company_id": self.env.company.id,
            "hash_version": HASH_VERSION,
        }

        def new_entry(operation, model, **values):
            return {**common, "operation": operation, "model": model, **values}

        return new_entry

    @api.model
    def _new_entry(self, operation, model, **values):
        return self._entry_factory()(operation, model, **values)

    @api.model
    def _queue(self, entries):
        """Keep entries until the transaction commits: its changes are then
        written in one go, or dropped with it when it rolls back."""
        if not entries:
            return
        cr = self.env.cr
        pending = cr.precommit.data.get(PENDING)
        if pending is None:
            pending = cr.precommit.data[PENDING] = []
            cr.precommit.add(self.with_user(SUPERUSER_ID)._write_queue)
        pending.extend(entries)

    @api.model
    def _read_columns(self, records, names):
        """``{id: {column: value}}`` of ``records`` as stored, in one query
        per thousand records."""
        result = {}
        for ids in split_every(1000, records.ids):
            self.env.cr.execute(
                SQL(
                    "SELECT id, %s FROM %s WHERE id = ANY(%s)",
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    SQL.identifier(records._table),
                    list(ids),
                )
            )
            result.update(
                {
                    row[0]: dict(zip(names, row[1:], strict=True))
                    for row in self.env.cr.fetchall()
                }
            )
        return result

    @api.model
    def _subject(self, model, res_id, partner_id):
        if partner_id:
            return ("res.partner", partner_id)
        return (model._name, res_id)

    @api.model
    def _log_create(self, records, stored_list, audited):
        subject_column = self._subject_column(records)
        new_entry = self._entry_factory()
        names = sorted(audited)
        entries = []
        for record, stored in zip(records, stored_list, strict=True):
            changes = {
                name: [None, _plain(stored[name])]
                for name in names
                if name in stored and stored[name] not in (None, False, "")
            }
            entries.append(
                new_entry(
                    "create",
                    records._name,
                    res_id=record.id,
                    subject=self._subject(
                        records,
                        record.id,
                        subject_column and _plain(stored.get(subject_column)),
                    ),
                    field_names=",".join(changes),
                    changes=changes,
                )
            )
        self._queue(entries)

    @api.model
    def _log_write(self, records, vals_list, old_values, names, subject_column):
        new_entry = self._entry_factory()
        entries = []
        for record, vals in zip(records, vals_list, strict=True):
            old = old_values.get(record.id)
            if old is None:
                continue
            changes = {}
            for name in sorted(names & vals.keys()):
                before, after = _plain(old[name]), _plain(vals[name])
                if before != after and (before or after):
                    changes[name] = [before, after]
            if not changes:
                continue
            partner_id = subject_column and _plain(
                vals.get(subject_column, old[subject_column])
            )
            entries.append(
                new_entry(
                    "write",
                    records._name,
                    res_id=record.id,
                    subject=self._subject(records, record.id, partner_id),
                    field_names=",".join(changes),
                    changes=changes,
                )
            )
        self._queue(entries)

    @api.model
    def _log_unlink(self, records, old_values, audited, subject_column):
        new_entry = self._entry_factory()
        entries = []
        for res_id, old in old_values.items():
            changes = {
                name: [_plain(old[name]), None]
                for name in sorted(audited)
                if old.get(name) not in (None, False, "")
            }
            entries.append(
                new_entry(
                    "unlink",
                    records._name,
                    res_id=res_id,
                    subject=self._subject(
                        records, res_id, subject_column and old.get(subject_column)
                    ),
                    field_names=",".join(changes),
                    changes=changes,
                )
            )
        self._queue(entries)

    @api.model
    def _log_data_access(self, operation, records, field_names):
        """One entry for an export or a lookup of ``records``: who, which
        fields, how many records and which ids; no values."""
        self._queue(
            [
                self._new_entry(
                    operation,
                    records._name,
                    res_id=records.id if len(records) == 1 else None,
                    subject=(records._name, records.id)
                    if len(records) == 1 and records._name == "res.partner"
                    else None,
                    field_names=",".join(field_names),
                    record_count=len(records),
                    res_ids=",".join(map(str, records.ids)),
                )
            ]
        )

    # ------------------------------------------------------------------
    # Writing and sealing
    # ------------------------------------------------------------------

    @api.model
    def _subject_companies(self, subjects):
        """``{(model, id): company id or None}`` of the people entries are
        about: an entry belongs to the company of its person's record (a
        contact shared between companies belongs to none), not to the
        company the writer happened to work in. A query per model."""
        by_model = {}
        for model_name, res_id in subjects:
            by_model.setdefault(model_name, []).append(res_id)
        result = {}
        for model_name, ids in by_model.items():
            model = self.env.registry.get(model_name)
            field = model is not None and model._fields.get("company_id")
            if not (field and field.store):
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT id, company_id FROM %s WHERE id = ANY(%s)",
                    SQL.identifier(model._table),
                    ids,
                )
            )
            result.update(
                ((model_name, res_id), company_id)
                for res_id, company_id in self.env.cr.fetchall()
            )
        return result

    @api.model
    def _write_queue(self):
        """Write the entries the transaction collected, values encrypted with
        the key of their person: a few queries whatever their number."""
        cr = self.env.cr
        pending = cr.precommit.data.pop(PENDING, None)
        if not pending:
            return
        subjects = {entry["subject"] for entry in pending if entry["subject"]}
        ciphers = self.env["gdpr.subject.key"]._live_ciphers(subjects)
        companies = self._subject_companies(subjects)
        columns = {column: [] for column in INSERTED_COLUMNS}
        for entry in pending:
            if entry["subject"] in companies:
                entry["company_id"] = companies[entry["subject"]]
            key_id, cipher = ciphers.get(entry["subject"], (None, None))
            payload = None
            if cipher is not None and entry["changes"] is not None:
                payload = cipher.encrypt(json.dumps(entry["changes"]).encode())
            for column, value in (
                ("subject_key_id", key_id),
                ("payload", payload),
                *((column, entry[column]) for column in ENTRY_COLUMNS),
            ):
                columns[column].append(value)
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT * FROM unnest(%s)",
                SQL.identifier(self._table),
                SQL(", ").join(map(SQL.identifier, columns)),
                SQL(", ").join(
                    SQL("%s::%s[]", values, SQL(INSERTED_COLUMNS[column]))
                    for column, values in columns.items()
                ),
            )
        )
        if "crm_gdpr.seal" not in cr.postcommit.data:
            cr.postcommit.data["crm_gdpr.seal"] = True
            cr.postcommit.add(self._seal_after_commit)

    @api.model
    def _flush_trail(self):
        """Write what the current transaction collected so far, and seal
        what others committed (in a transaction of its own)."""
        self.env.flush_all()
        self.with_user(SUPERUSER_ID)._write_queue()
        self._seal_apart()

    def _check_dpo(self):
        check_dpo(
            self.env, _("Only the data protection officer can read the audit trail.")
        )

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def _decrypted_changes(self):
        """``{entry id: changes dict, or None when erased or valueless}``."""
        ciphers = (
            self.env["gdpr.subject.key"]
            .sudo()
            ._ciphers_by_id(set(self.sudo().subject_key_id.ids))
        )
        result = {}
        for entry in self.sudo():
            cipher = ciphers.get(entry.subject_key_id.id)
            changes = None
            if entry.payload and cipher:
                plain = cipher.decrypt(entry.payload)
                changes = json.loads(plain) if plain is not None else None
            result[entry.id] = changes
        self._hide_erased_addresses(result)
        return result

    def _hide_erased_addresses(self, decrypted):
        """Entries of other people's records may hold a copy of an erased
        person's address (another lead's CC), sealed before the erasure
        under their own key: the values cannot change without breaking the
        chain, so they are hidden when read, against the suppression list's
        salted hashes. One query for the whole batch."""
        found = {
            address
            for changes in decrypted.values()
            for pair in (changes or {}).values()
            for value in pair
            if isinstance(value, str)
            for address in EMAIL_IN_TEXT.findall(value)
        }
        if not found:
            return
        Suppression = self.env["gdpr.suppression"].sudo()
        by_hash = {
            next(iter(Suppression._hashes(emails=[address])), None): address
            for address in found
        }
        erased = {
            by_hash[entry.identifier_hash]
            for entry in Suppression.search(
                [("identifier_hash", "in", [h for h in by_hash if h])]
            )
        }
        if not erased:
            return
        pattern = re.compile("|".join(map(re.escape, sorted(erased))), re.IGNORECASE)
        for changes in decrypted.values():
            for pair in (changes or {}).values():
                for index, value in enumerate(pair):
                    if isinstance(value, str):
                        pair[index] = pattern.sub(ERASED_VALUE, value)

    def _compute_display_name(self):
        operations = dict(self._fields["operation"]._description_selection(self.env))
        for entry in self:
            entry.display_name = _(
                "%(operation)s %(model)s #%(entry)s",
                operation=operations.get(entry.operation, ""),
                model=entry.model or "",
                entry=entry.id,
            )

    @api.depends("payload", "subject_key_id")
    def _compute_changes(self):
        decrypted = self._decrypted_changes()
        for entry in self:
            changes = decrypted.get(entry.id)
            entry.values_erased = bool(entry.payload) and changes is None
            if entry.values_erased:
                entry.changes_display = _("The values were erased with the person.")
            elif changes:
                entry.changes_display = "\n".join(
                    f"{entry._field_label(name)}: {entry._format_value(old)} → "
                    f"{entry._format_value(new)}"
                    for name, (old, new) in changes.items()
                )
            else:
                entry.changes_display = False

    def _field_label(self, name):
        model = self.env.registry.get(self.model)
        field = model is not None and model._fields.get(name)
        return f"{field.string} ({name})" if field else name

    @staticmethod
    def _format_value(value):
        return "∅" if value in (None, False, "") else str(value)

    def _to_dict(self, changes):
        self.ensure_one()
        return {
            "id": self.id,
            "date": fields.Datetime.to_string(self.date),
            "user_id": self.user_id.id,
            "user": self.user_id.sudo().display_name,
            "operation": self.operation,
            "interface": self.interface,
            "model": self.model,
            "res_id": self.res_id,
            "person_key_id": self.subject_key_id.id,
            "partner_id": self.partner_id.id,
            "fields": self.field_names.split(",") if self.field_names else [],
            "changes": changes,
            "values_erased": bool(self.payload) and changes is None,
            "record_count": self.record_count,
            "res_ids": [int(i) for i in self.res_ids.split(",")]
            if self.res_ids
            else [],
            "link": self.seal_seq,
            "prev_hash": self.prev_hash,
            "hash": self.entry_hash,
        }

    @api.model
    def read_trail(self, domain=None, limit=80, offset=0):
        """The trail's entries matching ``domain``, newest first, with their
        decrypted values; for the DPO only."""
        self._check_dpo()
        self._flush_trail()
        entries = self.search(domain or [], limit=limit, offset=offset)
        decrypted = entries._decrypted_changes()
        return [rpc_safe(entry._to_dict(decrypted[entry.id])) for entry in entries]
