"""Locations: the hospital map of sites, buildings, floors and rooms with their items."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from careops.cmdb.health import Health
from careops.cmdb.locations import location_tree, room_node
from careops.cmdb.models import Room
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required


@cap_required(Cap.VIEW_OPERATIONS)
def location_list(request: HttpRequest) -> HttpResponse:
    sites = location_tree(request.user)
    return render(request, "cmdb/locations.html", {
        "sites": sites, "health_states": Health.choices,
        "room_count": sum(s.room_count for s in sites),
        "item_count": sum(s.item_count for s in sites)})


@cap_required(Cap.VIEW_OPERATIONS)
def location_room(request: HttpRequest, pk: int) -> HttpResponse:
    room = get_object_or_404(Room.objects.select_related("floor__building__site", "department"),
                             pk=pk)
    node = room_node(request.user, room)
    if node is None:  # a room the user may not see is not there for him
        raise Http404
    return render(request, "cmdb/location_room.html", {"node": node, "room": room})
