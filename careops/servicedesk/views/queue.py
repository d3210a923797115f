"""The ticket queues: mine, my team, unassigned, breaching soon, all, no SLA."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.cmdb.forms.fields import style
from careops.core.api.pagination import CappedPaginator
from careops.core.roles import Cap, has_cap
from careops.core.views.decorators import cap_required
from careops.servicedesk import queues, scoping
from careops.servicedesk.clocks import clocks_for_many
from careops.servicedesk.filtersets import TicketFilterSet
from careops.servicedesk.models import Ticket
from careops.servicedesk.views.common import priority_colour, status_colour

PAGE_SIZE = 50
FILTER_FIELDS = ("q", "kind", "status", "priority", "assignee", "team", "contract", "system")

# (key, label, extra filter parameters)
WORKER_TABS: list[tuple[str, Any, dict[str, str]]] = [
    ("mine", pgettext_lazy("queue", "Mine"), {"queue": "mine"}),
    ("team", pgettext_lazy("queue", "My team"), {"queue": "team"}),
    ("unassigned", pgettext_lazy("queue", "Unassigned"), {"queue": "unassigned"}),
    ("soon", pgettext_lazy("queue", "Breaching soon"), {}),
    ("all", pgettext_lazy("queue", "All"), {}),
]
NO_SLA_TAB = ("no_sla", pgettext_lazy("queue", "No SLA"), {"no_sla": "true"})
READER_TABS: list[tuple[str, Any, dict[str, str]]] = [
    ("reported", pgettext_lazy("queue", "Reported by me"), {"mine": "true"}),
    ("all", pgettext_lazy("queue", "All"), {}),
]


def tabs_for(user: Any) -> list[tuple[str, Any, dict[str, str]]]:
    if not has_cap(user, Cap.CHANGE_OPERATIONS):
        return READER_TABS
    return WORKER_TABS + ([NO_SLA_TAB] if has_cap(user, Cap.APPROVE) else [])


def _ordered(queryset: QuerySet[Ticket], ids: list[int]) -> QuerySet[Ticket]:
    """Only ``ids``, in their order (the most urgent first)."""
    order = Case(*[When(pk=pk, then=i) for i, pk in enumerate(ids)],
                 output_field=IntegerField())
    return queryset.filter(pk__in=ids).order_by(order) if ids else queryset.none()


@cap_required(Cap.VIEW_OPERATIONS)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tabs = tabs_for(request.user)
    keys = [key for key, _label, _extra in tabs]
    tab = request.GET.get("tab") if request.GET.get("tab") in keys else keys[0]
    extra = next(e for key, _label, e in tabs if key == tab)
    params = request.GET.copy()
    for name in ("queue", "mine", "no_sla"):
        params.pop(name, None)
    params.update(extra)
    visible = scoping.visible(request.user, Ticket.objects.all())
    filters = TicketFilterSet(params, queryset=visible, request=request)
    qs = filters.qs.select_related("assignee", "team", "contract_version")
    if tab == "soon":
        qs = _ordered(qs, queues.breaching_soon(visible, now))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    tickets = list(page.object_list)
    clocks = clocks_for_many(tickets, now)
    rows = [{"ticket": t, "priority_colour": priority_colour(t.priority),
             "status_colour": status_colour(t.status), "next": queues.next_due(clocks[t.pk]),
             "worst": round(queues.worst_fraction(clocks[t.pk]) * 100)} for t in tickets]
    form = filters.form
    style(form)
    form.fields["status"].widget.attrs["size"] = "1"
    return render(request, "servicedesk/queue.html", {
        "tabs": [{"key": key, "label": label, "active": key == tab} for key, label, _e in tabs],
        "tab": tab, "page_obj": page, "rows": rows, "now": now,
        "filter_fields": [form[name] for name in FILTER_FIELDS],
        "filtered": any(request.GET.get(name) for name in FILTER_FIELDS),
        "soon_cap": queues.SOON_CAP,
        "can_open": has_cap(request.user, Cap.CHANGE_OPERATIONS),
        "title": _("Tickets")})
