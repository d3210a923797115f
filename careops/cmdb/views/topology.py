"""Topology: an interactive graph of systems, hosts, databases, services and interfaces.

The page is a shell; careops/static/careops/topology.js draws the graph from the JSON
of ``topology_data`` (session authentication, scoped to the user).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from careops.cmdb.choices import NetworkZone
from careops.cmdb.models import BusinessSystem, ConfigItem
from careops.cmdb.topology import TopologyFilter, impact_summary, topology
from careops.core import access
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required


def _bad_request(exc: ValidationError) -> JsonResponse:
    fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    return JsonResponse({"error": {"status": 400, "code": "invalid", "message": message,
                                   "fields": fields}}, status=400)


@cap_required(Cap.VIEW_OPERATIONS)
def topology_page(request: HttpRequest) -> HttpResponse:
    systems = access.scope(request.user, BusinessSystem.objects.all()).order_by("name")
    try:
        flt = TopologyFilter.from_query(request.user, request.GET)
        error = ""
    except ValidationError as exc:
        flt = TopologyFilter()
        error = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return render(request, "cmdb/topology.html", {
        "systems": systems.values_list("pk", "name", "code"),
        "zones": NetworkZone.choices,
        "filter": flt,
        "filter_error": error,
        "data_url": reverse("cmdb:topology_data"),
        "impact_url": reverse("cmdb:topology_impact", args=[0]),
    })


@cap_required(Cap.VIEW_OPERATIONS)
def topology_data(request: HttpRequest) -> JsonResponse:
    try:
        flt = TopologyFilter.from_query(request.user, request.GET)
    except ValidationError as exc:
        return _bad_request(exc)
    return JsonResponse(topology(request.user, flt))


@cap_required(Cap.VIEW_OPERATIONS)
def topology_impact(request: HttpRequest, pk: int) -> JsonResponse:
    item = access.scope(request.user, ConfigItem.objects.filter(pk=pk)).first()
    if item is None:
        message = _("No such configuration item.")
        return JsonResponse({"error": {"status": 404, "code": "not_found",
                                       "message": message}}, status=404)
    return JsonResponse(impact_summary(request.user, item))
