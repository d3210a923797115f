"""``careops contract SUBCOMMAND``: contract profiles from the command line (docs/contracts.md).

    careops contract validate contracts/examples/seed-004-surgical-video-exam.yaml
    careops contract load contracts/examples/seed-004-surgical-video-exam.yaml --as alice

``validate`` checks the schema and, with the database, that the vendor, systems and
calendars exist; it prints each error as ``FILE:LINE: PATH: message`` and exits 1 when
there is any, else one summary line. ``load`` does the same, then stores a new version.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from careops.contracts.actions import profiles
from careops.logic.contract import Contract, ContractInvalid, parse_contract


def _one_line(contract: Contract) -> str:
    levels = sum(len(levels) for levels in contract.sla.values())
    return (f"{contract.code}: {contract.name} — vendor {contract.parties.vendor}, "
            f"{len(contract.systems)} systems, {levels} SLA levels, "
            f"{len(contract.obligations)} obligations, "
            f"{contract.period.start}..{contract.period.end}")


class Command(BaseCommand):
    help = "Validate and load contract profiles (YAML)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        check = sub.add_parser("validate", help="check a contract file; exit 1 on errors")
        check.add_argument("file")
        check.add_argument("--schema-only", action="store_true",
                           help="do not look up the vendor, systems and calendars")
        load = sub.add_parser("load", help="validate and store a contract file as a new version")
        load.add_argument("file")
        load.add_argument("--as", dest="username", required=True, metavar="USER",
                          help="the account the change is recorded under")
        load.add_argument("--valid-from", type=dt.date.fromisoformat, default=None,
                          metavar="YYYY-MM-DD", help="first day this version applies")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}", returncode=2) from None
        try:
            if options["subcommand"] == "validate":
                self._validate(path, text, options["schema_only"])
            else:
                self._load(path, text, options)
        except ContractInvalid as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}:{error.line}: {error.path or '(document)'}: "
                                  f"{error.message}")
            raise SystemExit(1) from None

    def _validate(self, path: str, text: str, schema_only: bool) -> None:
        contract = parse_contract(text)
        checked = ""
        if not schema_only:
            try:
                errors = profiles.reference_errors(contract, text)
            except DatabaseError:
                checked = " (vendor, systems and calendars not checked: no database)"
            else:
                if errors:
                    raise ContractInvalid(errors)
        self.stdout.write(f"{path}: valid — {_one_line(contract)}{checked}")

    def _load(self, path: str, text: str, options: dict[str, Any]) -> None:
        from careops.core.models import User

        try:
            actor = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user {options['username']!r}", returncode=2) from None
        try:
            result = profiles.load_profile(actor, text, valid_from=options["valid_from"])
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from None
        version = result.version
        if result.created:
            self.stdout.write(f"{path}: loaded {version.profile.code} version {version.number} "
                              f"(valid from {version.valid_from})")
        else:
            self.stdout.write(f"{path}: unchanged, {version.profile.code} stays at version "
                              f"{version.number}")
