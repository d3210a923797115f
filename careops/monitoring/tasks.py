"""Background work of monitoring, run by the Huey consumer of ``careops up``."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def reevaluate_alerts() -> None:
    """Re-evaluate the firing alerts: maintenance windows that began or ended, flapping
    that settled — receivers such as Alertmanager repeat an alert only every few hours."""
    from careops.monitoring.actions import alerts

    alerts.reevaluate()


@db_periodic_task(crontab(minute="23"))  # type: ignore[untyped-decorator]
def downsample_metrics() -> int:
    """Embedded store: roll raw samples past CAREOPS_METRICS_RAW_DAYS into 5-minute rollups,
    delete rollups past CAREOPS_METRICS_ROLLUP_DAYS (docs/monitoring-store.md)."""
    from django.conf import settings

    from careops.monitoring.storage import status
    from careops.monitoring.storage.embedded import downsample

    if settings.CAREOPS_METRICS_BACKEND != "embedded":
        return 0
    outcome = downsample()
    status.record("embedded", rolled_up=True)
    return outcome.rolled_samples
