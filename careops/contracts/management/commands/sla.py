"""``careops sla preview --contract CODE_OR_FILE --kind KIND --priority P --opened ISO8601
[--pause START/END ...]``: every SLA target of such a ticket with its due instant, one
``TARGET DUE`` line each (ISO 8601 with offset), `` estimated: no holiday data for YEAR``
where the calendar lacks a year. Errors are one line and exit code 2."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.contracts import sla as contract_sla
from careops.core import calendars as cals
from careops.logic.contract import KINDS


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "SLA targets and due instants of a ticket under a contract."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        preview = sub.add_parser("preview", help="the due instant of every target")
        preview.add_argument("--contract", required=True, metavar="CODE_OR_FILE")
        preview.add_argument("--kind", required=True, choices=KINDS)
        preview.add_argument("--priority", required=True,
                             help="P1/P2…, or a bug class or request tier of the contract")
        preview.add_argument("--opened", required=True, metavar="ISO8601")
        preview.add_argument("--pause", action="append", default=[], metavar="START/END")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            contract = contract_sla.load_contract(options["contract"])
        except contract_sla.PreviewError as exc:
            raise _fail(str(exc)) from None
        try:
            _row, calendar = cals.get_calendar(contract.working_calendar)
        except cals.CalendarNotFound:
            raise _fail(f"the contract's calendar {contract.working_calendar!r} does not "
                        "exist") from None
        try:
            opened = cals.parse_instant_arg(options["opened"], calendar.tz, "--opened")
            pauses = cals.parse_pause_args(options["pause"], calendar.tz)
        except ValueError as exc:
            raise _fail(str(exc)) from None
        try:
            rows = contract_sla.preview(contract, options["kind"], options["priority"],
                                        opened, pauses)
        except contract_sla.PreviewError as exc:
            raise _fail(str(exc)) from None
        self.stdout.write(contract_sla.format_rows(rows))
