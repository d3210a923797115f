"""VictoriaMetrics (or any store with its import/export API) as the metric store.

Writes go to ``/api/v1/import/prometheus`` as exposition text with timestamps; ``select``
reads raw points from ``/api/v1/export`` and ``query_range`` asks ``/api/v1/query_range``
(PromQL, VictoriaMetrics' MetricsQL superset).

When the store does not answer, written samples wait in a bounded in-process buffer
(CAREOPS_METRICS_BUFFER_SAMPLES, default 500,000) and are sent in order once it answers
again; beyond the bound the oldest are dropped and counted. Retries back off from 1 s to
30 s. The buffer level, the drops and the last error are saved to ``StoreStatus`` for
the pages (at most every few seconds, and at once when reachability changes).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Collection, Sequence
from typing import Any

from careops.logic.metrics import NAME_LABEL, Selector, Series
from careops.logic.promtext import Sample, escape_label_value, format_value
from careops.monitoring.storage import status
from careops.monitoring.storage.base import (
    MetricStore,
    StoreError,
    StoreHealth,
    item_label_values,
)
from careops.monitoring.storage.embedded import merge_labels

log = logging.getLogger(__name__)

SEND_LINES = 50_000  # lines per import request
STATUS_EVERY_S = 5.0
BACKOFF_MIN_S = 1.0
BACKOFF_MAX_S = 30.0
MAX_ANSWER_BYTES = 256 * 1024 * 1024




def format_line(name: str, labels: dict[str, str], value: float, ts_ms: int) -> str:
    inner = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels.items() if k != NAME_LABEL)
    return f"{name}{{{inner}}} {format_value(value)} {ts_ms}"


def selector_text(selector: Selector) -> str:
    """``selector`` as PromQL text (a selector must match something: a bare ``{}`` becomes
    ``{__name__=~".+"}``)."""
    parts = [f'{m.label}{m.op}"{escape_label_value(m.value)}"' for m in selector.matchers]
    if selector.name is None and not any(m.value and m.op in ("=", "=~") for m in
                                         selector.matchers):
        parts.insert(0, '__name__=~".+"')
    return f"{selector.name or ''}{{{','.join(parts)}}}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class VictoriaMetricsStore(MetricStore):
    name = "victoriametrics"

    def __init__(self, url: str, *, buffer_samples: int = 500_000, timeout_s: float = 10.0,
                 record_status: bool = True) -> None:
        self.url = url.rstrip("/")
        self.buffer_samples = buffer_samples
        self.timeout_s = timeout_s
        self.record_status = record_status
        self._buffer: deque[str] = deque()
        self._lock = threading.Lock()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
        self.dropped = 0
        self.reachable = True
        self.last_error = ""
        self._retry_at = 0.0
        self._backoff = BACKOFF_MIN_S
        self._unsaved_dropped = 0
        self._unsaved_written = 0
        self._status_at = 0.0

    # --- HTTP ------------------------------------------------------------------------
    def _request(self, path: str, *, params: dict[str, Any] | None = None,
                 body: bytes | None = None) -> bytes:
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        method = "POST" if body is not None else "GET"
        # The URL is the configured store's (http/https, checked by the settings).
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.timeout_s) as answer:
                return bytes(answer.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as exc:
            reason = _error_reason(exc)
            raise StoreError(f"VictoriaMetrics answered {exc.code}: {reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = str(getattr(exc, "reason", None) or exc)
            raise StoreError(f"VictoriaMetrics is unreachable: {reason}") from None

    # --- writing ---------------------------------------------------------------------
    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def write(self, samples: Sequence[Sample], *, default_ts_ms: int,
              extra_labels: dict[str, str] | None = None) -> int:
        extra = tuple(sorted(extra_labels.items())) if extra_labels else ()
        lines = []
        for sample in samples:
            labels = merge_labels(sample.labels, extra) if extra else dict(sample.labels)
            ts = sample.timestamp_ms if sample.timestamp_ms is not None else default_ts_ms
            lines.append(format_line(sample.name, labels, sample.value, ts))
        with self._lock:
            self._buffer.extend(lines)
            overflow = len(self._buffer) - self.buffer_samples
            if overflow > 0:
                for _ in range(overflow):
                    self._buffer.popleft()
                self.dropped += overflow
                self._unsaved_dropped += overflow
                log.warning("metric buffer full: dropped the %d oldest samples", overflow)
            self._flush_locked(force=False)
        return len(lines)

    def flush(self, *, force: bool = True) -> None:
        """Send what is buffered (``force`` ignores the retry back-off) and save the status
        (the collector calls it every rule interval)."""
        with self._lock:
            self._status_at = -math.inf
            self._flush_locked(force=force)

    def _flush_locked(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and not self.reachable and now < self._retry_at:
            self._save_status(now, changed=False)
            return
        was_reachable = self.reachable
        sent_any = False
        while self._buffer:
            count = min(SEND_LINES, len(self._buffer))
            body = "\n".join(self._buffer[i] for i in range(count)).encode() + b"\n"
            try:
                self._request("/api/v1/import/prometheus", body=body)
            except StoreError as exc:
                self.reachable = False
                self.last_error = str(exc)
                self._retry_at = now + self._backoff
                self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)
                if was_reachable:
                    log.warning("metric store: %s; buffering", exc)
                break
            for _ in range(count):
                self._buffer.popleft()
            self._unsaved_written += count
            self.reachable = True
            self._backoff = BACKOFF_MIN_S
            sent_any = True
        self._save_status(now, changed=was_reachable != self.reachable,
                          flushed=sent_any and not was_reachable)

    def _save_status(self, now: float, *, changed: bool, flushed: bool = False) -> None:
        if not self.record_status or (not changed and now - self._status_at < STATUS_EVERY_S):
            return
        self._status_at = now
        status.record(self.name, reachable=self.reachable, buffered=len(self._buffer),
                      dropped=self._unsaved_dropped, written=self._unsaved_written,
                      error=None if self.reachable else self.last_error,
                      flushed=flushed or (self.reachable and not self._buffer))
        self._unsaved_dropped = 0
        self._unsaved_written = 0

    # --- reading ---------------------------------------------------------------------
    def select(self, selector: Selector, start_ms: int, end_ms: int) -> list[Series]:
        answer = self._request("/api/v1/export", params={
            "match[]": selector_text(selector), "start": _seconds(start_ms),
            "end": _seconds(end_ms)})
        merged: dict[tuple[tuple[str, str], ...], dict[int, float]] = {}
        for line in answer.splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                labels = {str(k): str(v) for k, v in row["metric"].items()}
                points = zip(row["timestamps"], row["values"], strict=True)
            except (ValueError, KeyError, TypeError):
                raise StoreError("VictoriaMetrics sent an export line that is not JSON") from None
            target = merged.setdefault(tuple(sorted(labels.items())), {})
            for ts, value in points:
                if start_ms <= int(ts) <= end_ms:
                    target[int(ts)] = _float(value)
        return [Series(labels=dict(key), points=sorted(points.items()))
                for key, points in merged.items() if points]

    def query_range(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> list[Series]:
        return self._query_range(expr, start_ms, end_ms, step_ms, {})

    def query_range_scoped(self, expr: str, start_ms: int, end_ms: int, step_ms: int, *,
                           item_ids: Collection[int]) -> list[Series]:
        """VictoriaMetrics applies ``extra_filters[]`` to every selector of the
        expression: it reads only the series of ``item_ids``."""
        if not item_ids:
            return []
        # codes are slugs ([-a-zA-Z0-9_]): nothing to escape in the regex
        codes = sorted(item_label_values(item_ids))
        if not codes:
            return []
        pattern = "|".join(codes)
        return self._query_range(expr, start_ms, end_ms, step_ms, {
            "extra_filters[]": f'{{careops_item=~"{pattern}"}}'})

    def _query_range(self, expr: str, start_ms: int, end_ms: int, step_ms: int,
                     extra: dict[str, str]) -> list[Series]:
        answer = self._request("/api/v1/query_range", params={
            "query": expr, "start": _seconds(start_ms), "end": _seconds(end_ms),
            "step": f"{max(step_ms, 1)}ms", **extra})
        try:
            data = json.loads(answer)
            result = data["data"]["result"]
            return [Series(labels={str(k): str(v) for k, v in row["metric"].items()},
                           points=[(round(float(ts) * 1000), _float(value))
                                   for ts, value in row["values"]])
                    for row in result]
        except (ValueError, KeyError, TypeError):
            raise StoreError("VictoriaMetrics sent an answer that is not a range result") from None

    def health(self) -> StoreHealth:
        try:
            self._request("/health")
            reachable, detail = True, ""
        except StoreError as exc:
            reachable, detail = False, str(exc)
        return StoreHealth(self.name, reachable=reachable, buffered=len(self._buffer),
                           dropped=self.dropped, detail=detail)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _error_reason(exc: urllib.error.HTTPError) -> str:
    """The store's own error text (it is our store, not a monitored target), shortened."""
    try:
        body = exc.read(2000).decode("utf-8", "replace")
    except OSError:
        return str(exc.reason)
    try:
        body = str(json.loads(body).get("error", body))
    except (ValueError, AttributeError):
        pass
    return " ".join(body.split())[:300] or str(exc.reason)
