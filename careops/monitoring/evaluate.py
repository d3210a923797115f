"""Evaluation of alert rules: what each rule finds now (``evaluate_rules``, run by the
worker every minute) and what it would have found over past data (``preview``).

Both read raw points through the store's ``select`` and evaluate with
careops.logic.promql, so a rule means the same on the embedded store and on
VictoriaMetrics. The pending → firing → resolved machine is careops.logic.rules.

How each kind turns series into matches at a time ``t`` (docs/monitoring-rules.md):

- threshold: the value of ``expr`` at ``t`` ``operator`` ``threshold``;
- rate: value at ``t`` minus value at ``t - window_s``, ``operator`` ``threshold``;
- absence: a series of the expression's selectors with a sample in the last ``seen_s``
  (12 windows by default) but none in the last ``window_s``; or, when no series has any
  sample in ``seen_s``, one match labelled with the selector's equality matchers (as
  ``absent()``); the value is the seconds since the last sample;
- forecast: ``careops.logic.forecast.time_to_threshold`` over the last ``lookback_s`` of
  the series; matches when the threshold is reached within ``horizon_s`` with at least
  ``min_confidence``; the value is the seconds left;
- anomaly: ``careops.logic.anomaly.detect`` of the value at ``t`` against the history of
  the last weeks; matches when anomalous on the side the operator names (``>``: above
  the expected value).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from careops.cmdb.models import ConfigItem
from careops.logic import anomaly, forecast, promql
from careops.logic import rules as logic
from careops.logic.metrics import NAME_LABEL, Matcher, Selector, Series, series_key
from careops.monitoring.actions.rules import ABSENCE_HISTORY
from careops.monitoring.choices import AlertSource, RuleKind
from careops.monitoring.models import Rule, RuleState
from careops.monitoring.storage.base import MetricStore
from careops.monitoring.types import AlertSignal

log = logging.getLogger(__name__)

ITEM_LABEL = "careops_item"
HISTORY_STEP_MS = 300_000  # forecast and anomaly history: one point per 5 minutes
ANOMALY_WEEKS = 4  # weeks of history handed to the anomaly detector (at least min_weeks)
PREVIEW_SLOW_STEP_MS = 3_600_000  # forecast/anomaly previews: one evaluation per hour

Frames = list[tuple[int, dict[str, logic.Observation]]]


def _ms(moment: dt.datetime) -> int:
    if timezone.is_naive(moment):
        raise ValueError("times must be aware")
    return int(moment.timestamp() * 1000)


def _dt(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k != NAME_LABEL}


def _key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def get_default_store() -> MetricStore:
    from careops.monitoring.storage import get_store

    return get_store()


def rule_tree(rule: Rule) -> promql.Expr:
    """The rule's expression, limited to its item's series when it has one."""
    tree = promql.parse(rule.expr)
    if rule.item_id is not None and rule.item is not None:
        # series carry the item's code (CareOps' collector and the file_sd export)
        tree = promql.with_matchers(tree, (Matcher(ITEM_LABEL, "=", rule.item.code),))
    return tree


# --- matches per kind ---------------------------------------------------------------------

def frames(rule: Rule, store: MetricStore, times: list[int]) -> Frames:
    """The matches of ``rule`` at each of ``times`` (evenly spaced, ascending)."""
    tree = rule_tree(rule)
    step = times[1] - times[0] if len(times) > 1 else 60_000
    kind = rule.kind
    if kind == RuleKind.THRESHOLD:
        return _threshold(rule, tree, store, times, step)
    if kind == RuleKind.RATE:
        return _rate(rule, tree, store, times, step)
    if kind == RuleKind.ABSENCE:
        return _absence(rule, tree, store, times)
    if kind == RuleKind.FORECAST:
        return _forecast(rule, tree, store, times)
    if kind == RuleKind.ANOMALY:
        return _anomaly(rule, tree, store, times)
    raise ValueError(f"unknown rule kind {kind!r}")


def _empty(times: list[int]) -> Frames:
    return [(t, {}) for t in times]


def _add(frame: dict[str, logic.Observation], rule: Rule, labels: Mapping[str, str],
         value: float, annotations: Mapping[str, str] | None = None) -> None:
    clean = _labels(labels)
    frame[series_key(rule.code, clean)] = logic.Observation(clean, value, annotations or {})


def _threshold(rule: Rule, tree: promql.Expr, store: MetricStore, times: list[int],
               step: int) -> Frames:
    out = _empty(times)
    index = {t: i for i, t in enumerate(times)}
    for series in promql.evaluate_range(tree, store.select, times[0], times[-1], step):
        for t, v in series.points:
            if logic.compare(v, rule.operator, rule.threshold):
                _add(out[index[t]][1], rule, series.labels, v)
    return out


def _rate(rule: Rule, tree: promql.Expr, store: MetricStore, times: list[int],
          step: int) -> Frames:
    window = int(rule.params["window_s"]) * 1000
    out = _empty(times)
    index = {t: i for i, t in enumerate(times)}
    past = {_key(s.labels): dict(s.points) for s in promql.evaluate_range(
        tree, store.select, times[0] - window, times[-1] - window, step)}
    for series in promql.evaluate_range(tree, store.select, times[0], times[-1], step):
        before = past.get(_key(series.labels))
        if before is None:
            continue
        for t, v in series.points:
            old = before.get(t - window)
            if old is None:
                continue
            delta = v - old
            if logic.compare(delta, rule.operator, rule.threshold):
                _add(out[index[t]][1], rule, series.labels, delta)
    return out


def _absence(rule: Rule, tree: promql.Expr, store: MetricStore, times: list[int]) -> Frames:
    window = int(rule.params["window_s"]) * 1000
    seen = int(rule.params.get("seen_s") or rule.params["window_s"] * ABSENCE_HISTORY) * 1000
    sels = promql.selectors(tree)
    series: list[Series] = []
    for sel in sels:
        plain = Selector(sel.name, sel.matchers)
        series.extend(store.select(plain, times[0] - seen, times[-1]))
    stamps = [[p[0] for p in s.points] for s in series]
    absent_labels = {m.label: m.value for m in sels[0].matchers
                     if m.op == "=" and m.label != NAME_LABEL}
    out = _empty(times)
    for i, t in enumerate(times):
        frame = out[i][1]
        any_seen = False
        for s, ts in zip(series, stamps, strict=True):
            hi = bisect_right(ts, t)
            if not hi or ts[hi - 1] <= t - seen:
                continue
            any_seen = True
            gap = t - ts[hi - 1]
            if gap > window:
                _add(frame, rule, s.labels, gap / 1000)
        if not any_seen:
            _add(frame, rule, absent_labels, seen / 1000)
    return out


def _history(tree: promql.Expr, store: MetricStore, start: int, end: int
             ) -> list[Series]:
    start -= start % HISTORY_STEP_MS
    return promql.evaluate_range(tree, store.select, start, end, HISTORY_STEP_MS)


def _window(points: list[tuple[int, float]], times: list[int], lo_ms: int, hi_ms: int
            ) -> list[tuple[int, float]]:
    return points[bisect_left(times, lo_ms):bisect_right(times, hi_ms)]


def _forecast(rule: Rule, tree: promql.Expr, store: MetricStore, times: list[int]) -> Frames:
    lookback = int(rule.params["lookback_s"]) * 1000
    horizon = float(rule.params["horizon_s"])
    min_conf = float(rule.params.get("min_confidence", 0.5))
    up = logic.rising(rule.operator)
    out = _empty(times)
    for series in _history(tree, store, times[0] - lookback, times[-1]):
        pts = series.points
        stamps = [p[0] for p in pts]
        for i, t in enumerate(times):
            window = _window(pts, stamps, t - lookback + 1, t)
            if len(window) < 2:
                continue
            result = forecast.time_to_threshold(window, rule.threshold, t, rising=up)
            left = result.seconds_to_threshold
            if left is None or left > horizon or result.confidence < min_conf:
                continue
            _add(out[i][1], rule, series.labels, float(left), {
                "confidence": f"{result.confidence:.2f}", "method": str(result.method),
                "slope_per_s": f"{result.slope_per_s:.6g}"})
    return out


def _local_offset_s(t_ms: int) -> int:
    """The offset of the platform's time zone (TIME_ZONE, Asia/Shanghai by default) at
    ``t_ms``: the weekly baseline's hours are local hours."""
    offset = _dt(t_ms).astimezone(timezone.get_default_timezone()).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _anomaly(rule: Rule, tree: promql.Expr, store: MetricStore, times: list[int]) -> Frames:
    sensitivity = float(rule.params.get("sensitivity", 4.0))
    min_weeks = int(rule.params.get("min_weeks", 2))
    span = max(min_weeks, ANOMALY_WEEKS) * 7 * 86_400_000
    up = logic.rising(rule.operator)
    out = _empty(times)
    for series in _history(tree, store, times[0] - span, times[-1]):
        pts = series.points
        stamps = [p[0] for p in pts]
        for i, t in enumerate(times):
            hi = bisect_right(stamps, t)
            if not hi or stamps[hi - 1] <= t - 2 * HISTORY_STEP_MS:
                continue  # no current value
            value = pts[hi - 1][1]
            history = pts[bisect_left(stamps, t - span):hi - 1]
            result = anomaly.detect(history, value, t, tz_offset_s=_local_offset_s(t),
                                    sensitivity=sensitivity, min_weeks=min_weeks)
            if not result.anomalous or (value > result.expected) != up:
                continue
            _add(out[i][1], rule, series.labels, value, {
                "expected": f"{result.expected:.6g}", "low": f"{result.low:.6g}",
                "high": f"{result.high:.6g}", "score": f"{result.score:.3g}"})
    return out


# --- items --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Item:
    id: int
    kind: str
    label: str


def _items(codes: Iterable[str]) -> dict[str, _Item]:
    """Items by the value of their series' careops_item label: the CMDB code (CareOps'
    collector and Prometheus' file_sd)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = ConfigItem.objects.filter(code__in=wanted).values_list("code", "id", "kind", "name")
    return {code: _Item(pk, kind, name or code) for code, pk, kind, name in rows}


def _codes(all_frames: Iterable[Frames]) -> set[str]:
    return {obs.labels.get(ITEM_LABEL, "") for fr in all_frames for _, frame in fr
            for obs in frame.values()}


def _keep_kind(rule: Rule, fr: Frames, items: Mapping[str, _Item]) -> Frames:
    """Only the matches of items of the rule's class (when it names one)."""
    if not rule.item_kind:
        return fr
    out: Frames = []
    for t, frame in fr:
        kept = {}
        for fp, obs in frame.items():
            item = items.get(obs.labels.get(ITEM_LABEL, ""))
            if item is not None and item.kind == rule.item_kind:
                kept[fp] = obs
        out.append((t, kept))
    return out


# --- evaluation ---------------------------------------------------------------------------

def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _due(rule: Rule, now: dt.datetime) -> bool:
    if rule.last_eval_at is None:
        return True
    # a second of slack: a worker tick that comes a little early still evaluates
    return (now - rule.last_eval_at).total_seconds() >= rule.interval_s - 1


def evaluate_rules(now: dt.datetime, *, store: MetricStore | None = None,
                   rules: Iterable[Rule] | None = None) -> list[AlertSignal]:
    """Evaluate the enabled rules that are due (all of ``rules`` when given) at ``now``:
    store each series' pending/firing state, and return an AlertSignal for every firing
    series and one "resolved" signal for every series that stopped firing. A rule that
    fails (bad data, store down) is skipped with its ``last_error`` set; the others go on."""
    store = store or get_default_store()
    now_ms = _ms(now)
    if rules is None:
        chosen = [r for r in Rule.objects.filter(enabled=True).select_related("item")
                  if _due(r, now)]
    else:
        chosen = list(rules)
    computed: list[tuple[Rule, Frames]] = []
    for rule in chosen:
        try:
            computed.append((rule, frames(rule, store, [now_ms])))
        except Exception as exc:  # one rule's failure must not stop the rest
            reason = str(exc)[:500] or type(exc).__name__
            log.warning("rule %s: evaluation failed: %s", rule.code, reason)
            Rule.objects.filter(pk=rule.pk).update(last_eval_at=now, last_error=reason)
    items = _items(_codes(fr for _, fr in computed))
    signals: list[AlertSignal] = []
    for rule, fr in computed:
        [(_, matches)] = _keep_kind(rule, fr, items)
        signals.extend(_advance(rule, matches, now, now_ms, items))
    return signals


def _advance(rule: Rule, matches: dict[str, logic.Observation], now: dt.datetime,
             now_ms: int, items: Mapping[str, _Item]) -> list[AlertSignal]:
    with transaction.atomic():
        rows = {s.fingerprint: s for s in RuleState.objects.select_for_update().filter(
            rule=rule)}
        states = {fp: logic.SeriesState(
            row.labels, _ms(row.pending_since),
            _ms(row.firing_since) if row.firing_since else None,
            row.last_value if row.last_value is not None else math.nan, _ms(row.last_eval))
            for fp, row in rows.items()}
        new_states, alerts = logic.advance(states, matches, now_ms, rule.for_s * 1000)
        gone = [fp for fp in rows if fp not in new_states]
        if gone:
            RuleState.objects.filter(rule=rule, fingerprint__in=gone).delete()
        changed: list[RuleState] = []
        created: list[RuleState] = []
        for fp, st in new_states.items():
            row = rows.get(fp) or RuleState(rule=rule, fingerprint=fp)
            row.labels = dict(st.labels)
            row.pending_since = _dt(st.pending_since_ms)
            row.firing_since = _dt(st.firing_since_ms) if st.firing_since_ms else None
            row.last_value = _finite(st.last_value)
            row.last_eval = now
            (changed if row.pk else created).append(row)
        if changed:
            RuleState.objects.bulk_update(changed, ["labels", "pending_since", "firing_since",
                                                    "last_value", "last_eval"])
        if created:
            RuleState.objects.bulk_create(created)
        Rule.objects.filter(pk=rule.pk).update(last_eval_at=now, last_error="")
    return [_signal(rule, alert, items) for alert in alerts]


def _signal(rule: Rule, alert: logic.Alert, items: Mapping[str, _Item]) -> AlertSignal:
    code = alert.labels.get(ITEM_LABEL, "")
    item = items.get(code)
    template = rule.summary or rule.name
    summary = logic.render_summary(template, value=alert.value,
                                   item=item.label if item else code, labels=alert.labels)
    return AlertSignal(
        source=AlertSource.RULE, name=rule.code, labels=dict(alert.labels),
        status=alert.status, severity=rule.severity, starts_at=_dt(alert.starts_at_ms),
        summary=summary[:500], item_id=item.id if item else None, value=_finite(alert.value),
        ends_at=_dt(alert.ends_at_ms) if alert.ends_at_ms is not None else None,
        annotations=dict(alert.annotations), rule_id=rule.pk)


# --- preview ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FiringInterval:
    labels: dict[str, str]
    start: dt.datetime
    end: dt.datetime | None  # None: still firing at the end of the preview
    peak_value: float | None
    item_id: int | None = None


def preview(rule: Rule, end: dt.datetime, days: int = 7, *,
            store: MetricStore | None = None) -> list[FiringInterval]:
    """What ``rule`` (saved or not) would have fired on the ``days`` before ``end``:
    a replay at the rule's interval (forecast and anomaly rules: one evaluation per hour
    at most), honouring ``for_s``."""
    if not 1 <= days <= 31:
        raise ValueError("days must be from 1 to 31")
    store = store or get_default_store()
    end_ms = _ms(end)
    step = rule.interval_s * 1000
    if rule.kind in (RuleKind.FORECAST, RuleKind.ANOMALY):
        step = max(step, PREVIEW_SLOW_STEP_MS)
    end_ms -= end_ms % step
    start_ms = end_ms - days * 86_400_000
    times = list(range(start_ms, end_ms + 1, step))
    fr = frames(rule, store, times)
    items = _items(_codes([fr]))
    fr = _keep_kind(rule, fr, items)
    higher = logic.rising(rule.operator) if rule.kind != RuleKind.FORECAST else False
    if rule.kind == RuleKind.ABSENCE:
        higher = True
    out = []
    for interval in logic.replay(fr, rule.for_s * 1000, higher_is_worse=higher):
        item = items.get(interval.labels.get(ITEM_LABEL, ""))
        out.append(FiringInterval(
            dict(interval.labels), _dt(interval.start_ms),
            _dt(interval.end_ms) if interval.end_ms is not None else None,
            _finite(interval.peak), item.id if item else None))
    return out


def describe(interval: FiringInterval) -> dict[str, Any]:
    return {"labels": interval.labels, "start": interval.start.isoformat(),
            "end": interval.end.isoformat() if interval.end else None,
            "peak_value": interval.peak_value, "item_id": interval.item_id}
