"""Checks of the database an Odoo-layer run of the test command uses.

Collected by tools/run_tests.py in every pytest-odoo run, with the
options of tools/odoo_pytest_plugin.py: ``--odoo-installed`` (the add-ons the
database must hold installed) and ``--odoo-install-log`` (the log of the
``python3 -m odoo -i ... --stop-after-init`` that created it).
"""

import re
from pathlib import Path

from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name

LOG_LINE = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) \S+ (\S+): ")


def test_addons_installed(pytestconfig):
    expected = set(filter(None, pytestconfig.getoption("--odoo-installed").split(",")))
    assert expected, "--odoo-installed names no add-on"
    with Registry(get_db_name()).cursor() as cr:
        cr.execute(
            "SELECT name FROM ir_module_module WHERE state = 'installed'"
            " AND name IN %s",
            [tuple(expected)],
        )
        installed = {name for (name,) in cr.fetchall()}
    assert installed == expected, f"not installed: {sorted(expected - installed)}"


def test_install_log_has_no_warnings_or_errors(pytestconfig):
    """The installation logged neither a warning nor an error."""
    path = Path(pytestconfig.getoption("--odoo-install-log"))
    assert path.is_file(), f"no installation log at {path}"
    bad = [
        line
        for line in path.read_text(errors="replace").splitlines()
        if LOG_LINE.match(line)
    ]
    assert not bad, "\n".join(bad[:40])
