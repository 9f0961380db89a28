#!/usr/bin/env python3
"""The crm_gdpr test command.

Two layers, one closing line ``N passed, N failed``:

* static layer, always: manifest and data files consistent, XML well-formed,
  every model has access rules, ruff and pylint-odoo clean, the wheel builds;
* Odoo layer, wherever ``import odoo`` works (database settings from
  ``ODOO_RC`` or ``~/.odoorc``): a fresh database, crm_gdpr installed with
  ``--test-enable`` and its tests run, then Odoo's own crm and contacts test
  suites run with crm_gdpr installed; the logs are checked for errors.

Usage: python3 tools/run_tests.py [--static-only] [--no-stock] [--keep-db]
"""

import argparse
import ast
import csv
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDON = "crm_gdpr"
LANGUAGES = ("pl", "cs", "ro")
STOCK_MODULES = ("crm", "contacts")
DATA_DIRS = ("data", "demo", "report", "security", "views", "wizards")
RESULT_LINE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LOG_LINE = re.compile(r"^\S+ \S+ \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ (\S+): ")
# Loggers that report test outcomes: their ERROR lines are counted as tests.
TEST_LOGGER = re.compile(r"^(odoo\.addons\.\w+\.tests\b|odoo\.tests\.(result|suite))")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS  {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}")
            for line in str(detail).strip().splitlines()[:40]:
                print(f"      {line}")
        return ok

    def count(self, name, passed, failed, detail=""):
        self.passed += passed
        self.failed += failed
        status = "PASS" if not failed else "FAIL"
        print(f"{status}  {name}: {passed} passed, {failed} failed")
        if failed and detail:
            for line in detail.strip().splitlines()[:60]:
                print(f"      {line}")


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


# ---------------------------------------------------------------------------
# Static layer
# ---------------------------------------------------------------------------


def tracked_files():
    result = run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    )
    if result.returncode:
        return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file())
    return sorted(f for f in result.stdout.splitlines() if (ROOT / f).is_file())


def manifest_problems(manifest):
    problems = []
    for key in ("name", "summary", "version", "license", "author", "depends", "data"):
        if not manifest.get(key):
            problems.append(f"missing key {key!r}")
    if not re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", manifest.get("version", "")):
        problems.append(f"version {manifest.get('version')!r} is not 18.0.x.y.z")
    if manifest.get("license") != "LGPL-3":
        problems.append("license is not LGPL-3")
    for module in ("crm", "contacts", "mail"):
        if module not in manifest.get("depends", []):
            problems.append(f"does not depend on {module}")
    for bundle, globs in manifest.get("assets", {}).items():
        for pattern in globs:
            pattern = pattern[1] if isinstance(pattern, list | tuple) else pattern
            local = pattern.removeprefix(f"{ADDON}/")
            if not glob.glob(str(ROOT / local), recursive=True):
                problems.append(f"asset {pattern} of {bundle} matches no file")
    return problems


def data_file_problems(manifest, files):
    problems = []
    listed = manifest.get("data", []) + manifest.get("demo", [])
    for name in {n for n in listed if listed.count(n) > 1}:
        problems.append(f"{name} is listed twice")
    for name in listed:
        if not (ROOT / name).is_file():
            problems.append(f"{name} is listed but does not exist")
    for name in files:
        if name.split("/")[0] in DATA_DIRS and name.endswith((".xml", ".csv")):
            if name not in listed:
                problems.append(f"{name} is not listed in the manifest")
    for required in ("README.md", "static/description/icon.png", "pyproject.toml"):
        if not (ROOT / required).is_file():
            problems.append(f"{required} is missing")
    return problems


def check_manifest(tally, files):
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    problems = manifest_problems(manifest) + data_file_problems(manifest, files)
    tally.check("manifest and data files consistent", not problems, "\n".join(problems))


def check_xml(tally, files):
    problems = []
    for name in files:
        if name.endswith(".xml"):
            try:
                ET.parse(ROOT / name)
            except ET.ParseError as error:
                problems.append(f"{name}: {error}")
    tally.check("XML well-formed", not problems, "\n".join(problems))


# placeholders a translation must keep: %s %r %d %(name)s, {{ expressions }},
# QWeb attributes and tags
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\{.*?\}\}|<[^>]+>")


def translation_problems(pot_path, po_path):
    """Entries of the template missing, empty, fuzzy or with other
    placeholders in a language's .po file."""
    import polib  # noqa: PLC0415 - a requirement of Odoo, needed only here

    if not po_path.is_file():
        return [f"{po_path.name} is missing"]
    translations = {entry.msgid: entry for entry in polib.pofile(str(po_path))}
    problems = []
    for entry in polib.pofile(str(pot_path)):
        done = translations.get(entry.msgid)
        if done is None or not done.msgstr:
            problems.append(f"untranslated: {entry.msgid[:70]!r}")
        elif "fuzzy" in done.flags:
            problems.append(f"fuzzy: {entry.msgid[:70]!r}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
            PLACEHOLDER.findall(done.msgstr)
        ):
            problems.append(f"placeholders differ: {entry.msgid[:70]!r}")
    return problems


def check_translations(tally):
    pot = ROOT / "i18n" / f"{ADDON}.pot"
    for lang in LANGUAGES:
        problems = translation_problems(pot, ROOT / "i18n" / f"{lang}.po")
        tally.check(
            f"{lang}.po translates every term of the template",
            not problems,
            f"{len(problems)} problems\n" + "\n".join(problems),
        )


def declared_models(files):
    """Models (not abstract) that the add-on's Python code creates."""
    models = {}
    for name in files:
        if not name.endswith(".py") or name.split("/")[0] not in ("models", "wizards"):
            continue
        for node in ast.walk(ast.parse((ROOT / name).read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {ast.unparse(base) for base in node.bases}
            if not bases & {"models.Model", "models.TransientModel"}:
                continue
            assigned = {
                target.id: item.value
                for item in node.body
                if isinstance(item, ast.Assign)
                for target in item.targets
                if isinstance(target, ast.Name)
            }
            model = assigned.get("_name")
            if not isinstance(model, ast.Constant):
                continue
            # `_name` repeated in `_inherit` extends the model, e.g. with a mixin
            inherited = assigned.get("_inherit")
            extended = {
                element.value
                for element in getattr(inherited, "elts", [inherited])
                if isinstance(element, ast.Constant)
            }
            if model.value not in extended:
                models[model.value] = name
    return models


def check_access_rules(tally, files):
    with open(ROOT / "security/ir.model.access.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    covered = {row["model_id:id"].split(".")[-1] for row in rows}
    problems = [
        f"{model} ({source}) has no line in security/ir.model.access.csv"
        for model, source in sorted(declared_models(files).items())
        if "model_" + model.replace(".", "_") not in covered
    ]
    tally.check("every model has access rules", not problems, "\n".join(problems))


def check_tool(tally, name, cmd, cwd=ROOT):
    if not shutil.which(cmd[0]) and cmd[:2] != [sys.executable, "-m"]:
        tally.check(
            name,
            False,
            f"{cmd[0]} is not installed: pip install -r test-requirements.txt",
        )
        return
    result = run(cmd, cwd=cwd)
    if "No module named" in result.stderr:
        tally.check(
            name, False, result.stderr + "\npip install -r test-requirements.txt"
        )
        return
    tally.check(name, result.returncode == 0, result.stdout + result.stderr)


def check_wheel(tally, workdir, files):
    """``pip wheel .`` in a copy of the working tree named crm_gdpr: whool
    names the wheel after the directory and packs the files git tracks."""
    checkout = workdir / "wheel" / ADDON
    for name in files:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, checkout / name)
    git = ["git", "-c", "user.name=tests", "-c", "user.email=tests@localhost"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "wheel"]):
        run(git + cmd, cwd=checkout)
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(workdir / "dist"),
            ".",
        ],
        cwd=checkout,
    )
    wheels = list(
        (workdir / "dist").glob("odoo_addon_crm_gdpr-18.0.*-py3-none-any.whl")
    )
    ok = result.returncode == 0 and len(wheels) == 1
    if ok:
        listing = run([sys.executable, "-m", "zipfile", "-l", str(wheels[0])]).stdout
        ok = "odoo/addons/crm_gdpr/__manifest__.py" in listing
    tally.check(
        "pip wheel . builds odoo-addon-crm_gdpr",
        ok,
        result.stdout + result.stderr + "\nneeds: pip install -r test-requirements.txt",
    )


def static_layer(tally, workdir, addons_dir):
    print("== Static layer")
    files = tracked_files()
    check_manifest(tally, files)
    check_xml(tally, files)
    check_access_rules(tally, files)
    check_translations(tally)
    check_tool(tally, "ruff check", ["ruff", "check", "--no-fix", "."])
    check_tool(tally, "ruff format", ["ruff", "format", "--check", "."])
    check_tool(
        tally,
        "pylint-odoo (OCA mandatory checks)",
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / '.pylintrc'}", ADDON],
        cwd=addons_dir,
    )
    check_wheel(tally, workdir, files)


# ---------------------------------------------------------------------------
# Odoo layer
# ---------------------------------------------------------------------------


def odoo_importable():
    result = run(
        [sys.executable, "-c", "import odoo, odoo.release; print(odoo.release.serie)"]
    )
    if result.returncode:
        return None, result.stderr.strip().splitlines()[-1]
    return result.stdout.strip(), None


def configured_addons_path():
    code = (
        "from odoo.tools import config; config.parse_config([]); "
        "print(config['addons_path'])"
    )
    result = run([sys.executable, "-c", code])
    return result.stdout.strip() if result.returncode == 0 else ""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_cmd(*args):
    return [sys.executable, "-m", "odoo", *args]


def read_log(path, check_warnings):
    """Test counts from the result line, test failures, and the other
    ERROR (and, when asked, WARNING) lines of the log."""
    failures, others, result = [], [], None
    for line in Path(path).read_text(errors="replace").splitlines():
        if match := RESULT_LINE.search(line):
            result = tuple(int(n) for n in match.groups())
        match = LOG_LINE.match(line)
        if not match:
            continue
        level, logger = match.groups()
        if level in ("ERROR", "CRITICAL") and TEST_LOGGER.match(logger):
            if re.search(r": (FAIL|ERROR): ", line):
                failures.append(line.split(": ", 1)[-1])
        elif level in ("ERROR", "CRITICAL") or (level == "WARNING" and check_warnings):
            others.append(line)
    return result, failures, others


def report_run(tally, label, log_path, returncode, check_warnings=False):
    result, failures, others = read_log(log_path, check_warnings)
    if result is None:
        tally.check(
            f"{label}: tests ran",
            False,
            f"no test result in {log_path} (exit {returncode})",
        )
    else:
        failed_count, error_count, total = result
        bad = failed_count + error_count
        tally.count(f"{label}", total - bad, bad, "\n".join(failures))
    kinds = "errors or warnings" if check_warnings else "errors"
    tally.check(f"{label}: log has no {kinds}", not others, "\n".join(others))
    print(f"      log: {log_path}")


def odoo_layer(tally, args, workdir, addons_dir):
    print("== Odoo layer")
    serie, error = odoo_importable()
    if serie is None:
        print(
            "Odoo layer NOT RUN: python3 cannot import odoo "
            f"({error}). Not run: the install of crm_gdpr in a fresh database, "
            "its tests in tests/ (including the browser tour), and Odoo's crm "
            "and contacts suites with crm_gdpr installed."
        )
        return
    if serie != "18.0":
        tally.check("Odoo 18.0 is importable", False, f"found Odoo {serie}")
        return
    addons_path = ",".join(p for p in (configured_addons_path(), str(addons_dir)) if p)
    db = f"crm_gdpr_test_{os.getpid()}"
    bare_db = f"{db}_without_demo"
    try:
        install_and_test(tally, workdir, addons_path, db, "with demo data")
        check_template_current(tally, workdir, addons_path, db)
        # production databases are created without demo data: the tests
        # build their own data and must pass there too
        install_and_test(
            tally,
            workdir,
            addons_path,
            bare_db,
            "without demo data",
            "--without-demo",
            "all",
        )
        if args.no_stock:
            print("      Odoo's crm and contacts suites skipped (--no-stock)")
            return
        log = workdir / "stock.log"
        with open(log, "w") as handle:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--stock-suites",
                    db,
                    addons_path,
                    str(free_port()),
                ],
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        report_run(
            tally, "Odoo's crm and contacts suites with crm_gdpr", log, proc.returncode
        )
    finally:
        if not args.keep_db:
            run(odoo_cmd("db", "drop", db))
            run(odoo_cmd("db", "drop", bare_db))
        else:
            print(f"      databases kept: {db}, {bare_db}")


def install_and_test(tally, workdir, addons_path, db, label, *extra, addon=ADDON):
    """A fresh database, ``addon`` installed and its tests run."""
    log = workdir / f"install-{db}.log"
    with open(log, "w") as handle:
        proc = subprocess.run(
            odoo_cmd(
                "-d",
                db,
                "--addons-path",
                addons_path,
                "--max-cron-threads",
                "0",
                "--stop-after-init",
                "--log-level",
                "info",
                "-i",
                addon,
                "--test-enable",
                "--test-tags",
                f"/{addon}",
                "--http-port",
                str(free_port()),
                *extra,
            ),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    report_run(
        tally,
        f"{addon} installed and tested, {label}",
        log,
        proc.returncode,
        check_warnings=True,
    )


def check_template_current(tally, workdir, addons_path, db):
    """i18n/crm_gdpr.pot holds exactly the terms a fresh export finds."""
    import polib  # noqa: PLC0415 - a requirement of Odoo, needed only here

    fresh = workdir / f"{ADDON}.pot"
    result = run(
        odoo_cmd(
            "-d",
            db,
            "--addons-path",
            addons_path,
            f"--i18n-export={fresh}",
            f"--modules={ADDON}",
            "--stop-after-init",
            "--log-level",
            "warn",
        )
    )
    if result.returncode or not fresh.is_file():
        tally.check("translation template exported", False, result.stderr)
        return
    exported = {entry.msgid for entry in polib.pofile(str(fresh))}
    kept = {entry.msgid for entry in polib.pofile(str(ROOT / "i18n" / f"{ADDON}.pot"))}
    problems = [f"missing: {m[:70]!r}" for m in sorted(exported - kept)]
    problems += [f"no longer used: {m[:70]!r}" for m in sorted(kept - exported)]
    tally.check(
        f"i18n/{ADDON}.pot is current (a fresh export finds the same terms)",
        not problems,
        f"{len(problems)} differences; regenerate it with --i18n-export\n"
        + "\n".join(problems),
    )


def stock_suites(db, addons_path, port):
    """Run Odoo's crm and contacts tests, at_install ones included, on a
    database where crm_gdpr is installed: the way Odoo runs post-install
    tests, with its HTTP server up for the browser tests."""
    import odoo
    from odoo.modules.registry import Registry
    from odoo.service import server
    from odoo.tests import loader
    from odoo.tests.result import _logger
    from odoo.tools import config

    config.parse_config(
        [
            "-d",
            db,
            "--addons-path",
            addons_path,
            "--test-enable",
            "--http-port",
            port,
            "--max-cron-threads",
            "0",
            "--test-tags",
            ",".join(f"/{m}" for m in STOCK_MODULES),
        ]
    )
    threading.current_thread().dbname = db
    server.load_server_wide_modules()
    # HttpCase finds the port of the server through this module global.
    server.server = httpd = server.ThreadedServer(odoo.http.root)
    httpd.start(stop=True)
    registry = Registry.new(db)
    report = registry._assertion_report
    for position in ("at_install", "post_install"):
        suite = loader.make_suite(list(STOCK_MODULES), position)
        if suite.has_http_case():
            with registry.cursor() as cr:
                odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})[
                    "ir.qweb"
                ]._pregenerate_assets_bundles()
        report.update(loader.run_suite(suite, global_report=report))
    report.log_stats()
    (_logger.info if report.wasSuccessful() else _logger.error)(
        "%s when loading database %r", report, db
    )
    httpd.stop()
    return 0 if report.wasSuccessful() else 1


def bridge_layer(tally, workdir, addons_dir):
    """The bridge add-ons kept in folders of their own at the repository
    root (e.g. crm_gdpr_mass_mailing): each installed in a fresh database,
    with the repository root on the addons path, and its tests run."""
    bridges = [
        path.name
        for path in sorted(ROOT.iterdir())
        if path.name.startswith(f"{ADDON}_") and (path / "__manifest__.py").is_file()
    ]
    if not bridges or odoo_importable()[0] != "18.0":
        return
    print("== Bridge add-ons")
    addons_path = ",".join(
        p
        for p in (configured_addons_path(), str(addons_dir), str(addons_dir / ADDON))
        if p
    )
    for bridge in bridges:
        db = f"{bridge}_test_{os.getpid()}"
        try:
            install_and_test(
                tally, workdir, addons_path, db, "with demo data", addon=bridge
            )
        finally:
            run(odoo_cmd("db", "drop", db))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--static-only", action="store_true", help="skip the Odoo layer"
    )
    parser.add_argument(
        "--no-stock", action="store_true", help="skip Odoo's crm and contacts suites"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the test database")
    parser.add_argument("--stock-suites", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stock_suites:
        return stock_suites(*args.stock_suites)

    tally = Tally()
    workdir = Path(tempfile.mkdtemp(prefix="crm_gdpr-tests-"))
    # Odoo and pylint-odoo know an add-on by the name of its directory.
    addons_dir = workdir / "addons"
    addons_dir.mkdir()
    (addons_dir / ADDON).symlink_to(ROOT, target_is_directory=True)
    try:
        static_layer(tally, workdir, addons_dir)
        if args.static_only:
            print("== Odoo layer NOT RUN (--static-only)")
        else:
            odoo_layer(tally, args, workdir, addons_dir)
            bridge_layer(tally, workdir, addons_dir)
    finally:
        for scratch in ("addons", "wheel", "dist"):
            shutil.rmtree(workdir / scratch, ignore_errors=True)
    print(f"Logs in {workdir}")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
