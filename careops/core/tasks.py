"""Background work of the core app, run by the Huey consumer of ``careops up``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from careops.core import auditlog


@db_periodic_task(crontab(hour=3, minute=17))  # type: ignore[untyped-decorator]
def prune_audit_trail() -> int:
    """Delete audit records beyond the retention; the pruning is itself audited."""
    return auditlog.prune()


@db_task(retries=0)  # type: ignore[untyped-decorator]
def deliver_notification(notification_id: int) -> None:
    """One delivery attempt; retries are scheduled by ``notify.deliver`` itself."""
    from careops.core import notify

    notify.deliver(notification_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def sweep_notifications() -> None:
    """Mark attempts of killed workers as interrupted and re-enqueue lost retries."""
    from careops.core import notify

    notify.sweep()
