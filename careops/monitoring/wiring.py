"""How the parts of monitoring hand on to each other (installed once, in AppConfig.ready):
the collector's check-status changes and the rule evaluation feed the alert pipeline."""

from __future__ import annotations

import datetime as dt

from careops.monitoring import hooks
from careops.monitoring.types import AlertSignal


def receive_signals(signals: list[AlertSignal]) -> None:
    from careops.monitoring.actions import alerts

    alerts.receive(signals)


def evaluate_rules(now: dt.datetime) -> None:
    """Every CAREOPS_RULE_INTERVAL_S from the collector loop: the due rules, their signals
    into the pipeline."""
    from careops.monitoring.evaluate import evaluate_rules as evaluate

    signals = evaluate(now)
    if signals:
        receive_signals(signals)


def install() -> None:
    if receive_signals not in hooks.after_collect:
        hooks.after_collect.append(receive_signals)
    if evaluate_rules not in hooks.periodic:
        hooks.periodic.append(evaluate_rules)

