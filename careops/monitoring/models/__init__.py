"""Models of monitoring (docs/monitoring.md)."""

from careops.monitoring.models.alerts import (
    Alert,
    AlertGroup,
    AlertReceiver,
    GroupStatus,
    MaintenanceWindow,
    ReceiverKind,
)
from careops.monitoring.models.checks import Check
from careops.monitoring.models.metrics import Rollup, Sample, Series, StoreStatus
from careops.monitoring.models.rules import Rule, RuleState

__all__ = ["Alert", "AlertGroup", "AlertReceiver", "Check", "GroupStatus", "MaintenanceWindow",
           "ReceiverKind", "Rollup", "Rule", "RuleState", "Sample", "Series", "StoreStatus"]
