"""The collection scheduler: claims due checks, runs them in a thread pool, stores what
they return and reports check-status changes (docs/monitoring-store.md).

A collector process (``careops collect [--zone Z]``) loops:

1. claim due checks of its zone: one conditional UPDATE per check moves ``next_run_at``
   one interval on, only if it still holds the value read, so two collectors never run a
   check twice, and a collector killed mid-run leaves the check due again at its next
   interval (the claim *is* the schedule: nothing else to clean up);
2. run them via ``careops.monitoring.collectors.run`` in a ThreadPoolExecutor
   (CAREOPS_COLLECT_WORKERS, default 16); each check has its own timeout, and one that
   overruns it by GRACE_S is recorded as "timeout" without waiting: a target that never
   answers holds up nobody;
3. in the loop's own thread, as each finishes: store the samples with the labels job,
   instance, careops_item (the item's CMDB code, as the file_sd export has it) and
   careops_check, plus ``up``, ``scrape_duration_seconds`` and ``scrape_samples_scraped``
   as Prometheus writes them; update the check's last_* fields;
   a change ok → failed/timeout/rejected or back is an AlertSignal handed to
   ``hooks.after_collect``;
4. every CAREOPS_RULE_INTERVAL_S: flush the store's buffer and call ``hooks.periodic``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.choices import ItemKind, NetworkZone
from careops.logic.promtext import Sample
from careops.monitoring import collectors, hooks
from careops.monitoring.actions.checks import run_params
from careops.monitoring.choices import AlertSource, AlertStatus, CheckKind, CheckStatus, Severity
from careops.monitoring.collectors.base import CheckSpec, CollectResult, Credential
from careops.monitoring.models import Check
from careops.monitoring.storage import MetricStore, get_store
from careops.monitoring.types import AlertSignal

log = logging.getLogger(__name__)

FAILING = frozenset({CheckStatus.FAILED, CheckStatus.TIMEOUT, CheckStatus.REJECTED})
GRACE_S = 5.0  # a check still running this long after its timeout is recorded as timed out
CREDENTIAL_TTL_S = 3600.0  # a revealed credential is reused this long (each reveal is audited)
IDLE_WAIT_S = 1.0
CATCH_UP_S = 60.0  # how often items changed without a signal (bulk imports) are synced
# Kinds that log in with the item's own credential when the check names none.
ITEM_CREDENTIAL_KINDS = frozenset({CheckKind.SSH, CheckKind.POSTGRES, CheckKind.MYSQL})
# The collector of the default zone also runs checks with no zone.
DEFAULT_ZONE = NetworkZone.INTERNAL


@dataclass
class _Run:
    check_id: int
    item_id: int
    item_code: str  # the careops_item label, as the file_sd export writes it
    name: str
    kind: str
    target: str
    job: str
    severity: str
    previous: str
    started_at: dt.datetime
    started: float  # monotonic
    deadline: float  # monotonic


@dataclass
class Outcome:
    """What one check run left: for tests and the command's report."""

    check_id: int
    status: str
    samples: int
    error: str


def severity_of(kind: str, item_kind: str) -> str:
    """Ping or TCP of a host failing means the host is gone: critical; others major."""
    if kind in (CheckKind.PING, CheckKind.TCP) and item_kind == ItemKind.HOST:
        return str(Severity.CRITICAL)
    return str(Severity.MAJOR)


class Collector:
    def __init__(self, *, zone: str | None = None, workers: int | None = None,
                 store: MetricStore | None = None) -> None:
        self.zone = zone or None
        self.workers = workers or settings.CAREOPS_COLLECT_WORKERS
        self.store = store or get_store()
        self.pool = ThreadPoolExecutor(self.workers, thread_name_prefix="careops-collect")
        self.in_flight: dict[Future[CollectResult], _Run] = {}
        self.outcomes: list[Outcome] = []
        self._periodic_at = -math.inf
        self._synced_at: dt.datetime | None = None
        self._catch_up_at = -math.inf

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    # --- claiming ---------------------------------------------------------------------
    def due(self, now: dt.datetime, limit: int) -> list[tuple[int, dt.datetime | None, int]]:
        """(id, next_run_at as read, interval) of due checks of this zone, oldest first."""
        rows = (Check.objects.filter(enabled=True)
                .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)))
        if self.zone is not None:
            zone_q = Q(zone=self.zone)
            if self.zone == DEFAULT_ZONE:
                zone_q |= Q(zone="")
            rows = rows.filter(zone_q)
        busy = [run.check_id for run in self.in_flight.values()]
        if busy:
            rows = rows.exclude(pk__in=busy)
        return list(rows.order_by(F("next_run_at").asc(nulls_first=True), "pk")
                    .values_list("pk", "next_run_at", "interval_s")[:limit])

    @staticmethod
    def take(candidates: list[tuple[int, dt.datetime | None, int]], now: dt.datetime
             ) -> list[int]:
        """Claim ``candidates``: each by a conditional UPDATE that succeeds only if its
        next_run_at is still what was read. Returns the ids this process now owns."""
        claimed = []
        with transaction.atomic():  # one commit for the batch; each UPDATE stays conditional
            for pk, seen, interval in candidates:
                step = dt.timedelta(seconds=max(1, interval))
                # Keep the cadence unless the check fell more than one interval behind.
                base = seen if seen is not None and seen > now - step else now
                rows = Check.objects.filter(pk=pk)
                rows = rows.filter(next_run_at=seen) if seen is not None else rows.filter(
                    next_run_at__isnull=True)
                if rows.update(next_run_at=base + step) == 1:
                    claimed.append(pk)
        return claimed

    def claim(self, now: dt.datetime, limit: int) -> list[Check]:
        ids = self.take(self.due(now, limit), now)
        if not ids:
            return []
        return list(Check.objects.filter(pk__in=ids).select_related("item", "credential"))

    # --- running ----------------------------------------------------------------------
    def credential(self, check: Check) -> Credential | None:
        """The check's own credential or its item's (hosts, databases), from the secret
        store; each revealed value is reused for an hour in this process."""
        from careops.core import secrets

        secret = check.credential
        if secret is None and check.kind in ITEM_CREDENTIAL_KINDS:
            secret = getattr(check.item.specific(), "credential", None)
        if secret is None:
            return None
        value = secrets.reveal_for_reuse(secret, purpose="monitoring checks",
                                         reuse_s=CREDENTIAL_TTL_S)
        if secret.kind == "ssh_key":
            return Credential(username=secret.username, private_key=value)
        return Credential(username=secret.username, password=value)

    def submit(self, checks: list[Check], now: dt.datetime) -> None:
        for check in checks:
            started = time.monotonic()
            run = _Run(check_id=check.pk, item_id=check.item_id, item_code=check.item.code,
                       name=str(check),
                       kind=check.kind, target=check.target,
                       job=str(check.params.get("job") or check.kind),
                       severity=severity_of(check.kind, check.item.kind),
                       previous=check.last_status, started_at=now, started=started,
                       deadline=started + check.timeout_s + GRACE_S)
            try:
                spec = CheckSpec(kind=check.kind, target=check.target, params=run_params(check),
                                 timeout_s=check.timeout_s, credential=self.credential(check),
                                 state=check.state or {})
            except Exception as exc:
                log.warning("check %s: no credential: %s", check.pk, type(exc).__name__)
                self.record(run, CollectResult([], CheckStatus.FAILED,
                                               _("The credential cannot be read.")), 0.0)
                continue
            self.in_flight[self.pool.submit(collectors.run, spec)] = run

    def harvest(self, wait_s: float) -> list[AlertSignal]:
        """Record the checks that finish within ``wait_s`` (and those past their deadline)."""
        signals: list[AlertSignal] = []
        if not self.in_flight:
            return signals
        done, _pending = wait(list(self.in_flight), timeout=max(0.0, wait_s),
                              return_when=FIRST_COMPLETED)
        now = time.monotonic()
        for future in list(self.in_flight):
            run = self.in_flight[future]
            if future in done:
                del self.in_flight[future]
                try:
                    result = future.result()
                except Exception as exc:
                    log.exception("check %s: collector raised", run.check_id)
                    result = CollectResult([], CheckStatus.FAILED, type(exc).__name__)
            elif now > run.deadline:
                del self.in_flight[future]
                future.cancel()
                result = CollectResult([], CheckStatus.TIMEOUT, _("No answer within the timeout."))
            else:
                continue
            signal = self.record(run, result, now - run.started)
            if signal is not None:
                signals.append(signal)
        if signals:
            self._call(hooks.after_collect, signals)
        return signals

    def record(self, run: _Run, result: CollectResult, duration_s: float) -> AlertSignal | None:
        """Store the samples of one run, update its check; a status change is a signal."""
        status = result.status if result.status in CheckStatus.values else CheckStatus.FAILED
        ok = status == CheckStatus.OK
        samples = list(result.samples)
        # Prometheus' own series of every target, unless the collector gave them itself
        given = {s.name for s in samples if not s.labels}
        meta = [meta for meta in (Sample("up", {}, 1.0 if ok else 0.0),
                                  Sample("scrape_duration_seconds", {}, round(duration_s, 6)),
                                  Sample("scrape_samples_scraped", {}, float(len(samples))))
                if meta.name not in given]
        extra = {"job": run.job, "instance": run.target, "careops_item": run.item_code,
                 "careops_check": str(run.check_id)}
        stored = 0
        try:
            stored = self.store.write(samples + meta, default_ts_ms=int(
                run.started_at.timestamp() * 1000), extra_labels=extra)
        except Exception:
            log.exception("check %s: samples not stored", run.check_id)
        error = "" if ok else (result.error or str(CheckStatus(status).label))[:500]
        Check.objects.filter(pk=run.check_id).update(
            last_run_at=run.started_at, last_status=status, last_error=error,
            last_duration_ms=int(duration_s * 1000), last_samples=len(samples),
            consecutive_failures=0 if ok else F("consecutive_failures") + 1,
            state=result.state or {})
        self.outcomes.append(Outcome(run.check_id, status, stored, error))
        return self.signal(run, status, error)

    @staticmethod
    def signal(run: _Run, status: str, error: str) -> AlertSignal | None:
        failing, was_failing = status in FAILING, run.previous in FAILING
        if failing == was_failing or (not failing and status != CheckStatus.OK):
            return None
        now = timezone.now()
        # the check alone identifies the alert: renaming the item's code does not orphan it
        labels = {"careops_check": str(run.check_id)}
        if failing:
            summary = _("%(check)s failed: %(reason)s") % {"check": run.name, "reason": error}
        else:
            summary = _("%(check)s is working again") % {"check": run.name}
        return AlertSignal(
            source=AlertSource.CHECK, name="CheckFailed", labels=labels,
            status=AlertStatus.FIRING if failing else AlertStatus.RESOLVED,
            severity=run.severity, starts_at=run.started_at, summary=summary[:300],
            item_id=run.item_id, value=0.0 if failing else 1.0,
            ends_at=None if failing else now, check_id=run.check_id,
            annotations={"status": status, "error": error} if failing else {})

    # --- loops ------------------------------------------------------------------------
    def tick(self, wait_s: float = IDLE_WAIT_S) -> list[AlertSignal]:
        """Claim what is due (as many as there are free workers), then record what
        finishes within ``wait_s``."""
        now = timezone.now()
        free = self.workers * 2 - len(self.in_flight)
        if free > 0:
            self.submit(self.claim(now, free), now)
        signals = self.harvest(wait_s)
        if time.monotonic() - self._periodic_at >= settings.CAREOPS_RULE_INTERVAL_S:
            self.periodic()
        return signals

    def catch_up(self) -> None:
        """Sync the checks of items changed without a signal (bulk imports): all items
        when the process starts, then those changed since the last pass."""
        from careops.monitoring.actions.checks import sync_all

        self._catch_up_at = time.monotonic()
        started = timezone.now()
        try:
            sync_all(changed_since=None if self._synced_at is None
                     else self._synced_at - dt.timedelta(seconds=CATCH_UP_S))
        except Exception:
            log.exception("syncing checks with the CMDB failed")
            return
        self._synced_at = started

    def periodic(self) -> None:
        self._periodic_at = time.monotonic()
        if time.monotonic() - self._catch_up_at >= CATCH_UP_S:
            self.catch_up()
        try:
            self.store.flush()
        except Exception:
            log.exception("metric store flush failed")
        self._call(hooks.periodic, timezone.now())

    def run_once(self) -> list[AlertSignal]:
        """Run every check that is due now, wait for all of them (or their deadlines)."""
        signals: list[AlertSignal] = []
        now = timezone.now()
        while True:
            checks = self.claim(now, 500)
            if not checks:
                break
            self.submit(checks, now)
        while self.in_flight:
            signals += self.harvest(IDLE_WAIT_S)
        self.periodic()
        return signals

    def run_forever(self, stop: threading.Event) -> None:
        log.info("collector started (zone %s, %d workers)", self.zone or "all", self.workers)
        while not stop.is_set():
            close_old_connections()
            try:
                self.tick()
            except Exception:
                log.exception("collector tick failed")
                stop.wait(IDLE_WAIT_S)
            if not self.in_flight:
                stop.wait(IDLE_WAIT_S)
        self.close()

    @staticmethod
    def _call(functions: list[Any], argument: Any) -> None:
        for function in list(functions):
            try:
                function(argument)
            except Exception:
                log.exception("monitoring hook %r failed", function)
