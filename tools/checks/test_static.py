"""Static layer of the crm_gdpr test command: checks that need no Odoo.

Run from the repository root with ``python3 -m pytest -p no:odoo tools/checks``
(``-p no:odoo`` keeps pytest-odoo, which imports Odoo, out of this run;
pyproject.toml sets it). Needs test-requirements.txt installed.
"""

import ast
import csv
import glob
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = "crm_gdpr"
LANGUAGES = ("pl", "cs", "ro")
DATA_DIRS = ("data", "demo", "report", "security", "views", "wizards")
# placeholders a translation must keep: %s %r %d %(name)s, {{ expressions }},
# QWeb attributes and tags
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\{.*?\}\}|<[^>]+>")
INSTALL_HINT = "pip install -r test-requirements.txt"


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="module")
def files():
    """The files of the working tree that git tracks or would track."""
    result = run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    )
    if result.returncode:
        return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file())
    return sorted(f for f in result.stdout.splitlines() if (ROOT / f).is_file())


@pytest.fixture(scope="module")
def manifest():
    return ast.literal_eval((ROOT / "__manifest__.py").read_text())


@pytest.fixture(scope="module")
def addons_dir(tmp_path_factory):
    """A directory holding the repository as ``crm_gdpr``: pylint-odoo knows
    an add-on by the name of its directory."""
    path = tmp_path_factory.mktemp("addons")
    (path / ADDON).symlink_to(ROOT, target_is_directory=True)
    return path


def test_manifest(manifest):
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
    assert not problems, "\n".join(problems)


def test_data_files_listed(manifest, files):
    problems = []
    listed = manifest.get("data", []) + manifest.get("demo", [])
    for name in sorted({n for n in listed if listed.count(n) > 1}):
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
    assert not problems, "\n".join(problems)


def test_xml_well_formed(files):
    problems = []
    for name in files:
        if name.endswith(".xml"):
            try:
                ET.parse(ROOT / name)
            except ET.ParseError as error:
                problems.append(f"{name}: {error}")
    assert [name for name in files if name.endswith(".xml")], "no XML file found"
    assert not problems, "\n".join(problems)


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


def test_every_model_has_access_rules(files):
    with open(ROOT / "security/ir.model.access.csv", newline="") as handle:
        covered = {row["model_id:id"].split(".")[-1] for row in csv.DictReader(handle)}
    models = declared_models(files)
    assert models, "no model found in models/ and wizards/"
    problems = [
        f"{model} ({source}) has no line in security/ir.model.access.csv"
        for model, source in sorted(models.items())
        if "model_" + model.replace(".", "_") not in covered
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_complete(lang):
    """Every entry of the template translated in the language's .po file,
    not fuzzy, with the same placeholders."""
    polib = pytest.importorskip("polib", reason=INSTALL_HINT)
    po_path = ROOT / "i18n" / f"{lang}.po"
    assert po_path.is_file(), f"{po_path.name} is missing"
    translations = {entry.msgid: entry for entry in polib.pofile(str(po_path))}
    template = polib.pofile(str(ROOT / "i18n" / f"{ADDON}.pot"))
    assert len(template), "the translation template is empty"
    problems = []
    for entry in template:
        done = translations.get(entry.msgid)
        if done is None or not done.msgstr:
            problems.append(f"untranslated: {entry.msgid[:70]!r}")
        elif "fuzzy" in done.flags:
            problems.append(f"fuzzy: {entry.msgid[:70]!r}")
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
            PLACEHOLDER.findall(done.msgstr)
        ):
            problems.append(f"placeholders differ: {entry.msgid[:70]!r}")
    assert not problems, f"{len(problems)} problems\n" + "\n".join(problems)


def tool_output(cmd, cwd=ROOT):
    if cmd[0] != sys.executable and not shutil.which(cmd[0]):
        pytest.fail(f"{cmd[0]} is not installed: {INSTALL_HINT}")
    result = run(cmd, cwd=cwd)
    if "No module named" in result.stderr:
        pytest.fail(f"{result.stderr}\n{INSTALL_HINT}")
    return result


def test_ruff_check():
    result = tool_output(["ruff", "check", "--no-fix", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = tool_output(["ruff", "format", "--check", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_pylint_odoo(addons_dir):
    """OCA's mandatory checks, as configured in .pylintrc."""
    result = tool_output(
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / '.pylintrc'}", ADDON],
        cwd=addons_dir,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_wheel_builds(files, tmp_path):
    """``pip wheel .`` in a copy of the working tree named crm_gdpr: whool
    names the wheel after the directory and packs the files git tracks."""
    checkout = tmp_path / ADDON
    for name in files:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, checkout / name)
    git = ["git", "-c", "user.name=tests", "-c", "user.email=tests@localhost"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "wheel"]):
        run(git + cmd, cwd=checkout)
    dist = tmp_path / "dist"
    result = tool_output(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--no-build-isolation", "-w", str(dist), "."],
        cwd=checkout,
    )
    detail = f"{result.stdout}{result.stderr}\nneeds: {INSTALL_HINT}"
    assert result.returncode == 0, detail
    wheels = list(dist.glob("odoo_addon_crm_gdpr-18.0.*-py3-none-any.whl"))
    assert len(wheels) == 1, detail
    listing = run([sys.executable, "-m", "zipfile", "-l", str(wheels[0])]).stdout
    assert "odoo/addons/crm_gdpr/__manifest__.py" in listing, listing
