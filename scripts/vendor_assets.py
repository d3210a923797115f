#!/usr/bin/env python3
"""Copy the front-end assets installed by npm into careops/static/vendor/.

The copies are build output (not committed); package-lock.json pins the versions.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "careops" / "static" / "vendor"

FILES = {
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "tabler/tabler.min.css": "@tabler/core/dist/css/tabler.min.css",
    "tabler/tabler.min.js": "@tabler/core/dist/js/tabler.min.js",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


def main() -> int:
    missing = [src for src in FILES.values() if not (NODE / src).is_file()]
    if missing:
        print("vendor_assets: run 'npm ci' first; missing " + ", ".join(missing), file=sys.stderr)
        return 1
    for dest, src in FILES.items():
        target = DEST / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
