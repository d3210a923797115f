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


class Command(BaseCommand):
    help = "Configuration items: file-sd (Prometheus targets by network zone)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        sd = sub.add_parser("file-sd", help="Prometheus file_sd target groups by network zone")
        sd.add_argument("--zone", choices=file_sd.ZONES, help="only this network zone")
        sd.add_argument("--job", choices=EXPORTER_JOBS, help="only this exporter job")
        sd.add_argument("--out", type=Path, help="directory to write <zone>.json files into")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "file-sd":
            self.file_sd(options["zone"], options["job"], options["out"])

    def file_sd(self, zone: str | None, job: str | None, out: Path | None) -> None:
        if out is None:
            groups = file_sd.groups(zone=zone, job=job)
            self.stdout.write(json.dumps(groups, ensure_ascii=False, indent=2))
            return
        try:
            written = file_sd.write_files(out, (zone,) if zone else file_sd.ZONES, job=job)
        except OSError as exc:
            raise CommandError(f"cannot write into {out}: {exc}") from None
        for path in written:
            self.stdout.write(f"wrote {path}")
