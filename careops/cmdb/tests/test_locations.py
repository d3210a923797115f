"""The location view: site → building → floor → room with the items in each room."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careops.cmdb import graph as cmdb_graph
from careops.cmdb import health
from careops.cmdb.actions import relations
from careops.cmdb.models import Floor, Host, NetworkDevice, Room, StorageDevice
from careops.cmdb.tests.factories import Hospital

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def hospital(alice: Any, bob: Any, charlie: Any) -> Hospital:
    h = Hospital(alice)
    relations.add(alice, h.lis, "runs_on", h.lis_host)
    h.vendor.engineers.add(bob)
    h.lab.members.add(charlie)
    h.empty_floor = h.make(Floor, code="B1-F5", name="五楼", building=h.building, level=5)
    h.lab_room = h.make(Room, code="LAB-201", name="检验科标本室", floor=h.floor,
                        department=h.lab)
    h.switch = h.make(NetworkDevice, code="SW-CORE", name="核心交换机", device_kind="switch",
                      room=h.server_room, rack="A-01")
    # Located through an explicit relation rather than the room field.
    h.nas = h.make(StorageDevice, code="NAS-1", name="影像归档存储", storage_kind="nas")
    relations.add(alice, h.nas, "located_in", h.lab_room)
    return h


@pytest.fixture
def no_health_provider() -> Iterator[None]:
    before = health._provider  # monitoring's, installed when the app is ready
    yield
    health.set_provider(before)


def page(client: Any) -> str:
    response = client.get(reverse("cmdb:locations"))
    assert response.status_code == 200
    html: str = response.content.decode()
    return html


def room_block(html: str, code: str) -> str:
    match = re.search(rf'id="room-{code}".*?data-testid="location-room"(.*?)(?=data-testid='
                      rf'"location-room"|</details>)', html, re.S)
    assert match, f"room {code} not shown"
    return match.group(1)


def test_it_shows_every_location_with_its_items_and_counts(hospital: Hospital, alice: Any,
                                                          verified_client: Any) -> None:
    html = page(verified_client(alice))
    assert "总院" in html and "门诊楼" in html and "三楼" in html
    assert "五楼" in html and "No rooms recorded on this floor." in html
    dc = room_block(html, "DC-1")
    for name in ("LIS 应用服务器", "HIS 应用服务器", "核心交换机"):
        assert name in dc
    assert "server room" in dc and "3 items" in dc
    lab = room_block(html, "LAB-201")
    assert "检验科" in lab and "影像归档存储" in lab and "1 item" in lab
    assert "2 rooms" in html and "4 items" in html  # the site's and the floor's totals
    assert 'data-health="unknown"' in dc and 'class="health-dot health-unknown' in dc
    assert f'data-item-id="{hospital.lis_host.pk}" data-health="unknown"' in dc
    assert "style=" not in html and "<script>" not in html


def test_bob_sees_only_the_rooms_holding_his_items_and_only_his_items(
        hospital: Hospital, bob: Any, verified_client: Any) -> None:
    html = page(verified_client(bob))
    dc = room_block(html, "DC-1")
    assert "LIS 应用服务器" in dc
    assert "HIS 应用服务器" not in dc and "核心交换机" not in dc
    assert "LAB-201" not in html and "五楼" not in html
    assert "1 room" in html and "1 item" in html


def test_charlie_sees_no_rooms(hospital: Hospital, charlie: Any, verified_client: Any) -> None:
    html = page(verified_client(charlie))
    assert "No locations to show" in html
    assert "DC-1" not in html


def test_the_room_page_lists_its_items_with_links(hospital: Hospital, alice: Any, bob: Any,
                                                  verified_client: Any) -> None:
    url = reverse("cmdb:location_room", args=[hospital.server_room.pk])
    html = verified_client(alice).get(url).content.decode()
    assert "中心机房" in html and "总院" in html and "三楼" in html
    assert "A-01" in html and "Network device" in html and "In service" in html
    assert html.count('data-health="unknown"') == 4  # the room and its three items
    html = verified_client(bob).get(url).content.decode()
    assert "LIS 应用服务器" in html and "HIS 应用服务器" not in html
    # A room holding nothing bob may see is not there for him.
    other = reverse("cmdb:location_room", args=[hospital.lab_room.pk])
    assert verified_client(bob).get(other).status_code == 404


def test_monitoring_health_lights_up_rooms_and_items(
        hospital: Hospital, alice: Any, verified_client: Any, no_health_provider: None) -> None:
    health.set_provider(lambda ids: {hospital.lis_host.pk: "warning",
                                     hospital.switch.pk: "critical",
                                     hospital.nas.pk: "ok"})
    html = page(verified_client(alice))
    assert re.search(r'class="list-group-item location-room health-critical" id="room-DC-1"',
                     html)
    assert re.search(r'location-room health-ok" id="room-LAB-201"', html)
    assert f'data-item-id="{hospital.lis_host.pk}" data-health="warning"' in html


def _hosts(hospital: Hospital, count: int, start: int) -> None:
    for n in range(start, start + count):
        hospital.make(Host, code=f"PC-{n:03d}", name=f"工作站 {n}", hostname=f"pc{n}",
                      os_family="windows", room=hospital.lab_room)


def _queries(client: Any, url: str) -> int:
    cmdb_graph.invalidate()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_location_pages_run_a_constant_number_of_queries(
        hospital: Hospital, alice: Any, bob: Any, verified_client: Any) -> None:
    urls = [reverse("cmdb:locations"), reverse("cmdb:location_room", args=[hospital.lab_room.pk])]
    _hosts(hospital, 5, 0)
    small = [_queries(verified_client(alice), url) for url in urls]
    bob_small = _queries(verified_client(bob), urls[0])
    _hosts(hospital, 45, 5)
    assert [_queries(verified_client(alice), url) for url in urls] == small
    assert _queries(verified_client(bob), urls[0]) == bob_small
    html = page(verified_client(alice))
    assert "and 39 more" in room_block(html, "LAB-201")  # 51 items, 12 shown
