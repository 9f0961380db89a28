"""The audit trail never used Odoo's create and write columns: a method of
the same name hid ``_log_access = False`` and Odoo added them, always empty."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            "ALTER TABLE gdpr_audit_entry %s",
            SQL(", ").join(
                SQL("DROP COLUMN IF EXISTS %s", SQL.identifier(column))
                for column in ("create_uid", "create_date", "write_uid", "write_date")
            ),
        )
    )
