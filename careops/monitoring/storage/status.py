"""The ``StoreStatus`` row of a backend: what the pages show about the metric store's
health (buffered samples, samples lost beyond the buffer's bound, the last error)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone


@dataclass(frozen=True)
class StatusView:
    backend: str
    reachable: bool
    buffered: int
    dropped: int
    written: int
    last_error: str
    last_error_at: dt.datetime | None
    last_flush_at: dt.datetime | None
    rolled_up_at: dt.datetime | None

    @property
    def ok(self) -> bool:
        return self.reachable and not self.buffered and not self.dropped


def record(backend: str, *, reachable: bool | None = None, buffered: int | None = None,
           dropped: int = 0, written: int = 0, error: str | None = None,
           flushed: bool = False, rolled_up: bool = False) -> None:
    """Update the backend's row: counters ``dropped`` and ``written`` are added (several
    processes may write), ``buffered`` is this process's level. Never raises: the status is
    a report, and a report must not stop the collection it reports on."""
    from careops.monitoring.models import StoreStatus

    now = timezone.now()
    fields: dict[str, object] = {}
    if reachable is not None:
        fields["reachable"] = reachable
    if buffered is not None:
        fields["buffered"] = buffered
    if dropped:
        fields["dropped"] = F("dropped") + dropped
    if written:
        fields["written"] = F("written") + written
    if error is not None:
        fields["last_error"] = error[:500]
        fields["last_error_at"] = now
    if flushed:
        fields["last_flush_at"] = now
    if rolled_up:
        fields["rolled_up_at"] = now
    try:
        StoreStatus.objects.get_or_create(backend=backend)
        if fields:
            StoreStatus.objects.filter(backend=backend).update(updated_at=now, **fields)
    except DatabaseError:  # pragma: no cover - the database itself is down
        pass


def current(backend: str | None = None) -> StatusView:
    """The status of ``backend`` (default: the configured one)."""
    from django.conf import settings

    from careops.monitoring.models import StoreStatus

    backend = backend or settings.CAREOPS_METRICS_BACKEND
    row = StoreStatus.objects.filter(backend=backend).first()
    if row is None:
        return StatusView(backend, True, 0, 0, 0, "", None, None, None)
    return StatusView(row.backend, row.reachable, row.buffered, row.dropped, row.written,
                      row.last_error, row.last_error_at, row.last_flush_at, row.rolled_up_at)
