"""The ticket API at /api/v1/tickets/, as alice (hospital), bob (vendor), charlie (department)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careops.servicedesk import actions
from careops.servicedesk.labels import stale_message
from careops.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_it_opens_an_incident_and_shows_its_clocks(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, charlie: Any) -> None:
    seed_004()
    client = verified_client(charlie)
    response = post(client, URL, {"kind": "incident", "title": "手术视频黑屏",
                                  "description": "3号手术间", "items": ["SURG-VIDEO"],
                                  "channel": "web"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("INC-")
    assert (body["priority"], body["no_sla"], body["status"]) == ("P1", False, "new")
    assert body["contract"] == "seed-004-edu v1"
    assert body["allowed"] == ["acknowledged"]
    clocks = {c["name"]: c for c in body["clocks"]}
    assert set(clocks) == {"respond", "on_site", "restore", "report"}
    assert clocks["respond"]["state"] == "running"
    assert set(clocks["respond"]) >= {"name", "due", "state", "fraction", "paused",
                                      "breached_at", "estimated"}
    assert clocks["report"]["state"] == "pending"
    detail = client.get(f"{URL}{body['id']}/").json()
    assert detail["clocks"][0]["name"] == "respond"


def test_it_names_the_field_of_bad_input(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any) -> None:
    seed_004()
    client = verified_client(alice)
    response = post(client, URL, {"kind": "incident", "title": "x", "items": ["NOPE"]})
    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]
    response = post(client, URL, {"kind": "incident", "title": "x", "items": ["EXAM-STD"],
                                  "priority": "P1"})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = post(client, URL, {"kind": "incident", "title": "x", "items": ["EXAM-STD"],
                                  "facts": {"scope": "hospital", "severity": "clinical"}})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()


def test_it_answers_409_with_the_allowed_statuses(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, bob: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(bob, "incident", "黑屏", "", [desk["video"]])
    response = post(verified_client(bob), f"{URL}{ticket.pk}/transition/",
                    {"to": "closed", "version": 1})
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["allowed"]) == ("illegal_transition", ["acknowledged"])
    assert "to" in error["fields"]
    # The message is for people, in their language (Chinese by default), with labels.
    assert "当前可转为" in error["message"] and "closed" not in error["message"]


def test_it_answers_409_conflict_to_the_slower_of_two_engineers(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(alice, "incident", "黑屏", "", [desk["video"]])
    client = verified_client(bob)
    first = post(client, f"{URL}{ticket.pk}/transition/",
                 {"to": "acknowledged", "note": "已响应", "version": 1})
    assert first.status_code == 200
    assert first.json()["version"] == 2
    second = post(client, f"{URL}{ticket.pk}/assign/", {"assignee": "bob", "version": 1})
    assert second.status_code == 409
    error = second.json()["error"]
    assert (error["code"], error["version"]) == ("conflict", 2)
    assert error["message"] == stale_message(2)
    assert "changed meanwhile (now version" not in error["message"]   # not the exception's
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.assignee, fresh.version) == ("acknowledged", None, 2)
    third = post(client, f"{URL}{ticket.pk}/assign/", {"assignee": "bob", "version": 2})
    assert third.status_code == 200 and third.json()["assignee"] == "bob"


def test_it_changes_priority_and_comments(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        charlie: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(charlie, "incident", "考试系统慢", "", [desk["exam"]])
    admin = verified_client(alice)
    response = post(admin, f"{URL}{ticket.pk}/priority/", {"priority": "P1"})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = post(admin, f"{URL}{ticket.pk}/priority/",
                    {"priority": "P1", "reason": "考试当天", "version": 1})
    assert response.status_code == 200
    assert response.json()["priority"] == "P1"
    assert response.json()["clocks"][0]["due"] is not None
    assert post(admin, f"{URL}{ticket.pk}/comments/",
                {"text": "内部备注", "public": False}).status_code == 201
    reporter = verified_client(charlie)
    assert post(reporter, f"{URL}{ticket.pk}/comments/", {"text": "好的"}).status_code == 201
    notes = [e["note"] for e in reporter.get(f"{URL}{ticket.pk}/").json()["events"]]
    assert "好的" in notes and "内部备注" not in notes
    assert post(reporter, f"{URL}{ticket.pk}/comments/",
                {"text": "x", "public": False}).status_code == 403


def test_it_scopes_tickets_to_who_may_see_them(
        seed_004: Any, desk: dict[str, Any], client: Any, verified_client: Any, alice: Any,
        bob: Any, charlie: Any) -> None:
    seed_004()
    covered = actions.open_ticket(charlie, "incident", "视频", "", [desk["video"]])
    printer = actions.open_ticket(alice, "incident", "打印", "", [desk["printer"]])

    def numbers(user: Any, query: str = "") -> set[str]:
        body = verified_client(user).get(URL + query).json()
        return {t["number"] for t in body["results"]}

    assert numbers(alice) == {covered.number, printer.number}
    assert numbers(alice, "?no_sla=true") == {printer.number}
    assert numbers(bob) == {covered.number}            # he maintains the video system only
    assert numbers(charlie) == {covered.number}        # surgery's systems, not teaching's
    assert numbers(charlie, "?mine=1") == {covered.number}
    assert verified_client(bob).get(f"{URL}{printer.pk}/").status_code == 404
    response = post(verified_client(charlie), f"{URL}{covered.pk}/transition/",
                    {"to": "acknowledged", "version": 1})
    assert response.status_code == 403


def test_it_filters_the_list(seed_004: Any, desk: dict[str, Any], verified_client: Any,
                             alice: Any, bob: Any) -> None:
    seed_004()
    p1 = actions.open_ticket(alice, "incident", "视频", "", [desk["video"]])
    p3 = actions.open_ticket(alice, "incident", "考试", "", [desk["exam"]])
    bug = actions.open_ticket(alice, "bug", "缺陷", "", [desk["exam"]])
    actions.transition(bob, p3, "acknowledged")
    actions.assign(alice, p1, bob)
    client = verified_client(alice)

    def numbers(query: str) -> list[str]:
        return sorted(t["number"] for t in client.get(URL + query).json()["results"])

    assert numbers("?kind=bug") == [bug.number]
    assert numbers("?priority=P1") == [p1.number]
    assert numbers("?status=acknowledged") == [p3.number]
    assert numbers("?assignee=bob") == [p1.number]
    assert numbers("?kind=incident&status=new") == [p1.number]


def test_it_lists_in_a_constant_number_of_queries(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any) -> None:
    seed_004()
    client = verified_client(alice)

    def open_(n: int) -> None:
        for i in range(n):
            actions.open_ticket(alice, "incident", f"故障 {i}", "", [desk["video"], desk["exam"]],
                                now=dt.datetime(2026, 3, 10, 2, i, tzinfo=dt.UTC))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries)

    open_(5)
    few = count()
    open_(45)
    assert len(client.get(URL).json()["results"]) == 50
    assert count() == few <= 10


def test_it_needs_a_login(client: Any, db: Any) -> None:
    assert client.get(URL).status_code in (401, 403)


def test_it_has_the_hospital_approve_a_request_over_the_included_effort(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    seed_004()
    vendor = verified_client(bob)
    response = post(vendor, URL, {"kind": "request", "title": "新增考试成绩分析报表",
                                  "items": ["EXAM-STD"], "priority": "complex",
                                  "effort_person_days": "8"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("REQ-") and body["allowed"] == ["waiting_approval"]
    url = f"{URL}{body['id']}/transition/"
    refused = post(vendor, url, {"to": "approved", "version": 1})
    assert refused.status_code == 409
    assert refused.json()["error"]["allowed"] == ["waiting_approval"]
    assert post(vendor, url, {"to": "waiting_approval", "version": 1}).status_code == 200
    assert post(vendor, url, {"to": "approved", "version": 2}).status_code == 403
    approved = post(verified_client(alice), url, {"to": "approved", "note": "同意追加费用",
                                                  "version": 2})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["version"]) == ("approved", 3)
    clocks = {c["name"]: c for c in approved.json()["clocks"]}
    assert clocks["resolve"]["state"] == "running"


def test_it_answers_alike_for_unknown_and_out_of_scope_items(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, charlie: Any) -> None:
    seed_004()
    client = verified_client(charlie)

    def refused(code: str) -> str:
        response = post(client, URL, {"kind": "incident", "title": "x", "items": [code]})
        assert response.status_code == 400
        return str(response.json()["error"]["fields"]["items"][0]).replace(code, "CODE")

    assert refused("PRINT") == refused("NO-SUCH-ITEM")    # teaching's system vs none at all
    response = post(client, URL, {"kind": "incident", "title": "x", "items": ["SURG-VIDEO"],
                                  "effort_person_days": "-1"})
    assert response.status_code == 400
    assert "effort_person_days" in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()
