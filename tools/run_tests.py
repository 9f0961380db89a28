#!/usr/bin/env python3
"""The crm_gdpr test command: pytest runs, one closing line.

* Static layer, always: ``pytest tools/checks`` (manifest and data files
  consistent, XML well-formed, every model has access rules, translations
  complete, ruff and pylint-odoo clean, the wheel builds). Needs no Odoo.
* Odoo layer, wherever ``import odoo`` works (database settings from
  ``ODOO_RC`` or ``~/.odoorc``): databases created with Odoo's own command
  (``python3 -m odoo -d NAME -i crm_gdpr --stop-after-init``), then pytest with
  pytest-odoo (``--odoo-database NAME --odoo-http``) on each of them:

  - crm_gdpr's tests/ on a database with demo data, then on one without;
  - Odoo's crm and contacts suites on the database with demo data;
  - every bridge add-on (a ``crm_gdpr_*`` folder with a ``__manifest__.py``
    at the repository root) installed in databases of its own, with and
    without demo data, its tests run;
  - in each run, tools/odoo_checks: the add-ons installed, the
    installation's log without warnings or errors, and on the first database
    i18n/crm_gdpr.pot compared with a fresh export.

  tools/odoo_pytest_plugin.py collects the tests Odoo's runner would collect
  and fails a test during which Odoo logged an error (a warning too, for the
  tests of crm_gdpr and its bridges).

The last line totals every run: ``N passed, N failed``.

Usage: python3 tools/run_tests.py [--static-only] [--no-stock] [--keep-db]
                                  [-- PYTEST_OPTIONS_OF_THE_ODOO_LAYER]
"""

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
ADDON = "crm_gdpr"
STOCK_MODULES = ("crm", "contacts")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.lines = []

    def add(self, label, passed, failed, skipped=0, note=""):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        line = f"{'PASS' if not failed else 'FAIL'}  {label}: "
        line += f"{passed} passed, {failed} failed"
        line += f", {skipped} skipped" if skipped else ""
        self.lines.append(line + (f" ({note})" if note else ""))
        print(f"== {self.lines[-1]}", flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


def pytest_run(tally, label, workdir, args, env=None, allow_empty=False, cwd=ROOT):
    """One pytest run; its counts read from its JUnit XML report."""
    name = "".join(c if c.isalnum() else "-" for c in label).strip("-")
    report = workdir / f"{name}.xml"
    print(f"\n== {label}", flush=True)
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-rfEs", f"--junitxml={report}"]
    proc = subprocess.run(cmd + args, cwd=cwd, env=env, check=False)
    elapsed = f"{time.monotonic() - started:.0f} s"
    if not report.is_file():
        tally.add(label, 0, 1, note=f"pytest exited with {proc.returncode}, no report")
        return
    # one <testcase> a test (the suite's "tests" attribute counts subtests)
    total, failed, skipped = 0, 0, 0
    for case in ET.parse(report).getroot().iter("testcase"):
        outcomes = {child.tag for child in case}
        total += 1
        failed += bool(outcomes & {"failure", "error"})
        skipped += "skipped" in outcomes and not outcomes & {"failure", "error"}
    passed = total - failed - skipped
    note = elapsed
    if allow_empty and not total and proc.returncode == 5:
        note = f"nothing selected; {elapsed}"
    elif proc.returncode and not failed:
        # e.g. nothing collected (5), or an error logged outside any test
        failed, note = 1, f"pytest exited with {proc.returncode}; {elapsed}"
    elif not total:
        failed, note = 1, f"no test collected; {elapsed}"
    tally.add(label, passed, failed, skipped, note)


# ---------------------------------------------------------------------------
# Odoo layer
# ---------------------------------------------------------------------------


def odoo_python(code, *args):
    result = run([sys.executable, "-c", code, *args])
    lines = (result.stdout if result.returncode == 0 else result.stderr).splitlines()
    return result.returncode == 0, (lines[-1].strip() if lines else "")


def odoo_paths(addons_dir):
    """The addons path: the configured one, then the temporary directory;
    and the tests/ folders of Odoo's crm and contacts there."""
    code = (
        "import sys\n"
        "from odoo.tools import config\n"
        "config.parse_config([])\n"
        "path = ','.join(filter(None, (config['addons_path'], sys.argv[1])))\n"
        "config.parse_config(['--addons-path', path])\n"
        "from odoo.modules.module import get_module_path\n"
        "print(path + ';' + ';'.join(get_module_path(m) for m in sys.argv[2:]))\n"
    )
    ok, line = odoo_python(code, str(addons_dir), *STOCK_MODULES)
    if not ok:
        raise RuntimeError(line)
    path, *modules = line.split(";")
    return path, [str(Path(module) / "tests") for module in modules]


def create_database(db, addons_path, addon, log, *extra):
    """The add-on installed in a new database by Odoo's own command."""
    with open(log, "w") as handle:
        proc = subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, "--addons-path", addons_path]
            + ["-i", addon, "--stop-after-init", "--max-cron-threads", "0"]
            + ["--log-level", "warn", *extra],
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return proc.returncode == 0


def odoo_layer(tally, args, workdir):
    print("\n== Odoo layer", flush=True)
    ok, serie = odoo_python("import odoo.release; print(odoo.release.serie)")
    if not ok:
        print(
            f"Odoo layer NOT RUN: python3 cannot import odoo ({serie}). Not run: "
            "the installation of crm_gdpr and of its bridge add-ons in fresh "
            "databases, their tests in tests/ (including the browser tours), "
            "Odoo's crm and contacts suites with crm_gdpr installed, the "
            "translation template against a fresh export.",
            flush=True,
        )
        return
    if serie != "18.0":
        tally.add("Odoo 18.0 is importable", 0, 1, note=f"found Odoo {serie}")
        return
    if importlib.util.find_spec("pytest_odoo") is None:
        hint = "pip install -r test-requirements.txt"
        tally.add("pytest-odoo is importable", 0, 1, note=hint)
        return
    # Odoo and pytest-odoo know an add-on by the name of its directory: the
    # repository and each bridge folder get one in a temporary addons dir.
    addons_dir = workdir / "addons"
    addons_dir.mkdir()
    (addons_dir / ADDON).symlink_to(ROOT, target_is_directory=True)
    bridges = sorted(
        path.name
        for path in ROOT.iterdir()
        if path.name.startswith(f"{ADDON}_") and (path / "__manifest__.py").is_file()
    )
    for bridge in bridges:
        (addons_dir / bridge).symlink_to(ROOT / bridge, target_is_directory=True)
    addons_path, stock_tests = odoo_paths(addons_dir)
    ini = workdir / "pytest.ini"
    ini.write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (
        str(TOOLS), os.environ.get("PYTHONPATH")))))  # fmt: skip
    # through the folder named crm_gdpr, as pytest-odoo names the package of
    # the add-on after its folder
    checks = addons_dir / ADDON / "tools" / "odoo_checks"

    def odoo_run(label, db, log, addon, tests, *extra):
        pytest_run(
            tally,
            label,
            workdir,
            ["-c", str(ini), "--rootdir", str(workdir), "-p", "odoo_pytest_plugin"]
            + [f"--odoo-database={db}", f"--odoo-addons-path={addons_path}"]
            + ["--odoo-http", "--odoo-log-level=warn", f"--odoo-install-log={log}"]
            + [f"--odoo-installed={addon}", *extra, *args.pytest_args, *tests],
            env=env,
            allow_empty=bool(args.pytest_args),
            cwd=workdir,
        )

    pid = os.getpid()
    databases = []
    try:
        for label, db, addon, demo in [
            ("with demo data", f"{ADDON}_test_{pid}", ADDON, True),
            ("without demo data", f"{ADDON}_test_{pid}_without_demo", ADDON, False),
        ] + [
            (label, f"{b}_test_{pid}{suffix}", b, demo)
            for b in bridges
            for label, suffix, demo in (
                ("with demo data", "", True),
                ("without demo data", "_without_demo", False),
            )
        ]:
            log = workdir / f"install-{db}.log"
            databases.append(db)
            extra = () if demo else ("--without-demo", "all")
            if not create_database(db, addons_path, addon, log, *extra):
                tally.add(f"{addon} installed, {label}", 0, 1, note=f"see {log}")
                continue
            tests = [str(checks / "test_database.py")]
            if addon == ADDON and demo:
                tests.append(str(checks / "test_translation_template.py"))
            tests.append(str(addons_dir / addon / "tests"))
            odoo_run(
                f"{addon} tests, {label}",
                db,
                log,
                addon,
                tests,
                f"--odoo-strict-log={addon}",
            )
            if addon == ADDON and demo:
                if args.no_stock:
                    print("== Odoo's crm and contacts suites skipped (--no-stock)")
                    continue
                odoo_run(
                    "Odoo's crm and contacts suites with crm_gdpr, with demo data",
                    db,
                    log,
                    addon,
                    stock_tests,
                )
    finally:
        for db in databases:
            if args.keep_db:
                print(f"      database kept: {db}")
            else:
                run([sys.executable, "-m", "odoo", "db", "drop", db])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--static-only", action="store_true", help="skip the Odoo layer"
    )
    parser.add_argument(
        "--no-stock", action="store_true", help="skip Odoo's crm and contacts suites"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the test databases"
    )
    parser.add_argument(
        "pytest_args",
        nargs="*",
        help="after --: options for the pytest runs of the Odoo layer, "
        "e.g. -- -k TestPurpose",
    )
    args = parser.parse_args()

    tally = Tally()
    workdir = Path(tempfile.mkdtemp(prefix="crm_gdpr-tests-"))
    try:
        pytest_run(
            tally,
            "static layer",
            workdir,
            ["-c", str(TOOLS / "checks" / "pytest.ini"), str(TOOLS / "checks")],
        )
        if args.static_only:
            print("\n== Odoo layer NOT RUN (--static-only)")
        else:
            odoo_layer(tally, args, workdir)
    finally:
        shutil.rmtree(workdir / "addons", ignore_errors=True)
    print(f"\nReports and installation logs in {workdir}")
    for line in tally.lines:
        print(line)
    skipped = f", {tally.skipped} skipped" if tally.skipped else ""
    print(f"{tally.passed} passed, {tally.failed} failed{skipped}")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
