"""Models of monitoring (docs/monitoring.md)."""

from careops.monitoring.models.checks import Check

__all__ = ["Check"]
