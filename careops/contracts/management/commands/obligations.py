"""``careops obligations CONTRACT_FILE_OR_CODE [--from DATE] [--to DATE]``: the obligation
schedule of a contract (docs/obligations.md), one occurrence a line:

    DUE_AT  CODE  TITLE  OWNER  [report due REPORT_DUE]

instants in ISO 8601 with the calendar's offset, followed by `` estimated: no holiday data
for YEAR`` where the calendar lacks a year. Read-only. Errors are one line and exit code 2."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careops.contracts import sla as contract_sla
from careops.core import calendars as cals
from careops.logic import obligations


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _date(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} {text!r} is not a date as YYYY-MM-DD") from None


def format_due(due: obligations.Due) -> str:
    parts = [due.due_at.isoformat(), due.obligation_code, due.title, due.owner]
    if due.report_due_at is not None:
        parts.append(f"report due {due.report_due_at.isoformat()}")
    line = "  ".join(parts)
    return f"{line} {cals.estimated_note(due.estimated_years)}" if due.estimated else line


class Command(BaseCommand):
    help = "Every occurrence of a contract's recurring obligations, with its deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", metavar="CONTRACT_FILE_OR_CODE",
                            help="a contract YAML file or the code of a stored contract")
        parser.add_argument("--from", dest="start", metavar="DATE",
                            help="only periods ending on or after this date (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", metavar="DATE",
                            help="only periods starting on or before this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date("--from", options["start"])
        end = _date("--to", options["end"])
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
            dues = obligations.schedule(contract, calendar, start=start, end=end)
        except obligations.ObligationError as exc:
            raise _fail(str(exc)) from None
        for due in dues:
            self.stdout.write(format_due(due))
