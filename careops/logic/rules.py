"""The state machine of alert rules, and the replay a rule preview runs. Pure Python.

Each rule evaluation gives the series whose condition holds now (*matches*, keyed by a
fingerprint of their labels). :func:`advance` carries each series through

    (nothing) ──holds──▶ pending ──holds for ``for_ms``──▶ firing ──stops holding──▶ resolved
                           └──────stops holding──▶ (nothing, silently)

as Prometheus alerting rules do: ``starts_at`` of an alert is when its condition first
held (the start of *pending*), a firing alert is reported at every evaluation while it
holds (the alert pipeline deduplicates by fingerprint), and once more as resolved when it
stops. With ``for_ms`` 0 a match fires at once.

:func:`replay` runs the same machine over a sequence of evaluations (a rule preview) and
returns the intervals the rule would have fired, with the extreme value of each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

OPERATORS = (">", ">=", "<", "<=")
FIRING, RESOLVED = "firing", "resolved"


def compare(value: float, op: str, threshold: float) -> bool:
    """``value op threshold``; NaN never matches."""
    if op == ">":
        return value > threshold
    if op == ">=":
        return value >= threshold
    if op == "<":
        return value < threshold
    if op == "<=":
        return value <= threshold
    raise ValueError(f"unknown operator {op!r}")


def rising(op: str) -> bool:
    """Whether the condition is about a value going up (``>``/``>=``)."""
    return op in (">", ">=")


@dataclass(frozen=True, slots=True)
class Observation:
    """A series whose condition holds at this evaluation, with the value to report."""

    labels: Mapping[str, str]
    value: float
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeriesState:
    labels: Mapping[str, str]
    pending_since_ms: int
    firing_since_ms: int | None
    last_value: float
    last_eval_ms: int


@dataclass(frozen=True, slots=True)
class Alert:
    fingerprint: str
    labels: Mapping[str, str]
    status: str  # FIRING or RESOLVED
    starts_at_ms: int  # when the condition first held
    value: float
    ends_at_ms: int | None = None
    new: bool = False  # firing for the first time at this evaluation
    annotations: Mapping[str, str] = field(default_factory=dict)


def advance(states: Mapping[str, SeriesState], matches: Mapping[str, Observation],
            now_ms: int, for_ms: int) -> tuple[dict[str, SeriesState], list[Alert]]:
    """The states after an evaluation at ``now_ms`` that found ``matches``, and the alerts
    to report: every firing series (``new`` on the first time) and every series that
    stopped firing (resolved, ``ends_at_ms`` = now). Pending series that stop holding
    are dropped without an alert."""
    if for_ms < 0:
        raise ValueError("for_ms must not be negative")
    out: dict[str, SeriesState] = {}
    alerts: list[Alert] = []
    for fp, obs in matches.items():
        old = states.get(fp)
        pending_since = old.pending_since_ms if old is not None else now_ms
        firing_since = old.firing_since_ms if old is not None else None
        new = False
        if firing_since is None and now_ms - pending_since >= for_ms:
            firing_since, new = now_ms, True
        out[fp] = SeriesState(dict(obs.labels), pending_since, firing_since, obs.value, now_ms)
        if firing_since is not None:
            alerts.append(Alert(fp, dict(obs.labels), FIRING, pending_since, obs.value,
                                new=new, annotations=dict(obs.annotations)))
    for fp, old in states.items():
        if fp in matches or old.firing_since_ms is None:
            continue
        alerts.append(Alert(fp, dict(old.labels), RESOLVED, old.pending_since_ms,
                            old.last_value, ends_at_ms=now_ms))
    return out, alerts


@dataclass(slots=True)
class Interval:
    """One stretch a series would have fired: from when its condition first held
    (``start_ms``) to when it stopped (``end_ms``, None while still firing)."""

    fingerprint: str
    labels: Mapping[str, str]
    start_ms: int
    end_ms: int | None
    peak: float


def replay(frames: Iterable[tuple[int, Mapping[str, Observation]]], for_ms: int,
           higher_is_worse: bool = True) -> list[Interval]:
    """Run :func:`advance` over ``frames`` (evaluation time and matches, in time order)
    and collect the firing intervals, each with its peak (the highest value, or the
    lowest when ``higher_is_worse`` is False). Sorted by start, then labels."""
    states: dict[str, SeriesState] = {}
    open_: dict[str, Interval] = {}
    done: list[Interval] = []
    pick = max if higher_is_worse else min
    for now_ms, matches in frames:
        states, alerts = advance(states, matches, now_ms, for_ms)
        for alert in alerts:
            if alert.status == RESOLVED:
                closed = open_.pop(alert.fingerprint)
                closed.end_ms = alert.ends_at_ms
                done.append(closed)
                continue
            interval = open_.get(alert.fingerprint)
            if interval is None:
                open_[alert.fingerprint] = Interval(alert.fingerprint, alert.labels,
                                                    alert.starts_at_ms, None, alert.value)
            elif not math.isnan(alert.value):
                interval.peak = (alert.value if math.isnan(interval.peak)
                                 else pick(interval.peak, alert.value))
    done.extend(open_.values())
    done.sort(key=lambda i: (i.start_ms, sorted(i.labels.items())))
    return done


# --- summaries ------------------------------------------------------------------------

_FIELD_RE = re.compile(r"\{(value|item|duration|labels\[([a-zA-Z_][a-zA-Z0-9_]*)\])\}")


def format_value(value: float) -> str:
    """A value as a person reads it: whole numbers as such, else four significant digits
    (one decimal from 1000 up)."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if 1000 <= abs(value) < 1e15:
        return f"{value:.1f}"
    return f"{value:.4g}"


def format_duration_s(seconds: float) -> str:
    """``3d 4h``, ``2h 5m``, ``45s``: the two largest units."""
    if math.isnan(seconds) or math.isinf(seconds):
        return str(seconds)
    s = round(abs(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if s >= size or (unit == "s" and not parts):
            parts.append(f"{s // size}{unit}")
            s %= size
        if len(parts) == 2:
            break
    return ("-" if seconds < 0 else "") + " ".join(parts)


def render_summary(template: str, *, value: float, item: str,
                   labels: Mapping[str, str]) -> str:
    """Fill ``{value}``, ``{duration}`` (the value as seconds, e.g. ``3d 4h``), ``{item}``
    and ``{labels[name]}`` into ``template``; anything else stays as written."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "value":
            return format_value(value)
        if name == "duration":
            return format_duration_s(value)
        if name == "item":
            return item
        return labels.get(m.group(2) or "", "")

    return _FIELD_RE.sub(one, template)
