"""Background work of the contracts app, run by the Huey consumer of ``careops up``:
the obligation tracker's daily sync and hourly overdue notices (docs/obligations.md)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour=2, minute=41))  # type: ignore[untyped-decorator]
def sync_obligations() -> int:
    """Create the occurrences every active contract owes (idempotent); the number of
    contracts whose occurrences changed."""
    from careops.contracts.actions import obligations

    return sum(1 for r in obligations.sync_all().values() if r.changed)


@db_periodic_task(crontab(minute=7))  # type: ignore[untyped-decorator]
def notify_overdue_obligations() -> int:
    """Notify, once each, the occurrences that went past their deadline."""
    from careops.contracts.actions import obligations

    return obligations.notify_overdue()
