"""``careops cmdb file-sd [--zone Z] [--job J] [--out DIR]``: Prometheus targets.

Without ``--out`` the target groups (of one zone, or all) are printed as JSON. With
``--out`` one ``<zone>.json`` file per network zone is written into DIR, each replaced
atomically (temporary file + rename) so Prometheus never reads half a file; zones
without targets get an empty list. Run it from cron or a systemd timer and point
Prometheus ``file_sd_configs`` at ``DIR/*.json`` (docs/cmdb.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.cmdb import file_sd
from careops.cmdb.validators import EXPORTER_JOBS

NAME = "file-sd"
HELP = "Prometheus file_sd target groups by network zone"


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--zone", choices=file_sd.ZONES, help="only this network zone")
    parser.add_argument("--job", choices=EXPORTER_JOBS, help="only this exporter job")
    parser.add_argument("--out", type=Path, help="directory to write <zone>.json files into")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    zone, job, out = options["zone"], options["job"], options["out"]
    if out is None:
        groups = file_sd.groups(zone=zone, job=job)
        command.stdout.write(json.dumps(groups, ensure_ascii=False, indent=2))
        return
    try:
        written = file_sd.write_files(out, (zone,) if zone else file_sd.ZONES, job=job)
    except OSError as exc:
        raise CommandError(f"cannot write into {out}: {exc}", returncode=2) from None
    for path in written:
        command.stdout.write(f"wrote {path}")
