"""Background work of the service desk, run by the Huey consumer of ``careops up``
(Huey's Django integration imports every app's ``tasks`` module)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def check_sla() -> int:
    """Send the SLA warnings and breach notices that are due (docs/servicedesk.md)."""
    from careops.servicedesk.actions import escalation

    return len(escalation.check_sla())


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def auto_confirm() -> int:
    """Confirm and close resolved tickets left unanswered for N working days."""
    from careops.servicedesk.actions import escalation

    return len(escalation.auto_confirm())
