"""``careops cmdb import FILE [--class C] [--apply] [--update] [--as USER]`` and
``careops cmdb export --class C --out FILE --as USER [--filter NAME=VALUE …]``.

An import is always checked first (a dry run that reports every bad row and writes
nothing); ``--apply`` then writes all rows in one transaction. Exit code 1 when the
file has errors.
"""

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
                           "are audited and follow that user's rights)", returncode=2)
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no user {username!r}", returncode=2) from None


class ImportCommand:
    NAME = "import"
    HELP = "check a file (dry run) and optionally apply it"

    @staticmethod
    def add_arguments(parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--class", dest="cls", choices=sorted(importer.SPECS),
                            help="the class of a CSV file or single sheet (default: a workbook "
                                 "with one sheet per class)")
        parser.add_argument("--apply", action="store_true", help="write the rows (atomically)")
        parser.add_argument("--update", action="store_true",
                            help="rows whose code exists change that record")
        parser.add_argument("--as", dest="username",
                            help="the acting user (needed with --apply)")

    @staticmethod
    def run(command: BaseCommand, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from None
        report = importer.dry_run(data, path.name, cls=options["cls"], update=options["update"])
        print_report(command, report)
        if not report.ok:
            sys.exit(1)
        if not options["apply"]:
            command.stdout.write("Dry run only: nothing written (use --apply to write).")
            return
        actor = _user(options["username"])
        try:
            importer.apply(actor, data, path.name, cls=options["cls"], update=options["update"])
        except importer.ImportFailed as exc:
            print_report(command, exc.report)
            sys.exit(1)
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from None
        command.stdout.write(command.style.SUCCESS("Imported."))


class ExportCommand:
    NAME = "export"
    HELP = "export a class to XLSX"

    @staticmethod
    def add_arguments(parser: CommandParser) -> None:
        parser.add_argument("--class", dest="cls", required=True, choices=sorted(importer.SPECS))
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--as", dest="username", help="export what this user sees")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                            help="a list filter, as in the page's query string (repeatable)")

    @staticmethod
    def run(command: BaseCommand, options: dict[str, Any]) -> None:
        actor = _user(options["username"])
        params: dict[str, str] = {}
        for item in options["filter"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter {item!r}: write NAME=VALUE", returncode=2)
            params[name] = value
        try:
            data, count = exporter.export_xlsx(actor, options["cls"], params)
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from None
        options["out"].write_bytes(data)
        command.stdout.write(f"{count} rows written to {options['out']}")


def print_report(command: BaseCommand, report: importer.Report) -> None:
    for problem in report.warnings:
        command.stdout.write(f"warning: {problem.sheet} row {problem.row} "
                             f"[{problem.column}]: {problem.message}")
    for problem in report.problems:
        where = f"row {problem.row}" if problem.row else "file"
        column = f" [{problem.column}]" if problem.column else ""
        command.stdout.write(f"{problem.sheet} {where}{column}: {problem.message}")
    for count in report.counts():
        command.stdout.write(f"{count['cls']}: {count['create']} to create, {count['update']} "
                             f"to update, {count['unchanged']} unchanged")
    command.stdout.write(f"{report.rows} rows, {len(report.problems)} errors")
