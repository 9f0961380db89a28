import contextlib
import logging
import os
import re

from psycopg2 import errors

from odoo import api, models
from odoo.tools import SQL, mute_logger

_logger = logging.getLogger(__name__)

PENDING_FILES = "crm_gdpr.remove_files"


class IrAttachment(models.Model):
    """Files of attachments deleted by an erasure or a retention run leave
    the filestore once the transaction commits, instead of waiting for
    Odoo's daily garbage collection (which an administrator may disable).
    Never before the commit, so that a rollback loses nothing, and never a
    file another attachment still refers to."""

    _inherit = "ir.attachment"

    def _file_delete(self, fname):
        super()._file_delete(fname)
        if not self.env.context.get("gdpr_remove_files"):
            return
        postcommit = self.env.cr.postcommit
        pending = postcommit.data.get(PENDING_FILES)
        if pending is None:
            pending = postcommit.data[PENDING_FILES] = set()
            registry, filestore = self.env.registry, self._filestore()
            postcommit.add(
                lambda: self._gdpr_remove_files(registry, filestore, pending)
            )
        pending.add(fname)

    @api.model
    def _gdpr_remove_files(self, registry, filestore, fnames):
        """Remove ``fnames`` from the filestore, in a transaction of its own,
        unless an attachment still refers to them. The lock is Odoo's
        garbage collection's: attachments being created concurrently are
        seen. When it cannot be had at once, the files stay marked for that
        garbage collection."""
        try:
            with mute_logger("odoo.sql_db"), registry.cursor() as cr:
                table = SQL.identifier(self._table)
                cr.execute(SQL("SET LOCAL lock_timeout TO '5s'"))
                cr.execute(SQL("LOCK %s IN SHARE MODE", table))
                cr.execute(
                    SQL(
                        "SELECT store_fname FROM %s WHERE store_fname = ANY(%s)",
                        table,
                        sorted(fnames),
                    )
                )
                kept = {row[0] for row in cr.fetchall()}
                for fname in sorted(set(fnames) - kept):
                    fname = re.sub("[.]", "", fname).strip("/\\")
                    for path in (
                        os.path.join(filestore, fname),
                        os.path.join(filestore, "checklist", fname),
                    ):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(path)
        except errors.LockNotAvailable:
            _logger.info("Files of erased attachments left to the garbage collection")
