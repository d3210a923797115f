"""The seed contracts of ``contracts/examples`` as the tests load them.

The seeds serve 2026 (``period: 2026-01-01 .. 2026-12-31``). Tests that pin their
instants (``now=``) stay inside that year; tests that cannot (a request through a view, a
task, the real collector or Alertmanager) work at the real current time, which from
2027 on falls outside the seeds' period: no contract would cover their tickets.
:func:`covering_today` stretches the period to the current year for those fixtures.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import timezone

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts" / "examples"
SEED_004 = EXAMPLES / "seed-004-surgical-video-exam.yaml"

# ``period:`` then its indented lines (comments, start, end), as the seeds write it.
_PERIOD = re.compile(r"^period:[ \t]*\n(?:[ \t]+[^\n]*\n)+", re.MULTILINE)
_DATE = r"(\d{4}-\d{2}-\d{2})"


def covering_today(text: str, today: dt.date | None = None) -> str:
    """``text`` (a contract's YAML) with its service period stretched to cover ``today``
    (default: the local date now) and tomorrow: ``end`` becomes the last day of tomorrow's
    year when tomorrow is later, ``start`` the first day of today's year when today is
    earlier. Dates the period already covers keep their meaning, so tests pinned inside
    the seed's own period are unaffected; while the period covers today and tomorrow the
    text is returned as is."""
    today = today or timezone.localdate()
    block = _PERIOD.search(text)
    if block is None:
        raise ValueError("the contract has no period: block to stretch")
    period = block.group(0)
    start = re.search(rf"^([ \t]+start:[ \t]*){_DATE}", period, re.MULTILINE)
    end = re.search(rf"^([ \t]+end:[ \t]*){_DATE}", period, re.MULTILINE)
    if start is None or end is None:
        raise ValueError("the contract's period has no start or end date to stretch")
    new = period
    reach = today + dt.timedelta(days=1)  # a test session running over midnight stays covered
    if reach > dt.date.fromisoformat(end.group(2)):
        new = new.replace(end.group(0), f"{end.group(1)}{reach.year}-12-31", 1)
    if today < dt.date.fromisoformat(start.group(2)):
        new = new.replace(start.group(0), f"{start.group(1)}{today.year}-01-01", 1)
    return text[:block.start()] + new + text[block.end():]


def seed_004_text(today: dt.date | None = None) -> str:
    """Seed 004's YAML, its period covering ``today`` (see :func:`covering_today`)."""
    return covering_today(SEED_004.read_text(encoding="utf-8"), today)


# A Tuesday, 10:00 in Beijing, inside every seed's service period: for tickets a test opens
# as evidence or as a subject, so that they fall under the seed's contract in any year.
IN_SERVICE = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
