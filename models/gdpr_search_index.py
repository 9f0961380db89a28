import logging
import time

from psycopg2 import errors

from odoo import api, models
from odoo.tools import SQL, sql

from .gdpr_footprint import searched_expression

_logger = logging.getLogger(__name__)

# the free-text columns searched for mentions of a person, per model: each
# gets one trigram index over the expression ``find_mentions`` searches
SEARCHED_COLUMNS = {
    "mail.message": ("body", "subject", "email_from", "reply_to", "record_name"),
    "mail.tracking.value": (
        "old_value_char",
        "new_value_char",
        "old_value_text",
        "new_value_text",
    ),
    "ir.attachment": ("name", "index_content"),
    "mail.mail": ("email_to", "email_cc", "body_html"),
    "calendar.event": ("name", "description", "location"),
}
# columns searched for copies of an e-mail address, one trigram index each
# (crm.lead's email_from has Odoo's)
COPY_COLUMNS = {
    "res.partner": ("email", "comment"),
    "crm.lead": ("email_cc", "description"),
}
# phone columns found through the last digits of their number
PHONE_COLUMNS = {
    "res.partner": ("phone", "mobile"),
    "crm.lead": ("phone", "mobile"),
}
PHONE_TAIL = 7
# plain indexes the person finder's exact lookups need and Odoo lacks
# (model, kind of the index's name, indexed expression)
EXACT_INDEXES = (
    ("res.partner", "email", SQL.identifier("email_normalized")),
    ("res.partner", "lower_name", SQL("lower(%s)", SQL.identifier("name"))),
    ("res.partner", "lower_street", SQL("lower(%s)", SQL.identifier("street"))),
    (
        "crm.lead",
        "lower_contact_name",
        SQL("lower(%s)", SQL.identifier("contact_name")),
    ),
    ("crm.lead", "lower_street", SQL("lower(%s)", SQL.identifier("street"))),
    ("calendar.attendee", "partner", SQL.identifier("partner_id")),
)


def phone_tail_expression(column):
    """The last digits of a phone column, as its expression index holds
    them."""
    return SQL(
        "RIGHT(regexp_replace(COALESCE(%s, ''), '[^0-9]', '', 'g'), %s)",
        SQL.identifier(column),
        PHONE_TAIL,
    )


def phone_candidates(Model, columns, tails):
    """The rows of ``Model`` whose phone columns end with one of ``tails``:
    id, the numbers, and the code of the record's country."""
    table = Model._table
    country_table = Model.env["res.country"]._table
    return SQL(
        """SELECT id, %s, (SELECT code FROM %s WHERE id = country_id)
             FROM %s WHERE %s""",
        SQL(", ").join(map(SQL.identifier, columns)),
        SQL.identifier(country_table),
        SQL.identifier(table),
        SQL(" OR ").join(
            SQL("%s = ANY(%s)", phone_tail_expression(column), tails)
            for column in columns
        ),
    )


class GdprSearchIndex(models.AbstractModel):
    """The indexes the person finder reads instead of every row: trigram
    (pg_trgm) indexes over the free text searched for mentions, and indexes
    of the last digits of phone numbers. Made at install and upgrade, if
    they do not exist; without the pg_trgm extension the finder still
    works, by reading the tables."""

    _name = "gdpr.search.index"
    _description = "Search Indexes of the Person Finder"

    def init(self):
        self._create_indexes()

    @api.model
    def _index_name(self, table, kind):
        return f"{table}_crm_gdpr_{kind}_idx"

    @api.model
    def _has_trigram(self):
        cr = self.env.cr
        cr.execute(SQL("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"))
        if cr.fetchone():
            return True
        try:
            with cr.savepoint():
                cr.execute(SQL("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            return True
        except (errors.InsufficientPrivilege, errors.UndefinedFile) as error:
            _logger.warning(
                "The pg_trgm extension cannot be created (%s): the person "
                "finder of crm_gdpr reads every message instead of using an "
                "index. Ask the database administrator to run "
                "CREATE EXTENSION pg_trgm.",
                error,
            )
            return False

    @api.model
    def _create_indexes(self):
        """Create the missing indexes; returns ``{index name: seconds}``."""
        cr = self.env.cr
        made = {}
        for model_name, columns in PHONE_COLUMNS.items():
            table = self.env[model_name]._table
            for column in columns:
                name = self._index_name(table, f"{column}_tail")
                made.update(
                    self._create_index(name, table, phone_tail_expression(column))
                )
        for model_name, kind, expression in EXACT_INDEXES:
            table = self.env[model_name]._table
            name = self._index_name(table, kind)
            made.update(self._create_index(name, table, expression))
        if not self._has_trigram():
            return made
        for model_name, columns in SEARCHED_COLUMNS.items():
            if model_name not in self.env:
                continue
            model = self.env[model_name]
            columns = [
                c for c in columns if c in model._fields and model._fields[c].store
            ]
            name = self._index_name(model._table, "text")
            made.update(
                self._create_index(
                    name, model._table, searched_expression(columns), trigram=True
                )
            )
        for model_name, columns in COPY_COLUMNS.items():
            table = self.env[model_name]._table
            for column in columns:
                name = self._index_name(table, f"{column}_trgm")
                made.update(
                    self._create_index(
                        name, table, SQL.identifier(column), trigram=True
                    )
                )
        for name in made:
            table = name.split("_crm_gdpr_")[0]
            cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
        return made

    @api.model
    def _create_index(self, name, table, expression, trigram=False):
        """Create the index ``name`` on ``expression`` of ``table`` (a GIN
        trigram index with ``trigram``) unless it exists: ``{name: seconds}``
        or ``{}``."""
        cr = self.env.cr
        if sql.index_exists(cr, name):
            return {}
        start = time.monotonic()
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON %s %s",
                SQL.identifier(name),
                SQL.identifier(table),
                SQL("USING gin (%s gin_trgm_ops)", expression)
                if trigram
                else SQL("((%s))", expression),
            )
        )
        seconds = time.monotonic() - start
        _logger.info("crm_gdpr: index %s created in %.1f s", name, seconds)
        return {name: seconds}
