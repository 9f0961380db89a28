"""i18n/crm_gdpr.pot holds exactly the terms that a fresh export of the
database finds: the export of ``python3 -m odoo --i18n-export`` (the same
``trans_export`` call), run on the database under test."""

import io
from pathlib import Path

import polib

from odoo.modules.registry import Registry
from odoo.tests.common import get_db_name
from odoo.tools.translate import trans_export

ROOT = Path(__file__).resolve().parents[2]
ADDON = "crm_gdpr"


def test_translation_template_current():
    buffer = io.BytesIO()
    with Registry(get_db_name()).cursor() as cr:
        trans_export(False, [ADDON], buffer, "po", cr)
    exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())}
    kept = {entry.msgid for entry in polib.pofile(str(ROOT / "i18n" / f"{ADDON}.pot"))}
    assert exported, "the export found no term"
    problems = [f"missing: {m[:70]!r}" for m in sorted(exported - kept)]
    problems += [f"no longer used: {m[:70]!r}" for m in sorted(kept - exported)]
    assert not problems, (
        f"{len(problems)} differences; regenerate i18n/{ADDON}.pot with"
        " --i18n-export\n" + "\n".join(problems)
    )
