"""Contract targets on the SLA engine: what ``careops sla preview`` and the API print.

The contract (careops.logic.contract) says what is promised; the engine
(careops.logic.sla) times it on the contract's working calendar. Whether the
in-hours or the out-of-hours targets apply is decided by the opening instant:
inside working time on the contract's working calendar, or not.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from careops.contracts.models import ContractProfile
from careops.core import calendars as cals
from careops.logic import sla
from careops.logic.contract import Contract, ContractInvalid, parse_contract, targets_for
from careops.logic.contract import Target as ContractTarget
from careops.logic.worktime import Calendar, Pause


class PreviewError(ValueError):
    """A preview that cannot be computed; ``str()`` is one line naming the input."""


@dataclass(frozen=True)
class PreviewRow:
    target: str
    due: dt.datetime
    estimated_years: tuple[int, ...]


def load_contract(code_or_file: str) -> Contract:
    """A stored contract's current version by code, or a YAML file on disk."""
    path = Path(code_or_file)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        try:
            return parse_contract(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PreviewError(f"cannot read {code_or_file}: {exc.strerror}") from None
        except ContractInvalid as exc:
            raise PreviewError(f"{code_or_file}: {exc.errors[0]}") from None
    profile = ContractProfile.objects.filter(code=code_or_file).first()
    if profile is None:
        raise PreviewError(f"no contract with code {code_or_file!r}")
    return stored_contract(profile)


def stored_contract(profile: ContractProfile) -> Contract:
    """The current version of a stored contract (never a file: for the API)."""
    version = profile.current_version
    if version is None:
        raise PreviewError(f"the contract {profile.code!r} has no version")
    return parse_contract(version.yaml_text)


CalendarLoader = Callable[[str], Calendar]


def calendar_loader() -> CalendarLoader:
    """Calendars by code, each loaded once (for one request or one batch)."""
    return functools.lru_cache(maxsize=None)(lambda code: cals.get_calendar(code)[1])


def engine_targets(targets: list[ContractTarget],
                   calendars: CalendarLoader | None = None) -> list[sla.Target]:
    """The engine's targets. The report clock (a fault analysis report) starts when the
    ticket is resolved — or restored, where the contract sets no resolve target. A target
    whose duration names a calendar of its own (``calendar: always``) is timed on it."""
    names = {t.name for t in targets}
    anchor = next((n for n in ("resolve", "restore") if n in names), None)
    return [
        sla.Target(t.name, Decimal(str(t.amount)), t.unit,  # type: ignore[arg-type]
                   start_after=anchor if t.name == "report" else None,
                   calendar=calendars(t.calendar) if calendars and t.calendar else None)
        for t in targets
    ]


def preview(contract: Contract, kind: str, level: str, opened: dt.datetime,
            pauses: list[Pause]) -> list[PreviewRow]:
    try:
        _row, calendar = cals.get_calendar(contract.working_calendar)
    except cals.CalendarNotFound:
        raise PreviewError(f"the contract's calendar {contract.working_calendar!r} does not "
                           "exist") from None
    in_hours, opening_years = sla.opened_in_hours(calendar, opened)
    targets = targets_for(contract, kind, level, in_hours)
    if not targets:
        levels = sorted(contract.sla.get(kind, {}))
        raise PreviewError(f"the contract sets no {kind} targets for {level!r} "
                           f"(it has: {', '.join(levels) or 'none for this kind'})")
    try:
        timed = engine_targets(targets, calendar_loader())
    except cals.CalendarNotFound as exc:
        raise PreviewError(f"a calendar of the contract does not exist: {exc}") from None
    try:
        rows = sla.preview(timed, opened, calendar, pauses)
    except sla.SlaError as exc:
        raise PreviewError(str(exc)) from None
    return [PreviewRow(name, dt.datetime.fromisoformat(due),
                       tuple(sorted(set(years) | set(opening_years))))
            for name, due, years in rows]


def format_rows(rows: list[PreviewRow]) -> str:
    """``TARGET DUE`` lines, with `` estimated: no holiday data for YEAR`` where so."""
    return sla.format_preview((r.target, r.due.isoformat(), r.estimated_years) for r in rows)
