"""``careops cmdb import FILE`` and ``careops cmdb export --class host --out FILE``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.cmdb import exporter, importer


def _user(username: str | None) -> Any:
    from careops.core.models import User

    if not username:
        raise CommandError("name the acting user with --as USERNAME (imports and exports "
                           "are audited and follow that user's rights)")
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no user {username!r}") from None


class Command(BaseCommand):
    help = "Import an inventory file into the CMDB, or export a class to XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="check a file (dry run) and optionally apply it")
        imp.add_argument("file", type=Path)
        imp.add_argument("--class", dest="cls", choices=sorted(importer.SPECS),
                         help="the class of a CSV file or single sheet (default: a workbook "
                              "with one sheet per class)")
        imp.add_argument("--apply", action="store_true", help="write the rows (atomically)")
        imp.add_argument("--update", action="store_true",
                         help="rows whose code exists change that record")
        imp.add_argument("--as", dest="username", help="the acting user (needed with --apply)")
        exp = sub.add_parser("export", help="export a class to XLSX")
        exp.add_argument("--class", dest="cls", required=True, choices=sorted(importer.SPECS))
        exp.add_argument("--out", required=True, type=Path)
        exp.add_argument("--as", dest="username", help="export what this user sees")
        exp.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                         help="a list filter, as in the page's query string (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.do_import(options)
        else:
            self.do_export(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = importer.dry_run(data, path.name, cls=options["cls"], update=options["update"])
        self.print_report(report)
        if not report.ok:
            sys.exit(1)
        if not options["apply"]:
            self.stdout.write("Dry run only: nothing written (use --apply to write).")
            return
        actor = _user(options["username"])
        try:
            importer.apply(actor, data, path.name, cls=options["cls"], update=options["update"])
        except importer.ImportFailed as exc:
            self.print_report(exc.report)
            sys.exit(1)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("Imported."))

    def print_report(self, report: importer.Report) -> None:
        for problem in report.warnings:
            self.stdout.write(f"warning: {problem.sheet} row {problem.row} "
                              f"[{problem.column}]: {problem.message}")
        for problem in report.problems:
            where = f"row {problem.row}" if problem.row else "file"
            column = f" [{problem.column}]" if problem.column else ""
            self.stdout.write(f"{problem.sheet} {where}{column}: {problem.message}")
        for count in report.counts():
            self.stdout.write(f"{count['cls']}: {count['create']} to create, {count['update']} "
                              f"to update, {count['unchanged']} unchanged")
        self.stdout.write(f"{report.rows} rows, {len(report.problems)} errors")

    def do_export(self, options: dict[str, Any]) -> None:
        actor = _user(options["username"])
        params: dict[str, str] = {}
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter {item!r}: write NAME=VALUE")
            params[name] = value
        try:
            data, count = exporter.export_xlsx(actor, options["cls"], params)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        options["out"].write_bytes(data)
        self.stdout.write(f"{count} rows written to {options['out']}")

