"""Filters of the ticket list: the queue page and the API list share them.

    TicketFilterSet(params, queryset=scoping.visible(user, Ticket.objects.all()),
                    request=request).qs

The queryset must already be limited to what the user may see; the filters only narrow
it. ``queue`` picks one of the queues of the page (``mine``, ``team``, ``unassigned``,
``open``); the others are plain field filters (docs/servicedesk.md, "Pages").
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.logic import ticket_flow
from careops.servicedesk.models import Kind, Team, Ticket
from careops.servicedesk.models.tickets import STATUS_LABELS

QUEUE_CHOICES = [
    ("mine", pgettext_lazy("queue", "Mine")),
    ("team", pgettext_lazy("queue", "My team")),
    ("unassigned", pgettext_lazy("queue", "Unassigned")),
    ("open", pgettext_lazy("queue", "Open")),
]
# Statuses in which nothing more happens (closed, rejected, verified, rolled back).
FINISHED = tuple(sorted({status for kind in ticket_flow.KINDS
                         for status in ticket_flow.statuses(kind)
                         if ticket_flow.terminal(kind, status)}))


class TicketFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Number or title"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    # distinct=False: status is a column of the ticket itself, and a DISTINCT would stop a
    # newest-first page from walking the opened_at index (it sorted every match instead)
    status = django_filters.MultipleChoiceFilter(
        choices=sorted(STATUS_LABELS.items()), label=_("Status"), distinct=False)
    priority = django_filters.CharFilter(field_name="priority", label=_("Priority"))
    assignee = django_filters.CharFilter(field_name="assignee__username", label=_("Assignee"))
    team = django_filters.CharFilter(field_name="team__name", label=_("Team"))
    contract = django_filters.CharFilter(field_name="contract_version__profile__code",
                                         label=_("Contract"))
    system = django_filters.CharFilter(method="filter_system", label=_("Business system"))
    no_sla = django_filters.BooleanFilter(method="filter_no_sla", label=_("No SLA"))
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte",
                                                    label=_("Opened from"))
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt",
                                                     label=_("Opened before"))
    queue = django_filters.ChoiceFilter(choices=QUEUE_CHOICES, method="filter_queue",
                                        label=_("Queue"))
    mine = django_filters.BooleanFilter(method="filter_mine",
                                        label=_("Reported by or assigned to me"))

    class Meta:
        model = Ticket
        fields: list[str] = []

    def _user(self) -> Any:
        return getattr(self.request, "user", None)

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))

    def filter_system(self, queryset: QuerySet[Ticket], name: str,
                      value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(pk__in=Ticket.systems.through.objects.filter(
            businesssystem__code=value).values("ticket_id"))

    def filter_no_sla(self, queryset: QuerySet[Ticket], name: str,
                      value: bool | None) -> QuerySet[Ticket]:
        if value is None:
            return queryset
        return queryset.filter(contract_version__isnull=value)

    def filter_mine(self, queryset: QuerySet[Ticket], name: str,
                    value: bool | None) -> QuerySet[Ticket]:
        user = self._user()
        if not value or user is None:
            return queryset
        return queryset.filter(Q(reporter=user) | Q(assignee=user))

    def filter_queue(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        user = self._user()
        if value == "open":
            return queryset.exclude(status__in=FINISHED)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True).exclude(status__in=FINISHED)
        if user is None or not user.is_authenticated:
            return queryset.none() if value in ("mine", "team") else queryset
        if value == "mine":
            return queryset.filter(assignee=user)
        if value == "team":
            teams = Team.objects.filter(Q(members=user) | Q(lead=user)).values("pk")
            return queryset.filter(team__in=teams)
        return queryset
