from odoo import api, fields, models
from odoo.tools import SQL


class ResUsersPasswordHistory(models.Model):
    """The hashes of a user's last passwords, to refuse their reuse. Only
    the number the settings ask for is kept; nobody reads them but the
    password check itself (no access rule grants them to any group)."""

    _name = "res.users.password.history"
    _description = "Previous Password Hashes"
    _order = "id desc"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    password_hash = fields.Char(required=True, readonly=True)

    @api.model
    def _last_hashes(self, user, keep):
        """The user's current hash and the last ``keep`` ones recorded (the
        current one is among them once the history is on)."""
        self.env.cr.execute(
            SQL(
                """SELECT password FROM %(users)s
                    WHERE id = %(uid)s AND password IS NOT NULL
                   UNION ALL
                   (SELECT password_hash FROM %(history)s
                     WHERE user_id = %(uid)s ORDER BY id DESC LIMIT %(keep)s)""",
                users=SQL.identifier(user._table),
                history=SQL.identifier(self._table),
                uid=user.id,
                keep=keep,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _record(self, users, keep):
        """Keep the new hashes of ``users`` and forget what is beyond the
        last ``keep``."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(history)s
                       (user_id, password_hash, create_uid, create_date,
                        write_uid, write_date)
                   SELECT id, password, %(uid)s, now() at time zone 'UTC',
                          %(uid)s, now() at time zone 'UTC'
                     FROM %(users)s WHERE id IN %(ids)s AND password IS NOT NULL""",
                history=SQL.identifier(self._table),
                users=SQL.identifier(users._table),
                uid=self.env.uid,
                ids=tuple(users.ids),
            )
        )
        self.env.cr.execute(
            SQL(
                """DELETE FROM %(history)s h
                    USING (SELECT id, row_number() OVER (
                                  PARTITION BY user_id ORDER BY id DESC) AS rank
                             FROM %(history)s
                            WHERE user_id IN %(ids)s) ranked
                    WHERE h.id = ranked.id AND ranked.rank > %(keep)s""",
                history=SQL.identifier(self._table),
                ids=tuple(users.ids),
                keep=keep,
            )
        )
