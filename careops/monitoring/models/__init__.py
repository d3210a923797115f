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

__all__ = ["Alert", "AlertGroup", "AlertReceiver", "Check", "GroupStatus", "MaintenanceWindow",
           "ReceiverKind"]
