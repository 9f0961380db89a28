"""The tables of models in raw SQL: always the model's ``_table``, never a
name written by hand."""

from odoo.tools import SQL


def table(env, model_name):
    """The SQL identifier of the table of ``model_name``."""
    return SQL.identifier(env[model_name]._table)


def tables(env, **model_names):
    """``{key: SQL identifier of the model's table}``, for the named
    arguments of an ``SQL`` query."""
    return {key: table(env, name) for key, name in model_names.items()}
