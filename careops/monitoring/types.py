"""What the parts of monitoring hand each other: an alert signal is what a rule, a failed
check or an external receiver (Alertmanager, Zabbix) says about one alert; the pipeline
in ``careops.monitoring.actions.alerts.receive`` deduplicates, suppresses, groups and
turns them into tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlertSignal:
    source: str  # choices.AlertSource
    name: str  # the alert's name ("HostDown", "DiskFullSoon" …)
    labels: Mapping[str, str]  # identifying labels: the fingerprint is source + name + these
    status: str  # choices.AlertStatus: "firing" or "resolved"
    severity: str  # choices.Severity
    starts_at: dt.datetime  # aware; when the fault was detected
    summary: str = ""  # one line a person reads
    item_id: int | None = None  # the CMDB item it is about, where known
    value: float | None = None
    ends_at: dt.datetime | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)
    rule_id: int | None = None
    check_id: int | None = None
