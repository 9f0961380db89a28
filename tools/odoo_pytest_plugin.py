"""pytest plugin of the Odoo layer, used next to pytest-odoo.

Load it with ``-p odoo_pytest_plugin`` (``tools/`` on ``PYTHONPATH``). It:

* collects the tests that Odoo's own runner runs for an add-on, and only
  those: the classes defined in a ``test_*`` module that the add-on's
  ``tests/__init__.py`` imports, the ``test*`` methods those classes define
  themselves, tagged ``standard`` and ``at_install`` or ``post_install`` (see
  odoo/tests/loader.py and tag_selector.py); pytest alone would also run the
  test classes a module imports and the methods a class inherits;
* deselects, with their reason, the few stock tests listed in ``DESELECTED``;
* fails the test during which Odoo logged an ERROR or CRITICAL record that no
  ``assertLogs`` or ``mute_logger`` caught, and a WARNING too for the
  add-ons named by ``--odoo-strict-log``; a record logged outside any test
  fails the run.
"""

import importlib
import logging
import sys

import pytest

# Stock tests that cannot run under pytest-odoo, by node id suffix, with the
# reason. Keep this list short and explain every line.
DESELECTED = {}

_RECORDS = pytest.StashKey()
_DESELECTED_KEY = pytest.StashKey()
_COUNTS_KEY = pytest.StashKey()
_LEFT_KEY = pytest.StashKey()


def pytest_addoption(parser):
    group = parser.getgroup("crm_gdpr", "Odoo layer of the crm_gdpr test command")
    group.addoption(
        "--odoo-strict-log",
        default="",
        help="comma-separated add-ons whose tests also fail on a logged WARNING",
    )
    group.addoption(
        "--odoo-install-log",
        default="",
        help="log of the database's installation, checked by tools/odoo_checks",
    )
    group.addoption(
        "--odoo-installed",
        default="",
        help="comma-separated add-ons that tools/odoo_checks expects installed",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    """pytest-odoo imports ``odoo.tests`` before any test runs, which makes
    Odoo log an ERROR ("Importing test framework ... when not running in test
    mode"): import it first, in test mode."""
    if config.getoption("--odoo-database", None):
        odoo_config = importlib.import_module("odoo.tools").config
        odoo_config["test_enable"] = True
        importlib.import_module("odoo.tests")
        odoo_config["test_enable"] = False
    return (yield)


class LogWatch(logging.Handler):
    """Keeps the WARNING and worse records that reach the root logger."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def take(self):
        records, self.records = self.records, []
        return records


def pytest_configure(config):
    if not config.getoption("--odoo-database", None):
        return
    watch = LogWatch()
    logging.getLogger().addHandler(watch)
    config.stash[_RECORDS] = watch


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    """The test being run, as Odoo's suite sets it (odoo/tests/suite.py)
    before the set-up of its class: code of Odoo and of the add-on reads it,
    e.g. to skip a commit or the sending of an e-mail during tests."""
    if _RECORDS in item.config.stash and getattr(item, "cls", None) is not None:
        importlib.import_module("odoo.modules.module").current_test = item.instance
    return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if _RECORDS in item.config.stash:
            importlib.import_module("odoo.modules.module").current_test = False


def _addon(item):
    name = getattr(getattr(item, "module", None), "__name__", "") or ""
    parts = name.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["odoo", "addons"] else None


def _run_by_odoo(item, selectors):
    """Whether Odoo's loader would run this test of its add-on."""
    addon, cls, module = _addon(item), getattr(item, "cls", None), item.module
    if addon is None or cls is None:
        return True
    if cls.__module__ != module.__name__:
        return False
    allow_inherited = getattr(cls, "allow_inherited_tests_method", False)
    if item.originalname not in vars(cls) and not allow_inherited:
        return False
    # Odoo runs the modules that the add-on's tests package holds as test_*
    package = getattr(sys.modules.get(f"odoo.addons.{addon}.tests"), "__dict__", {})
    if not any(
        name.startswith("test_") and value is module for name, value in package.items()
    ):
        return False
    tag_selector = importlib.import_module("odoo.tests.tag_selector")
    if addon not in selectors:
        selectors[addon] = tag_selector.TagsSelector(f"/{addon}")
    test = cls(item.originalname)
    if not selectors[addon].check(test):
        return False
    return any(
        tag_selector.TagsSelector(position).check(test)
        for position in ("at_install", "post_install")
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("--odoo-database", None):
        return
    kept, dropped, selectors = [], [], {}
    for item in items:
        reason = next(
            (why for key, why in DESELECTED.items() if item.nodeid.endswith(key)),
            None,
        )
        if reason is None and _run_by_odoo(item, selectors):
            kept.append(item)
        else:
            dropped.append(item)
            if reason:
                config.stash.setdefault(_DESELECTED_KEY, []).append(
                    (item.nodeid, reason)
                )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    counts = {}
    for item in kept:
        addon = _addon(item) or "checks"
        counts[addon] = counts.get(addon, 0) + 1
    config.stash[_COUNTS_KEY] = counts


def _format(records):
    lines = []
    for record in records:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            message += "\n" + record.exc_text
        lines.append(f"{record.levelname} {record.name}: {message}")
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    watch = item.config.stash.get(_RECORDS, None)
    if watch is None:
        return report
    strict = set(filter(None, item.config.getoption("--odoo-strict-log").split(",")))
    level = logging.WARNING if _addon(item) in strict else logging.ERROR
    bad = [record for record in watch.take() if record.levelno >= level]
    if call.when == "setup" and report.passed:
        # records of the set-up (e.g. setUpClass) fail the test itself
        item.stash[_RECORDS] = bad
        return report
    if call.when == "call":
        bad = item.stash.get(_RECORDS, []) + bad
    if bad:
        text = _format(bad)
        title = f"Odoo logged {len(bad)} record(s) at {logging.getLevelName(level)}"
        if report.passed:
            report.outcome = "failed"
            report.longrepr = f"{title} or above:\n{text}"
        else:
            report.sections.append((title, text))
    return report


def pytest_sessionfinish(session, exitstatus):
    watch = session.config.stash.get(_RECORDS, None)
    if watch is None:
        return
    left = [r for r in watch.take() if r.levelno >= logging.ERROR]
    if left:
        session.config.stash[_LEFT_KEY] = left
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = config.stash.get(_COUNTS_KEY, None)
    if counts:
        terminalreporter.write_line(
            "tests selected as Odoo's runner does: "
            + ", ".join(f"{addon} {n}" for addon, n in sorted(counts.items()))
        )
    for nodeid, reason in config.stash.get(_DESELECTED_KEY, []):
        terminalreporter.write_line(f"deselected {nodeid}: {reason}")
    left = config.stash.get(_LEFT_KEY, None)
    if left:
        terminalreporter.write_sep("=", "Odoo logged errors outside any test")
        terminalreporter.write_line(_format(left))
