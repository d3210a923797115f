"""Background work of monitoring, run by the Huey consumer of ``careops up``."""

# --- alerts (docs/monitoring-alerts.md) --------------------------------------------------
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def reevaluate_alerts() -> None:
    """Re-evaluate the firing alerts: maintenance windows that began or ended, flapping
    that settled — receivers such as Alertmanager repeat an alert only every few hours."""
    from careops.monitoring.actions import alerts

    alerts.reevaluate()
