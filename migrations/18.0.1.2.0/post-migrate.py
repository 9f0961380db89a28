"""One spelling of the anonymising end action: retention used "anonymize"
while the erasure, its log and its results use "anonymise"."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for model_name, column in (
        ("gdpr.purpose", "retention_end_action"),
        ("gdpr.retention.line", "action"),
    ):
        cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE %s = %s",
                SQL.identifier(env[model_name]._table),
                SQL.identifier(column),
                "anonymise",
                SQL.identifier(column),
                "anonymize",
            )
        )
