"""How the parts of monitoring hand on to each other (installed once, in AppConfig.ready):
the collector's check-status changes and the rule evaluation feed the alert pipeline."""

from __future__ import annotations

from careops.monitoring import hooks
from careops.monitoring.types import AlertSignal


def receive_signals(signals: list[AlertSignal]) -> None:
    from careops.monitoring.actions import alerts

    alerts.receive(signals)


def install() -> None:
    if receive_signals not in hooks.after_collect:
        hooks.after_collect.append(receive_signals)

