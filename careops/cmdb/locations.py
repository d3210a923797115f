"""The hospital map: site → building → floor → room, with the items in each room.

Scoping: users who see every item see every location, empty ones included. A vendor
engineer or department user sees only the rooms that hold items he may see (and rooms
he may see themselves), with only those items, and only the sites, buildings and
floors on the way to them; the counts count what he sees.

A fixed number of queries whatever the number of rooms and items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from careops.cmdb import health
from careops.cmdb.choices import STATUS_COLOURS, ItemKind, ItemStatus
from careops.cmdb.graph import graph
from careops.cmdb.links import item_url_maker
from careops.cmdb.models import (
    Building,
    ConfigItem,
    Floor,
    Host,
    NetworkDevice,
    Room,
    Site,
    StorageDevice,
)
from careops.cmdb.topology import visible_ids

PLACED_MODELS = (Host, NetworkDevice, StorageDevice)
ROOM_PREVIEW = 12  # items shown per room in the overview


@dataclass
class PlacedItem:
    id: int
    name: str
    code: str
    kind: str
    status: str
    rack: str
    url: str | None
    health: str

    @property
    def kind_label(self) -> str:
        return str(ItemKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")


@dataclass
class RoomNode:
    room: Room
    url: str | None  # the room's own detail page, when the user may see the room
    items: list[PlacedItem] = field(default_factory=list)
    health: str = health.Health.UNKNOWN.value

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def preview(self) -> list[PlacedItem]:
        """The first items, for the overview; the room page lists them all."""
        return self.items[:ROOM_PREVIEW]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - ROOM_PREVIEW)


@dataclass
class FloorNode:
    floor: Floor
    rooms: list[RoomNode] = field(default_factory=list)

    @property
    def room_count(self) -> int:
        return len(self.rooms)

    @property
    def item_count(self) -> int:
        return sum(r.item_count for r in self.rooms)


@dataclass
class BuildingNode:
    building: Building
    floors: list[FloorNode] = field(default_factory=list)

    @property
    def room_count(self) -> int:
        return sum(f.room_count for f in self.floors)

    @property
    def item_count(self) -> int:
        return sum(f.item_count for f in self.floors)


@dataclass
class SiteNode:
    site: Site
    buildings: list[BuildingNode] = field(default_factory=list)

    @property
    def room_count(self) -> int:
        return sum(b.room_count for b in self.buildings)

    @property
    def item_count(self) -> int:
        return sum(b.item_count for b in self.buildings)


def _placed_items(visible: set[int] | None, rooms: Iterable[int] | None = None
                  ) -> dict[int, list[PlacedItem]]:
    """room id -> the items located in it that the user may see."""
    g = graph()
    wanted = None if rooms is None else set(rooms)
    room_of: dict[int, int] = {}
    for source, edges in g.requires.items():
        for kind, target in edges:
            if kind == "located_in" and (wanted is None or target in wanted):
                room_of.setdefault(source, target)
    if visible is not None:
        room_of = {pk: room for pk, room in room_of.items() if pk in visible}
    racks: dict[int, str] = {}
    for model in PLACED_MODELS:
        racks.update(model.objects.exclude(rack="").values_list("pk", "rack"))
    states = health.health_of(list(room_of))
    url_of = item_url_maker()
    by_room: dict[int, list[PlacedItem]] = {}
    rows = (ConfigItem.objects.filter(kind__in=[m.KIND for m in PLACED_MODELS])
            .values_list("pk", "name", "code", "kind", "status").order_by("kind", "code"))
    for pk, name, code, kind, status in rows:
        if pk in room_of:
            by_room.setdefault(room_of[pk], []).append(PlacedItem(
                id=pk, name=name, code=code, kind=kind, status=status, rack=racks.get(pk, ""),
                url=url_of(pk), health=states.get(pk) or health.Health.UNKNOWN.value))
    return by_room


def _room_nodes(user: Any, rooms: Iterable[Room], only: Iterable[int] | None = None
                ) -> list[RoomNode]:
    visible = visible_ids(user)
    by_room = _placed_items(visible, only)
    url_of = item_url_maker()
    room_list = list(rooms)
    own_states = health.health_of([r.pk for r in room_list])
    nodes = []
    for room in room_list:
        items = by_room.get(room.pk, [])
        room_visible = visible is None or room.pk in visible
        if not room_visible and not items:
            continue
        nodes.append(RoomNode(
            room=room, url=url_of(room.pk) if room_visible else None, items=items,
            health=health.worst([own_states.get(room.pk), *(i.health for i in items)])))
    return nodes


def location_tree(user: Any) -> list[SiteNode]:
    """The sites the user sees, each with its buildings, floors and rooms."""
    restricted = visible_ids(user) is not None
    rooms = Room.objects.select_related("department").order_by("floor_id", "code")
    by_floor: dict[int, list[RoomNode]] = {}
    for node in _room_nodes(user, rooms):
        by_floor.setdefault(node.room.floor_id, []).append(node)
    floors: dict[int, list[FloorNode]] = {}
    for floor in Floor.objects.order_by("building_id", "level", "code"):
        floor_node = FloorNode(floor=floor, rooms=by_floor.get(floor.pk, []))
        if floor_node.rooms or not restricted:
            floors.setdefault(floor.building_id, []).append(floor_node)
    buildings: dict[int, list[BuildingNode]] = {}
    for building in Building.objects.order_by("site_id", "code"):
        building_node = BuildingNode(building=building, floors=floors.get(building.pk, []))
        if building_node.floors or not restricted:
            buildings.setdefault(building.site_id, []).append(building_node)
    sites = []
    for site in Site.objects.order_by("code"):
        site_node = SiteNode(site=site, buildings=buildings.get(site.pk, []))
        if site_node.buildings or not restricted:
            sites.append(site_node)
    return sites


def room_node(user: Any, room: Room) -> RoomNode | None:
    """One room with its items, or None when the user may see neither it nor its items."""
    nodes = _room_nodes(user, [room], only=[room.pk])
    return nodes[0] if nodes else None

