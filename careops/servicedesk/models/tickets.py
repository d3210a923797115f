"""Tickets and their append-only timeline (docs/servicedesk.md).

A ticket's SLA clocks are never stored: careops.servicedesk.clocks derives them from
the timeline each time. ``version`` grows by one with every change, so that two
engineers acting on one ticket at once cannot overwrite each other (the second gets
a conflict, see careops.servicedesk.actions).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.models import BusinessSystem, ConfigItem, Vendor
from careops.contracts.models import ContractVersion


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    BUG = "bug", _("Bug")
    CHANGE = "change", _("Change")
    PROBLEM = "problem", _("Problem")


PREFIXES = {Kind.INCIDENT: "INC", Kind.REQUEST: "REQ", Kind.BUG: "BUG", Kind.CHANGE: "CHG",
            Kind.PROBLEM: "PRB"}


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")


# Every status of every kind (careops.logic.ticket_flow says which kind has which).
STATUS_LABELS: dict[str, Any] = {
    "new": pgettext_lazy("ticket status", "New"),
    "acknowledged": pgettext_lazy("ticket status", "Acknowledged"),
    "on_site": pgettext_lazy("ticket status", "On site"),
    "restored": pgettext_lazy("ticket status", "Restored"),
    "resolved": pgettext_lazy("ticket status", "Resolved"),
    "confirmed": pgettext_lazy("ticket status", "Confirmed"),
    "closed": pgettext_lazy("ticket status", "Closed"),
    "waiting_hospital": pgettext_lazy("ticket status", "Waiting for the hospital"),
    "waiting_third_party": pgettext_lazy("ticket status", "Waiting for a third party"),
    "waiting_approval": pgettext_lazy("ticket status", "Waiting for approval"),
    "approved": pgettext_lazy("ticket status", "Approved"),
    "rejected": pgettext_lazy("ticket status", "Rejected"),
    "in_progress": pgettext_lazy("ticket status", "In progress"),
    "analysing": pgettext_lazy("ticket status", "Analysing"),
    "fixing": pgettext_lazy("ticket status", "Fixing"),
    "submitted": pgettext_lazy("ticket status", "Submitted"),
    "scheduled": pgettext_lazy("ticket status", "Scheduled"),
    "implementing": pgettext_lazy("ticket status", "Implementing"),
    "implemented": pgettext_lazy("ticket status", "Implemented"),
    "verified": pgettext_lazy("ticket status", "Verified"),
    "rolled_back": pgettext_lazy("ticket status", "Rolled back"),
    "open": pgettext_lazy("ticket status", "Open"),
}


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status change")
    PRIORITY = "priority", _("Priority change")
    COMMENT = "comment", _("Comment")
    ASSIGN = "assign", _("Assignment")
    TARGET_MET = "target_met", _("SLA target met")
    TARGET_WAIVED = "target_waived", _("SLA target not needed")
    REPORT = "report", _("Report submitted")
    ATTACHMENT = "attachment", _("Attachment")
    WARNING = "sla_warning", _("SLA warning")
    BREACH = "sla_breach", _("SLA breached")
    EMAIL = "email", _("Email")
    LINK = "link", _("Link")
    SURVEY = "survey", _("Satisfaction survey")
    EDIT = "edit", _("Details changed")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def without_sla(self) -> TicketQuerySet:
        """Tickets on items no contract covers: no SLA applies (for the hospital admin)."""
        return self.filter(contract_version__isnull=True)


class Team(models.Model):
    """A group that works tickets together (the vendor's on-site team, the hospital's
    service desk); its lead is warned when a ticket's SLA runs short."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("team lead"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="led_teams")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"),
                                     blank=True, related_name="ticket_teams")
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="teams",
                               help_text=_("Empty for a team of the hospital."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The last number given per prefix and year (INC-2026-000123)."""

    prefix = models.CharField(max_length=3)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"],
                                               name="ticket_counter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"),
                                 on_delete=models.PROTECT, related_name="reported_tickets")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices,
                               default=Channel.WEB)
    items = models.ManyToManyField(ConfigItem, verbose_name=_("affected items"), blank=True,
                                   related_name="tickets")
    systems = models.ManyToManyField(
        BusinessSystem, verbose_name=_("affected systems"), blank=True,
        related_name="system_tickets",
        help_text=_("The business systems the affected items hit, fixed when the ticket "
                    "was opened."))
    contract_version = models.ForeignKey(
        ContractVersion, verbose_name=_("contract version"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="tickets",
        help_text=_("Empty when no contract covers the affected items: no SLA applies."))
    priority = models.CharField(_("priority"), max_length=32, blank=True)
    priority_reason = models.TextField(_("reason for the priority"), blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_tickets")
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="tickets")
    status = models.CharField(_("status"), max_length=32)
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    effort_person_days = models.DecimalField(
        _("estimated effort (person-days)"), max_digits=7, decimal_places=1, null=True,
        blank=True)
    fallback_plan = models.TextField(_("fallback plan"), blank=True)
    linked_incidents = models.ManyToManyField(
        "self", verbose_name=_("linked incidents"), symmetrical=False, blank=True,
        related_name="problems",
        help_text=_("For a problem: the incidents it explains."))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    email_thread = models.CharField(
        _("email thread"), max_length=250, blank=True,
        help_text=_("Message-ID of the email that opened the ticket; replies thread into it."))

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["kind", "status"], name="ticket_kind_status"),
                   models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
                   models.Index(fields=["team", "status"], name="ticket_team_status"),
                   # The list filtered by priority alone (bench/sla_recompute_db.py)
                   models.Index(fields=["priority", "opened_at"],
                                name="ticket_bench_priority_opened")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("servicedesk:ticket", args=[self.number])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


class TicketEvent(models.Model):
    """One line of a ticket's timeline. Rows are only ever added."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE,
                               related_name="events")
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    from_value = models.CharField(_("previous value"), max_length=200, blank=True)
    to_value = models.CharField(_("new value"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("public"), default=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("ticket events are append-only")
        super().save(*args, **kwargs)
