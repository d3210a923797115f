"""``careops calendar``: due times and working days from the command line.

    careops calendar due 2026-09-30T17:00+08:00 --hours 2
    2026-10-08T09:00:00+08:00
    careops calendar due 2026-12-31T17:00Z --days 1 --end-of-day --calendar cn-5x8
    2027-01-04T18:00:00+08:00 estimated: no holiday data for 2027
    careops calendar list
    careops calendar check 2026-10-10

Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from careops.core import calendars as cals
from careops.core.models import WorkCalendar
from careops.logic.worktime import Calendar, CalendarError


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = ("Working-time calendars: due times (due), the calendars (list), "
            "a date or an instant (check).")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{due,list,check}")
        due = sub.add_parser("due", help="START plus working minutes, hours or days")
        due.add_argument("start", help="ISO 8601 instant, any offset (Z too)")
        amount = due.add_mutually_exclusive_group(required=True)
        amount.add_argument("--minutes", type=int, help="working minutes")
        amount.add_argument("--hours", type=int, help="working hours")
        amount.add_argument("--days", type=int, help="working days (same working-clock time)")
        due.add_argument("--end-of-day", action="store_true",
                         help="with --days: the close of the Nth working day")
        due.add_argument("--calendar", default=cals.DEFAULT_CALENDAR_SLUG,
                         help=f"calendar code (default {cals.DEFAULT_CALENDAR_SLUG})")
        due.add_argument("--pause", action="append", default=[], metavar="START/END",
                         help="a span that does not count; repeat for several")
        sub.add_parser("list", help="the calendars and their codes")
        check = sub.add_parser("check", help="what a date is, or whether an instant is working")
        check.add_argument("when", metavar="DATE-or-INSTANT")
        check.add_argument("--calendar", default=cals.DEFAULT_CALENDAR_SLUG)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"do_{options['subcommand']}")
        handler(options)

    def _calendar(self, slug: str) -> tuple[WorkCalendar, Calendar]:
        try:
            return cals.get_calendar(slug)
        except cals.CalendarNotFound:
            codes = ", ".join(WorkCalendar.objects.values_list("slug", flat=True))
            raise _fail(f"no calendar with code {slug!r} (known: {codes})") from None

    @staticmethod
    def _line(text: str, years: frozenset[int]) -> str:
        return f"{text} {cals.estimated_note(years)}" if years else text

    def do_due(self, options: dict[str, Any]) -> None:
        _row, cal = self._calendar(options["calendar"])
        try:
            start = cals.parse_instant_arg(options["start"], cal.tz, "START")
            pauses = cals.parse_pause_args(options["pause"], cal.tz)
        except ValueError as exc:
            raise _fail(str(exc)) from None
        minutes, days = options["minutes"], options["days"]
        if options["hours"] is not None:
            minutes = options["hours"] * 60
        for name, value, limit in (("--minutes", minutes, cals.MAX_MINUTES),
                                   ("--days", days, cals.MAX_DAYS)):
            if value is not None and not 0 <= value <= limit:
                raise _fail(f"{name} must be between 0 and {limit}")
        if options["end_of_day"] and days is None:
            raise _fail("--end-of-day goes with --days")
        try:
            result = cals.compute_due(cal, start, minutes=minutes, days=days,
                                      end_of_day=options["end_of_day"], pauses=pauses)
        except CalendarError as exc:
            raise _fail(str(exc)) from None
        self.stdout.write(self._line(result.value.isoformat(), result.estimated_years))

    def do_list(self, options: dict[str, Any]) -> None:
        for row in WorkCalendar.objects.all():
            marks = [m for m, on in (("default", row.slug == cals.DEFAULT_CALENDAR_SLUG),
                                     ("built-in", row.builtin)) if on]
            holidays = "holidays observed" if row.observe_holidays else "holidays ignored"
            self.stdout.write(f"{row.slug:<16} {row.name}  ({row.time_zone}, {holidays})"
                              + (f"  [{', '.join(marks)}]" if marks else ""))

    def do_check(self, options: dict[str, Any]) -> None:
        _row, cal = self._calendar(options["calendar"])
        text = options["when"]
        names = getattr(cal.holidays, "day_name", None)
        try:
            day = dt.date.fromisoformat(text) if len(text.strip()) == 10 else None
            at = None if day else cals.parse_instant(text, cal.tz)
        except ValueError:
            raise _fail(f"{text!r} is not an ISO 8601 date or date and time") from None
        if at is not None:
            working = cal.is_working(at)
            local = at.astimezone(cal.tz)
            day = local.date()
            state = "working time" if working.value else "closed"
            head = f"{local.isoformat()} {state}"
        else:
            assert day is not None
            head = day.isoformat()
        info = cal.day_info(day)
        hours = ", ".join(str(iv) for iv in info.hours) or "closed all day"
        name = names(day) if names is not None and cal.observe_holidays else ""
        parts = [head, info.kind.value, *([name] if name else []), hours]
        if info.override:
            parts.append("(extra date of this calendar)")
        years = frozenset({day.year}) if info.estimated else frozenset()
        self.stdout.write(self._line(" ".join(parts), years))
