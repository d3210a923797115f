"""Alerts, alert groups, maintenance windows and the webhook receivers that feed them
(docs/monitoring-alerts.md).

An alert is one fault as its source names it (fingerprint = source + name + labels).
While it fires, ``open_key`` holds its fingerprint: a unique column that is NULL once
it resolves, so at most one open alert per fingerprint exists on every database
(PostgreSQL, MariaDB and SQLite all allow many NULLs in a unique column). Alerts fold
into alert groups; a group is one incident ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.models import ConfigItem
from careops.monitoring.choices import AlertSource, AlertStatus, Severity, Suppression


class GroupStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert group status", "Open")
    CLOSED = "closed", pgettext_lazy("alert group status", "Closed")


class ReceiverKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")


class AlertGroup(models.Model):
    """Alerts of one root cause or business system that arrived together: one incident."""

    key = models.CharField(_("key"), max_length=100, db_index=True)
    open_key = models.CharField(
        max_length=100, null=True, blank=True, unique=True, editable=False,
        help_text="The key while the group is open, NULL after: one open group per key.")
    root_item = models.ForeignKey(ConfigItem, verbose_name=_("root item"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    root_cause = models.TextField(_("probable root cause"), blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices,
                                default=Severity.WARNING)
    status = models.CharField(_("status"), max_length=8, choices=GroupStatus.choices,
                              default=GroupStatus.OPEN, db_index=True)
    ticket = models.ForeignKey("servicedesk.Ticket", verbose_name=_("ticket"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="alert_groups")
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert group")
        verbose_name_plural = _("alert groups")
        indexes = [models.Index(fields=["key", "status"], name="monitoring_group_key_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.key}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:alert_group", args=[self.pk])


class Alert(models.Model):
    fingerprint = models.CharField(_("fingerprint"), max_length=64, db_index=True)
    open_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False,
        help_text="The fingerprint while the alert fires, NULL after: one open alert each.")
    source = models.CharField(_("source"), max_length=16, choices=AlertSource.choices)
    name = models.CharField(_("name"), max_length=200)
    labels = models.JSONField(_("labels"), default=dict)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices,
                              db_index=True)
    item = models.ForeignKey(ConfigItem, verbose_name=_("item"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="alerts")
    rule_id = models.IntegerField(_("rule"), null=True, blank=True, db_index=True)
    check_id = models.IntegerField(_("check"), null=True, blank=True, db_index=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    starts_at = models.DateTimeField(_("started"))
    ends_at = models.DateTimeField(_("ended"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    state_changes = models.JSONField(
        _("recent state changes"), default=list, blank=True,
        help_text=_("When it fired or resolved within the flapping window (ISO 8601)."))
    flapping = models.BooleanField(_("flapping"), default=False)
    suppression = models.CharField(_("suppression"), max_length=16, choices=Suppression.choices,
                                   default=Suppression.NONE, blank=True)
    suppressed_by = models.ForeignKey(
        "self", verbose_name=_("root-cause alert"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="folded")
    group = models.ForeignKey(AlertGroup, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="alerts")

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["status", "severity"], name="monitoring_alert_state")]

    def __str__(self) -> str:
        return f"{self.name} {self.fingerprint[:8]}"

    def get_absolute_url(self) -> str:
        if self.group_id:
            return reverse("monitoring:alert_group", args=[self.group_id])
        return reverse("monitoring:alert_list")


class MaintenanceWindow(models.Model):
    """While a window runs, alerts on its items — and on everything that runs on or
    depends on them — are recorded but open no ticket."""

    items = models.ManyToManyField(ConfigItem, verbose_name=_("items"),
                                   related_name="maintenance_windows")
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, on_delete=models.PROTECT, related_name="+")
    change = models.ForeignKey("servicedesk.Ticket", verbose_name=_("change"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [models.CheckConstraint(
            condition=models.Q(ends_at__gt=models.F("starts_at")),
            name="monitoring_window_ordered")]

    def __str__(self) -> str:
        return f"{self.reason} {self.starts_at:%Y-%m-%d %H:%M}"


class AlertReceiver(models.Model):
    """A webhook sender (an Alertmanager, a Zabbix server) with its own bearer token;
    only the token's SHA-256 is kept."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReceiverKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    audit_exclude = frozenset({"token_hash"})

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert receiver")
        verbose_name_plural = _("alert receivers")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
