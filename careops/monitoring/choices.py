"""Choice sets of monitoring: each value has a label and a Tabler colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CheckKind(models.TextChoices):
    SCRAPE = "scrape", _("Prometheus exporter")
    PING = "ping", _("Ping (ICMP)")
    TCP = "tcp", _("TCP port")
    HTTP = "http", _("HTTP(S)")
    DNS = "dns", _("DNS")
    SSH = "ssh", _("SSH (agentless)")
    POSTGRES = "postgres", _("PostgreSQL")
    MYSQL = "mysql", _("MySQL / MariaDB")
    SOAP = "soap", _("SOAP / HTTP interface")
    MLLP = "mllp", _("HL7 v2 over MLLP")


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Not run yet")
    OK = "ok", _("OK")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Answer rejected")
    TIMEOUT = "timeout", _("No answer")


CHECK_STATUS_COLOURS = {"pending": "secondary", "ok": "green", "failed": "red",
                        "rejected": "orange", "timeout": "red"}


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


SEVERITY_COLOURS = {"critical": "red", "major": "orange", "warning": "yellow", "info": "azure"}
SEVERITY_RANK = {"critical": 0, "major": 1, "warning": 2, "info": 3}


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold")
    ABSENCE = "absence", _("No data")
    RATE = "rate", _("Rate of change")
    FORECAST = "forecast", _("Forecast (time to threshold)")
    ANOMALY = "anomaly", _("Anomaly against the weekly baseline")


class AlertSource(models.TextChoices):
    RULE = "rule", _("CareOps rule")
    CHECK = "check", _("Check failure")
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", pgettext_lazy("alert status", "Resolved")


class Suppression(models.TextChoices):
    NONE = "", _("Not suppressed")
    MAINTENANCE = "maintenance", _("Maintenance window")
    FLAPPING = "flapping", _("Flapping")
    DEPENDENCY = "dependency", _("Folded under its root cause")


# Alert rules (docs/monitoring-rules.md)
class RuleOperator(models.TextChoices):
    GT = ">", ">"
    GE = ">=", "≥"
    LT = "<", "<"
    LE = "<=", "≤"
