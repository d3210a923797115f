"""Periodic work of the core app (run by the Huey consumer of ``careops up``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from careops.core import auditlog


@db_periodic_task(crontab(hour=3, minute=17))  # type: ignore[untyped-decorator]
def prune_audit_trail() -> int:
    """Delete audit records beyond the retention; the pruning is itself audited."""
    return auditlog.prune()
