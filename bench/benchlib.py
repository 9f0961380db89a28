"""What the bench scripts share: running Odoo (the one this machine has,
config from ODOO_RC or ~/.odoorc) on a fresh database of their own."""

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def odoo(*args):
    return subprocess.run(
        [sys.executable, "-m", "odoo", *args], capture_output=True, text=True
    )


def configured_addons_path():
    code = (
        "from odoo.tools import config; config.parse_config([]); "
        "print(config['addons_path'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    return result.stdout.strip()


@contextmanager
def fresh_database(prefix, modules, keep=False):
    """A new database with ``modules`` installed, without demo data;
    yields ``(name, addons_path)`` and drops it afterwards unless ``keep``."""
    with tempfile.TemporaryDirectory() as workdir:
        # Odoo finds an add-on by its directory name
        (Path(workdir) / "crm_gdpr").symlink_to(ROOT)
        addons_path = ",".join(p for p in (configured_addons_path(), workdir) if p)
        db = f"{prefix}_{os.getpid()}"
        print(f"Creating {db} ({modules})...", flush=True)
        result = odoo(
            "-d", db, "--addons-path", addons_path, "-i", modules,
            "--without-demo", "all", "--stop-after-init", "--max-cron-threads", "0",
            "--log-level", "warn",
        )  # fmt: skip
        if result.returncode:
            sys.exit(f"Could not create {db}:\n{result.stdout}\n{result.stderr}")
        try:
            yield db, addons_path
        finally:
            if not keep:
                odoo("db", "drop", db)


def open_registry(db, addons_path):
    """The registry of ``db``, in this process."""
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, "--addons-path", addons_path, "--log-level", "warn"])
    return Registry(db)


def run_child(script, *args):
    """Run ``script`` again in a child process, which loads the registry of
    the database fresh."""
    subprocess.run([sys.executable, script, *map(str, args)], check=True)


def rss_mb():
    """The resident memory of this process, in MB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
