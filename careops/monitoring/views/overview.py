"""The health overview: one card per business system, coloured by the worst live state of
the system and what it runs on, with its firing alerts and the incidents they opened."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from careops.cmdb.graph import graph
from careops.cmdb.health import SEVERITY, Health
from careops.cmdb.models import BusinessSystem
from careops.core import access
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.monitoring.health import system_health
from careops.monitoring.models import Alert

HEALTH_COLOURS = {"critical": "red", "warning": "orange", "ok": "green", "unknown": "secondary"}


@cap_required(Cap.VIEW_OPERATIONS)
def overview(request: HttpRequest) -> HttpResponse:
    systems = list(access.scope(request.user, BusinessSystem.objects.filter(
        status__in=("active", "maintenance"))).order_by("criticality", "code"))
    current = graph()
    owned = {s.pk: current.items_of_systems([s.pk]) for s in systems}
    states = system_health([s.pk for s in systems], owned)
    firing: dict[int, list[tuple[int, Alert]]] = defaultdict(list)  # item → (rank, alert)
    for rank, alert in enumerate(access.scope(request.user, Alert.objects.filter(
            status="firing", item__isnull=False).select_related("item", "group__ticket"))):
        if alert.item_id is not None:
            firing[alert.item_id].append((rank, alert))
    cards: list[dict[str, Any]] = []
    for system in systems:
        members = owned[system.pk]
        alerts = [a for _, a in sorted(pair for pk in members for pair in firing.get(pk, ()))]
        tickets = {a.group.ticket for a in alerts if a.group and a.group.ticket}
        state = states[system.pk]
        cards.append({"system": system, "state": state,
                      "order": (-SEVERITY[Health(state)], system.criticality, system.code),
                      "colour": HEALTH_COLOURS[state],
                      "label": Health(state).label, "alerts": alerts[:5],
                      "alert_count": len(alerts), "tickets": sorted(tickets,
                                                                    key=lambda t: t.number),
                      "items": len(members) - 1})
    cards.sort(key=lambda c: c["order"])
    totals = Counter(c["state"] for c in cards)
    context: dict[str, Any] = {
        "cards": cards, "totals": [(s, Health(s).label, HEALTH_COLOURS[s], totals.get(s, 0))
                                   for s in ("critical", "warning", "ok", "unknown")]}
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/_overview_cards.html", context)
    return render(request, "monitoring/overview.html", context)
