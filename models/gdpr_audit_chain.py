"""The hash chain of the audit trail: sealing, verification, purge, anchor.

Each entry's hash covers its columns and the previous entry's hash. Since
layout 2 the hash is an HMAC whose key lives outside the database (the
server configuration, or a file in the database's filestore), so that
whoever can write the database cannot rebuild the chain; and the head of
the chain is exported to a file beside it, so that cutting off the newest
entries is seen too. Entries keep the layout they were hashed under: those
written before a change of columns keep verifying.
"""

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from pathlib import Path

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL, config

from .gdpr_audit_entry import HASH_VERSION
from .gdpr_audit_entry import _plain as plain_value

_logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# the months the trail is kept (0: for ever)
RETENTION_PARAM = "crm_gdpr.audit_retention_months"
# pg_advisory_xact_lock key that serialises the sealing of the chain
SEAL_LOCK = 8_317_540_117
# the server configuration option holding the key of the chain
KEY_OPTION = "crm_gdpr_audit_key"
# seconds between two exports of the head after a sealing
HEAD_INTERVAL = 300

# the columns each layout of the hash covers, in this order
_LAYOUT_1 = (
    "id",
    "seal_seq",
    "date",
    "user_id",
    "operation",
    "interface",
    "model",
    "res_id",
    "subject_key_id",
    "field_names",
    "payload",
    "record_count",
    "res_ids",
    "anchor_seq",
    "anchor_hash",
)
HASH_LAYOUTS = {
    1: _LAYOUT_1,  # plain SHA-256
    2: (*_LAYOUT_1, "company_id", "hash_version"),  # HMAC-SHA256, keyed
}
assert HASH_VERSION in HASH_LAYOUTS
SELECTED = SQL(", ").join(
    map(
        SQL.identifier,
        sorted(
            {c for layout in HASH_LAYOUTS.values() for c in layout}
            | {"prev_hash", "entry_hash"}
        ),
    )
)


class ChainKeyMissing(Exception):
    """Entries were hashed with a key this server does not have."""


def entry_hash(prev_hash, row, key):
    """The hash of ``row`` (a dict of columns) under its own layout."""
    version = row.get("hash_version") or 1
    values = [row["id"], row["seal_seq"], *(row[c] for c in HASH_LAYOUTS[version][2:])]
    canonical = json.dumps([prev_hash, *map(plain_value, values)]).encode()
    if version == 1:
        return hashlib.sha256(canonical).hexdigest()
    if key is None:
        raise ChainKeyMissing()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


class GdprAuditEntry(models.Model):
    _inherit = "gdpr.audit.entry"

    # ------------------------------------------------------------------
    # The key and the exported head, outside the database
    # ------------------------------------------------------------------

    def _chain_dir(self):
        return Path(config.filestore(self.env.cr.dbname)) / "crm_gdpr"

    def _chain_key(self, create=False):
        """The HMAC key of the chain: the server option ``crm_gdpr_audit_key``
        or the key file of the database's filestore, made on first use. A
        key that is lost is never replaced while keyed links exist: they
        could no longer be told from forged ones."""
        if configured := config.get(KEY_OPTION):
            return configured.encode()
        path = self._chain_dir() / "audit_chain.key"
        if path.exists():
            return path.read_bytes().strip()
        if not create:
            return None
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM %s WHERE hash_version > 1 AND seal_seq IS NOT NULL "
                "LIMIT 1",
                SQL.identifier(self._table),
            )
        )
        if self.env.cr.fetchone():
            raise ChainKeyMissing()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_hex(32).encode())
        return path.read_bytes().strip()

    def _heads_path(self):
        return self._chain_dir() / "audit_chain_heads.jsonl"

    def _newest_link_query(self):
        return SQL(
            "SELECT seal_seq, entry_hash FROM %s WHERE seal_seq IS NOT NULL "
            "ORDER BY seal_seq DESC LIMIT 1",
            SQL.identifier(self._table),
        )

    def _chain_head(self):
        """The newest link: ``{"date", "seq", "hash"}``, or None."""
        cr = self.env.cr
        cr.execute(self._newest_link_query())
        row = cr.fetchone()
        if not row:
            return None
        return {
            "date": fields.Datetime.to_string(cr.now()),
            "seq": row[0],
            "hash": row[1],
        }

    def _append_export(self, line):
        path = self._heads_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as file:
            file.write(json.dumps(line) + "\n")

    def _export_head(self, head, min_interval=0):
        """Append ``head`` to the heads file when the chain moved on (and the
        last export is ``min_interval`` seconds old): the file outlives a
        database restored without its newest entries, and shows that they
        were cut off. Called once the sealing committed."""
        last = self._last_exported_head()
        if not head or (last and last["seq"] >= head["seq"]):
            return
        if last and min_interval:
            age = fields.Datetime.from_string(head["date"]) - (
                fields.Datetime.from_string(last["date"])
            )
            if age.total_seconds() < min_interval:
                return
        self._append_export(head)
        _logger.info("Audit trail head: link %(seq)s, hash %(hash)s", head)

    def _export_purge(self, anchor_seq, anchor_hash, date):
        """Append a purge's anchor: verification accepts only the anchors
        it finds here, so that a forged purge cannot hide removed links."""
        self._append_export({"date": date, "purge": anchor_seq, "hash": anchor_hash})

    def _exported(self):
        """``(heads, purge anchors)`` of the heads file."""
        path = self._heads_path()
        if not path.exists():
            return [], set()
        lines = [json.loads(line) for line in path.read_text().splitlines() if line]
        heads = [line for line in lines if "seq" in line]
        anchors = {(line["purge"], line["hash"]) for line in lines if "purge" in line}
        return heads, anchors

    def _last_exported_head(self):
        """The newest exported head, read from the end of the file."""
        path = self._heads_path()
        if not path.exists():
            return None
        start = max(0, path.stat().st_size - 8192)
        with path.open("rb") as file:
            file.seek(start)
            lines = file.read().decode().splitlines()[1 if start else 0 :]
        heads = [json.loads(line) for line in lines if '"seq"' in line]
        return heads[-1] if heads else None

    # ------------------------------------------------------------------
    # Sealing
    # ------------------------------------------------------------------

    @api.model
    def _seal_chain(self, wait=True):
        """Link the unsealed entries into the hash chain, in id order.
        Returns how many were sealed. Run it in a transaction of its own
        (:meth:`_seal_apart`): it updates entries that other transactions
        committed."""
        cr = self.env.cr
        lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        cr.execute(SQL("SELECT %s(%s)", SQL(lock), SEAL_LOCK))
        if not wait and not cr.fetchone()[0]:
            return 0
        cr.execute(self._newest_link_query())
        seq, prev_hash = cr.fetchone() or (0, GENESIS)
        key = None
        sealed = 0
        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE seal_seq IS NULL ORDER BY id LIMIT 5000",
                    SELECTED,
                    SQL.identifier(self._table),
                )
            )
            rows = cr.dictfetchall()
            if not rows:
                break
            if key is None and any((r["hash_version"] or 1) > 1 for r in rows):
                key = self._chain_key(create=True)
            ids, seqs, prevs, hashes = [], [], [], []
            for row in rows:
                seq += 1
                row["seal_seq"] = seq
                link_hash = entry_hash(prev_hash, row, key)
                ids.append(row["id"])
                seqs.append(seq)
                prevs.append(prev_hash)
                hashes.append(link_hash)
                prev_hash = link_hash
            cr.execute(
                SQL(
                    """UPDATE %s e
                          SET seal_seq = l.seq, prev_hash = l.prev, entry_hash = l.hash
                         FROM unnest(%s::int4[], %s::int4[], %s::varchar[],
                                     %s::varchar[]) AS l(id, seq, prev, hash)
                        WHERE e.id = l.id""",
                    SQL.identifier(self._table),
                    ids,
                    seqs,
                    prevs,
                    hashes,
                )
            )
            sealed += len(rows)
        if sealed:
            self.invalidate_model(["seal_seq", "prev_hash", "entry_hash"])
        return sealed

    @api.model
    def _seal_apart(self):
        """Seal what other transactions committed, in a transaction of its
        own: sealing inside a long transaction would update entries that
        concurrent ones committed after it started (a serialization failure
        under REPEATABLE READ). A sealer already at work is left to it."""
        testing = getattr(threading.current_thread(), "testing", False)
        if testing or self.env.registry.in_test_mode():
            # tests never commit: what they wrote is sealed where they are,
            # and no head of theirs goes out to outlive their rollback
            self._seal_chain(wait=False)
            return
        try:
            with self.env.registry.cursor() as cr:
                sealer = self.with_env(self.env(cr=cr))
                head = sealer._seal_chain(wait=False) and sealer._chain_head()
            # committed: the head goes out, at most every few minutes
            self._export_head(head, min_interval=HEAD_INTERVAL)
        except Exception:  # noqa: BLE001 - sealing is retried later
            _logger.info("Audit trail sealing postponed", exc_info=True)

    def _seal_after_commit(self):
        self._seal_apart()

    @api.model
    def _cron_seal(self):
        self._seal_chain()
        head = self._chain_head()
        self.env.cr.postcommit.add(lambda: self._export_head(head))

    # ------------------------------------------------------------------
    # Verification
    # ------------------------------------------------------------------

    @api.model
    def verify_chain(self):
        """Check every link of the chain, from the oldest entry kept, and
        that the newest exported head is still there.

        Returns ``{"valid", "checked", "first_broken_id", "reason"}``.
        """
        self._check_dpo()
        self._flush_trail()
        try:
            return self._verify_links()
        except ChainKeyMissing:
            return {
                "valid": False,
                "checked": 0,
                "first_broken_id": False,
                "reason": _(
                    "The key of the chain is not on this server: restore the "
                    "filestore of the database with it, or set the server "
                    "option %s.",
                    KEY_OPTION,
                ),
            }

    def _verify_links(self):
        cr = self.env.cr
        # after a purge the chain starts at the link its anchor names
        cr.execute(
            SQL(
                "SELECT anchor_seq, anchor_hash FROM %s WHERE operation = 'purge' "
                "AND seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1",
                SQL.identifier(self._table),
            )
        )
        anchor_seq, prev_hash = cr.fetchone() or (0, GENESIS)
        expected_seq = anchor_seq + 1
        key = self._chain_key()
        checked, last_seq = 0, 0
        keyed = False  # once a link is keyed, every later one must be
        hashes_seen = {}
        heads, anchors = self._exported()
        head = heads[-1] if heads else None

        def broken(entry_id, reason):
            return {
                "valid": False,
                "checked": checked,
                "first_broken_id": entry_id,
                "reason": reason,
            }

        # a purge anchor the heads file does not know hides removed links
        if anchor_seq and heads and anchor_seq > heads[0]["seq"]:
            if (anchor_seq, prev_hash) not in anchors:
                return broken(
                    False,
                    _(
                        "The purge anchored at link %s is not among the exported "
                        "ones: entries were removed.",
                        anchor_seq,
                    ),
                )

        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE seal_seq > %s "
                    "ORDER BY seal_seq LIMIT 10000",
                    SELECTED,
                    SQL.identifier(self._table),
                    last_seq,
                )
            )
            rows = cr.dictfetchall()
            if not rows:
                break
            for row in rows:
                seq = row["seal_seq"]
                if seq != expected_seq:
                    return broken(
                        row["id"],
                        _(
                            "Links %(first)s to %(last)s are missing: entries were "
                            "deleted.",
                            first=expected_seq,
                            last=seq - 1,
                        ),
                    )
                if row["prev_hash"] != prev_hash:
                    return broken(
                        row["id"], _("The entry does not follow the previous one.")
                    )
                version = row["hash_version"] or 1
                if keyed and version == 1:
                    return broken(
                        row["id"],
                        _("The entry was hashed again without the key of the chain."),
                    )
                keyed = keyed or version > 1
                if entry_hash(prev_hash, row, key) != row["entry_hash"]:
                    return broken(
                        row["id"], _("The entry was altered after it was written.")
                    )
                if head and seq == head["seq"]:
                    hashes_seen[seq] = row["entry_hash"]
                checked += 1
                prev_hash = row["entry_hash"]
                expected_seq += 1
                last_seq = seq
        if head and head["seq"] > anchor_seq:
            if head["seq"] > last_seq or hashes_seen.get(head["seq"]) != head["hash"]:
                return broken(
                    False,
                    _(
                        "The newest entries were cut off: link %(seq)s, exported "
                        "on %(date)s, is no longer in the trail.",
                        seq=head["seq"],
                        date=head["date"],
                    ),
                )
        return {
            "valid": True,
            "checked": checked,
            "first_broken_id": False,
            "reason": "",
        }

    @api.model
    def action_verify_chain(self):
        result = self.verify_chain()
        if result["valid"]:
            message = _(
                "The audit trail is intact: %s entries checked.", result["checked"]
            )
        else:
            message = _(
                "The audit trail is broken at entry %(id)s: %(reason)s",
                id=result["first_broken_id"] or "-",
                reason=result["reason"],
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Audit trail verification"),
                "message": message,
                "type": "success" if result["valid"] else "danger",
                "sticky": not result["valid"],
            },
        }

    # ------------------------------------------------------------------
    # Purge
    # ------------------------------------------------------------------

    @api.model
    def _cron_purge(self, batch_size=5000):
        """Purge one batch of entries older than the retention period; the
        scheduled action runs again at once while entries remain."""
        months = int(
            self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, 0)
        )
        if months <= 0:
            return
        cutoff = fields.Datetime.now() - relativedelta(months=months)
        deleted, remaining = self._purge_batch(cutoff, batch_size)
        self.env["ir.cron"]._notify_progress(done=deleted, remaining=remaining)

    @api.model
    def _purge_batch(self, cutoff, batch_size=5000):
        """Delete the oldest entries written before ``cutoff``, at most
        ``batch_size``, and append a purge entry anchoring the chain at the
        last deleted link. The newest link always stays: the next ones are
        sealed after it. Returns ``(deleted, remaining)``."""
        self._flush_trail()
        cr = self.env.cr
        table = SQL.identifier(self._table)
        cr.execute(
            SQL(
                "SELECT LEAST(MIN(seal_seq) FILTER (WHERE date >= %s), MAX(seal_seq)) "
                "FROM %s WHERE seal_seq IS NOT NULL",
                cutoff,
                table,
            )
        )
        first_kept = cr.fetchone()[0]
        # only a prefix of the chain goes, so that what stays still links up
        cr.execute(
            SQL(
                "SELECT seal_seq, entry_hash FROM %s WHERE seal_seq < %s "
                "ORDER BY seal_seq LIMIT %s",
                table,
                first_kept or 0,
                batch_size,
            )
        )
        rows = cr.fetchall()
        if not rows:
            return 0, 0
        last_seq, last_hash = rows[-1]
        cr.execute(SQL("DELETE FROM %s WHERE seal_seq <= %s", table, last_seq))
        date = fields.Datetime.to_string(cr.now())
        cr.postcommit.add(lambda: self._export_purge(last_seq, last_hash, date))
        deleted = cr.rowcount
        self.invalidate_model()
        self._queue(
            [
                self._new_entry(
                    "purge",
                    self._name,
                    record_count=deleted,
                    anchor_seq=last_seq,
                    anchor_hash=last_hash,
                )
            ]
        )
        self._flush_trail()
        cr.execute(
            SQL("SELECT COUNT(*) FROM %s WHERE seal_seq < %s", table, first_kept)
        )
        return deleted, cr.fetchone()[0]
