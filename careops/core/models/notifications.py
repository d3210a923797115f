"""Notification channels, the notifications sent through them and each delivery attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careops.core.choices import (
    DeliveryOutcome,
    NotificationKind,
    NotificationSeverity,
    NotificationStatus,
)
from careops.core.models.secrets import Secret


class Channel(models.Model):
    """Where notifications go: a mailbox, a group bot or a webhook.

    ``config`` holds the non-secret settings (see ``careops.core.channel_fields``);
    passwords, signing secrets and the bots' webhook addresses (they embed the access
    key) live in the secret store, referenced by ``secret`` and ``signing_secret``.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    secret = models.ForeignKey(Secret, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("secret"))
    signing_secret = models.ForeignKey(Secret, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("signing secret"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    audit_exclude = frozenset({"updated_at"})
    audit_secret_fields = frozenset({"secret_id", "signing_secret_id"})

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_colour(self) -> str:
        return NotificationKind.colour(self.kind)


class Notification(models.Model):
    """One message for one channel, and where its delivery stands."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE,
                                related_name="notifications", verbose_name=_("channel"))
    event = models.CharField(_("event"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    severity = models.CharField(_("severity"), max_length=10,
                                choices=NotificationSeverity.choices,
                                default=NotificationSeverity.INFO)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=NotificationStatus.choices,
                              default=NotificationStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def status_colour(self) -> str:
        return NotificationStatus.colour(self.status)

    @property
    def severity_colour(self) -> str:
        return NotificationSeverity.colour(self.severity)

    @property
    def is_final(self) -> bool:
        return self.status in (NotificationStatus.SENT, NotificationStatus.FAILED,
                               NotificationStatus.GAVE_UP)


class DeliveryAttempt(models.Model):
    """One try to hand a notification to its channel, with what came back.

    Written as ``running`` before the send; a worker killed mid-send leaves it so,
    and the sweeper marks it ``interrupted``.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="delivery_attempts")
    number = models.PositiveIntegerField(_("attempt"), default=1)
    at = models.DateTimeField(_("time"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    outcome = models.CharField(_("result"), max_length=12, choices=DeliveryOutcome.choices,
                               default=DeliveryOutcome.RUNNING)
    response_code = models.IntegerField(_("response code"), null=True, blank=True)
    response_summary = models.CharField(_("response"), max_length=300, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.notification_id}#{self.number}"

    @property
    def success(self) -> bool:
        return self.outcome == DeliveryOutcome.SUCCESS

    @property
    def outcome_colour(self) -> str:
        return DeliveryOutcome.colour(self.outcome)
