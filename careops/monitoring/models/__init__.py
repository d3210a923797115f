"""Models of monitoring (docs/monitoring.md)."""

from careops.monitoring.models.checks import Check
from careops.monitoring.models.rules import Rule, RuleState

__all__ = ["Check", "Rule", "RuleState"]
