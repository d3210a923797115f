"""CMDB actions against the database: validation, relations, deletion, access, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from careops.cmdb.actions import items, relations
from careops.cmdb.graph import impact_of
from careops.cmdb.models import ConfigItem, Host, Relation
from careops.cmdb.tests.factories import Hospital
from careops.core import access
from careops.core.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def hospital(alice: Any) -> Hospital:
    return Hospital(alice)


def test_it_derives_impact_from_fields_and_relations(hospital: Hospital, alice: Any) -> None:
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    impact = impact_of(hospital.lis_host)
    assert impact.systems == {hospital.lis.pk}
    assert hospital.lis_db.pk in impact.items
    his_impact = impact_of(hospital.his)
    assert his_impact.systems == {hospital.his.pk, hospital.lis.pk}
    assert his_impact.interfaces == {hospital.orders.pk}
    assert his_impact.patient_safety and his_impact.worst_criticality == 1
    room = impact_of(hospital.server_room)
    assert room.departments == {hospital.lab.pk}


def test_it_refuses_a_cycle_naming_it(hospital: Hospital, alice: Any) -> None:
    hypervisor = hospital.make(Host, code="HV-1", name="虚拟化主机", hostname="hv1",
                               os_family="linux")
    relations.add(alice, hospital.lis_host, "runs_on", hypervisor)
    with pytest.raises(ValidationError) as info:
        relations.add(alice, hypervisor, "runs_on", hospital.lis_host)
    assert "HV-1 → SRV-LIS → HV-1" in str(info.value.message_dict["type"])
    assert Relation.objects.count() == 1


def test_it_names_bad_fields(alice: Any, hospital: Hospital) -> None:
    with pytest.raises(ValidationError) as info:
        items.create(alice, Host, {"code": "SRV-X", "name": "x", "hostname": "x",
                                   "os_family": "beos", "addresses": ["10.0.0.300"]})
    assert set(info.value.message_dict) == {"os_family", "addresses"}
    with pytest.raises(ValidationError) as info:
        items.create(alice, Host, {"code": "SRV-LIS", "name": "dup", "hostname": "d",
                                   "os_family": "rhel"})
    assert "code" in info.value.message_dict
    assert not Host.objects.filter(name="x").exists()


def test_deleting_an_item_in_use_lists_its_dependents(alice: Any, hospital: Hospital) -> None:
    with pytest.raises(items.ItemInUse) as info:
        items.delete(alice, hospital.lis_host)
    assert [d.label for d in info.value.dependents] == [str(hospital.lis_db)]
    assert Host.objects.filter(pk=hospital.lis_host.pk).exists()
    items.delete(alice, hospital.lis_host, cascade=True)
    hospital.lis_db.refresh_from_db()
    assert hospital.lis_db.host is None
    assert not Host.objects.filter(pk=hospital.lis_host.pk).exists()


def test_deleting_a_system_with_a_confirmed_cascade_removes_its_interfaces(
        alice: Any, hospital: Hospital) -> None:
    with pytest.raises(items.ItemInUse):
        items.delete(alice, hospital.his)
    items.delete(alice, hospital.his, cascade=True)
    assert not ConfigItem.objects.filter(code__in=["HIS", "IF-HIS-LIS"]).exists()


def test_every_change_is_audited_with_before_and_after(alice: Any, hospital: Hospital) -> None:
    items.update(alice, hospital.lis, {"criticality": 1}, m2m={"departments": []})
    rec = AuditRecord.objects.filter(action="update", object_id=str(hospital.lis.pk)).get()
    assert rec.changes["criticality"] == [2, 1]
    assert rec.changes["departments"] == [[hospital.lab.pk], []]


def test_vendor_engineers_see_and_change_only_their_systems_items(
        alice: Any, bob: Any, charlie: Any, hospital: Hospital) -> None:
    hospital.vendor.engineers.add(bob)
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    relations.add(alice, hospital.lis, "uses_database", hospital.lis_db)
    visible = set(access.scope(bob, ConfigItem.objects.all()).values_list("code", flat=True))
    # LIS, what it runs on and uses, and the interface that feeds it; never HIS's items.
    assert visible == {"LIS", "SRV-LIS", "DB-LIS", "IF-HIS-LIS"}
    items.update(bob, hospital.lis_host, {"rack": "A-01"})
    with pytest.raises(PermissionDenied):
        items.update(bob, hospital.his_host, {"rack": "A-02"})
    with pytest.raises(PermissionDenied):
        items.create(bob, Host, {"code": "SRV-NEW", "name": "n", "hostname": "n",
                                 "os_family": "rhel"})


def test_department_users_see_their_systems_read_only(
        alice: Any, charlie: Any, hospital: Hospital) -> None:
    hospital.lab.members.add(charlie)
    visible = set(access.scope(charlie, ConfigItem.objects.all()).values_list("code", flat=True))
    assert visible == {"LIS"}
    with pytest.raises(PermissionDenied):
        items.update(charlie, hospital.lis, {"version": "9"})


def test_adding_relations_keeps_the_cached_graph_current(alice: Any, hospital: Hospital,
                                                         django_assert_max_num_queries: Any
                                                         ) -> None:
    from careops.cmdb import graph as graph_module

    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    loaded = graph_module.graph()
    # The next relation extends the cached graph instead of reloading it: afterwards the
    # graph is answered from the cache (the two version queries, no load).
    relations.add(alice, hospital.lis, "uses_database", hospital.lis_db)
    with django_assert_max_num_queries(2):
        current = graph_module.graph()
    assert current is not loaded
    assert (hospital.lis.pk, "uses_database", hospital.lis_db.pk) in current.edges
    assert impact_of(hospital.lis_db).systems == {hospital.lis.pk}
    # A change made behind its back (raw ORM) is still noticed: the version differs.
    Relation.objects.create(source=hospital.his, type="runs_on", target=hospital.his_host)
    # HIS down takes LIS down too, through the orders interface.
    assert impact_of(hospital.his_host).systems == {hospital.his.pk, hospital.lis.pk}


def test_refusals_speak_the_users_language(alice: Any, hospital: Hospital) -> None:
    from django.utils import translation

    hypervisor = hospital.make(Host, code="HV-2", name="虚拟化主机", hostname="hv2",
                               os_family="linux")
    relations.add(alice, hospital.lis_host, "runs_on", hypervisor)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        relations.add(alice, hypervisor, "runs_on", hospital.lis_host)
    message = info.value.message_dict["type"][0]
    assert "HV-2 → SRV-LIS → HV-2" in message
    assert "cycle" not in message


def test_a_vendor_engineer_cannot_redirect_a_credential(alice: Any, bob: Any,
                                                        hospital: Hospital) -> None:
    """Otherwise bob could attach any stored secret to his host, or point a host that has
    one at his own server, and let SSH discovery hand the password over."""
    from careops.core import secrets

    hospital.vendor.engineers.add(bob)
    relations.add(alice, hospital.lis, "runs_on", hospital.lis_host)
    his_root = secrets.set_secret("his-root", "Very-Secret-1", actor=alice)
    lis_root = secrets.set_secret("lis-root", "Also-Secret-2", actor=alice)
    with pytest.raises(PermissionDenied):
        items.update(bob, hospital.lis_host, {"credential": his_root})
    items.update(alice, hospital.lis_host, {"credential": lis_root})
    with pytest.raises(PermissionDenied, match="addresses, ssh_port"):
        items.update(bob, hospital.lis_host, {"addresses": ["192.0.2.66"], "ssh_port": 2222})
    hospital.lis_host.refresh_from_db()
    assert hospital.lis_host.addresses == ["10.1.2.10"]
    # Unchanged values (a whole form posted back) and other fields stay his to edit.
    items.update(bob, hospital.lis_host, {"addresses": ["10.1.2.10"], "rack": "A-07"})
    assert Host.objects.get(pk=hospital.lis_host.pk).rack == "A-07"
