"""Models of monitoring (docs/monitoring.md)."""

from careops.monitoring.models.checks import Check
from careops.monitoring.models.metrics import Rollup, Sample, Series, StoreStatus

__all__ = ["Check", "Rollup", "Sample", "Series", "StoreStatus"]
