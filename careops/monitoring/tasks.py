"""Background work of monitoring, run by the Huey consumer of ``careops up``."""

# --- alert rules (part "rules") ---
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def evaluate_alert_rules() -> int:
    """Evaluate the alert rules that are due and hand their signals to the alert
    pipeline (careops.monitoring.actions.alerts.receive, when that part is present)."""
    import importlib

    from careops.monitoring.evaluate import evaluate_due_rules

    signals = evaluate_due_rules()
    try:
        alerts = importlib.import_module("careops.monitoring.actions.alerts")
    except ImportError:
        return len(signals)
    for signal in signals:
        alerts.receive(signal)
    return len(signals)
