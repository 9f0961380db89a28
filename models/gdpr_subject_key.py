import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from odoo import _, api, fields, models
from odoo.tools import SQL


class SubjectCipher:
    """AES-256-GCM with the key of one person: authenticated encryption,
    a random 96-bit nonce per value, stored as base64(nonce + ciphertext)."""

    def __init__(self, secret):
        self._aead = AESGCM(base64.b64decode(secret))

    @staticmethod
    def new_secret():
        return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()

    def encrypt(self, data):
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, None)).decode()

    def decrypt(self, token):
        """The plain bytes, or None when the token was not made with this key
        or was altered."""
        raw = base64.b64decode(token)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], None)
        except InvalidTag:
            return None


class GdprSubjectKey(models.Model):
    """The key that encrypts the values of one person in the audit trail.

    Destroying it at erasure makes every value the trail holds about the
    person unreadable while the entries themselves (who, when, which field)
    and the hash chain stay intact.
    """

    _name = "gdpr.subject.key"
    _description = "Audit Trail Subject Key"

    subject_model = fields.Char(required=True, readonly=True, index=True)
    subject_res_id = fields.Integer(required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", readonly=True, index=True, ondelete="set null"
    )
    secret = fields.Char(readonly=True, groups="base.group_system", copy=False)
    destroyed_date = fields.Datetime(readonly=True)

    def init(self):
        # a subject has one live key; destroyed keys stay as a record
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s "
                "ON %s (subject_model, subject_res_id) WHERE destroyed_date IS NULL",
                SQL.identifier(f"{self._table}_live_uniq"),
                SQL.identifier(self._table),
            )
        )

    def _compute_display_name(self):
        for key in self:
            if key.destroyed_date:
                key.display_name = _("Erased person (%s)", key.id)
                continue
            record = (
                self.env[key.subject_model].sudo().browse(key.subject_res_id).exists()
            )
            key.display_name = record.display_name or _(
                "Deleted %(model)s %(id)s",
                model=key.subject_model,
                id=key.subject_res_id,
            )

    @api.model
    def _live_ciphers(self, subjects):
        """``{(model, res_id): (key_id, SubjectCipher)}`` for the subjects,
        creating the missing keys: two queries whatever their number."""
        if not subjects:
            return {}
        cr = self.env.cr
        models, res_ids = map(list, zip(*subjects, strict=True))
        cr.execute(
            SQL(
                """SELECT k.id, k.subject_model, k.subject_res_id, k.secret
                     FROM %s k
                     JOIN unnest(%s::varchar[], %s::int[]) AS s(model, res_id)
                       ON k.subject_model = s.model AND k.subject_res_id = s.res_id
                    WHERE k.destroyed_date IS NULL""",
                SQL.identifier(self._table),
                models,
                res_ids,
            )
        )
        found = {
            (model, res_id): (key_id, secret)
            for key_id, model, res_id, secret in cr.fetchall()
        }
        missing = [subject for subject in subjects if subject not in found]
        if missing:
            models, res_ids = map(list, zip(*missing, strict=True))
            secrets = [SubjectCipher.new_secret() for _subject in missing]
            Partner = self.env["res.partner"]
            cr.execute(
                SQL(
                    """INSERT INTO %(table)s
                         (subject_model, subject_res_id, partner_id, secret,
                          create_uid, create_date, write_uid, write_date)
                       SELECT s.model, s.res_id, p.id, s.secret,
                              %(uid)s, now() at time zone 'UTC',
                              %(uid)s, now() at time zone 'UTC'
                         FROM unnest(%(models)s::varchar[], %(res_ids)s::int[],
                                     %(secrets)s::varchar[]) AS s(model, res_id, secret)
                         LEFT JOIN %(partners)s p
                           ON s.model = %(partner_model)s AND p.id = s.res_id
                    RETURNING id, subject_model, subject_res_id, secret""",
                    table=SQL.identifier(self._table),
                    uid=self.env.uid,
                    models=models,
                    res_ids=res_ids,
                    secrets=secrets,
                    partners=SQL.identifier(Partner._table),
                    partner_model=Partner._name,
                )
            )
            found.update(
                {
                    (model, res_id): (key_id, secret)
                    for key_id, model, res_id, secret in cr.fetchall()
                }
            )
        return {
            subject: (key_id, SubjectCipher(secret))
            for subject, (key_id, secret) in found.items()
        }

    @api.model
    def _ciphers_by_id(self, key_ids):
        """``{key_id: SubjectCipher}`` for the keys that are not destroyed."""
        if not key_ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, secret FROM %s "
                "WHERE id = ANY(%s) AND destroyed_date IS NULL",
                SQL.identifier(self._table),
                list(key_ids),
            )
        )
        return {
            key_id: SubjectCipher(secret) for key_id, secret in self.env.cr.fetchall()
        }

    @api.model
    def _destroy(self, subjects):
        """Destroy the live keys of ``subjects`` [(model, res_id)]: the trail's
        values about them become unreadable for good. Returns the keys."""
        if not subjects:
            return self.browse()
        values = SQL(", ").join(
            SQL("(%s, %s)", model, res_id) for model, res_id in subjects
        )
        self.env.cr.execute(
            SQL(
                """UPDATE %s k
                      SET secret = NULL, partner_id = NULL,
                          destroyed_date = now() at time zone 'UTC',
                          write_date = now() at time zone 'UTC', write_uid = %s
                     FROM (VALUES %s) AS s(model, res_id)
                    WHERE k.subject_model = s.model AND k.subject_res_id = s.res_id
                      AND k.destroyed_date IS NULL
                RETURNING k.id""",
                SQL.identifier(self._table),
                self.env.uid,
                values,
            )
        )
        keys = self.browse([row[0] for row in self.env.cr.fetchall()])
        keys.invalidate_recordset()
        return keys
