#!/usr/bin/env python3
"""Translation catalogs: compile .po to .mo (no GNU gettext needed) and check coverage.

    python scripts/i18n.py compile   # careops/locale/*/LC_MESSAGES/django.po -> .mo
    python scripts/i18n.py check     # every msgid in the code has a Chinese translation
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "careops" / "locale"


def compile_all() -> int:
    for po_path in LOCALE.glob("*/LC_MESSAGES/*.po"):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return 0


def check() -> int:
    """Extract the messages of the code with makemessages and compare with the catalog."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "careops"
        subprocess.run(
            ["cp", "-r", str(ROOT / "careops"), str(work)], check=True)
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans",
             "--no-location", "--no-obsolete", "-i", "static/vendor/*", "-i", "tests/*"],
            cwd=work, check=True, capture_output=True,
            env={"DJANGO_SETTINGS_MODULE": "careops.settings", "PYTHONPATH": tmp,
                 "CAREOPS_VAR_DIR": tmp + "/var", "PATH": "/usr/bin:/bin"})
        fresh = polib.pofile(str(work / "locale/zh_Hans/LC_MESSAGES/django.po"))
    # What is compiled is the committed catalog: each message the code uses must be a live
    # (not obsolete, not fuzzy) translated entry there.
    committed = {
        (e.msgctxt, e.msgid): e
        for e in polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
        if not e.obsolete and "fuzzy" not in e.flags
        and (e.msgstr or any(e.msgstr_plural.values()))
    }
    missing = [e.msgid for e in fresh
               if not e.obsolete and (e.msgctxt, e.msgid) not in committed]
    if missing:
        print(f"{len(missing)} messages have no zh_Hans translation in "
              "careops/locale/zh_Hans/LC_MESSAGES/django.po (run makemessages, then "
              "translate):", file=sys.stderr)
        for msgid in missing:
            print(f"  {msgid!r}", file=sys.stderr)
        return 1
    print(f"i18n: all {len(fresh)} messages translated")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    raise SystemExit({"compile": compile_all, "check": check}[command]())
