"""The ticket API's waiver, analysis report, change plan and problem links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careops.servicedesk import actions
from careops.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)


def send(client: Any, url: str, data: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data, content_type="application/json")


def test_a_change_plan_is_written_and_shown_and_bad_windows_name_the_field(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, bob: Any,
        alice: Any) -> None:
    seed_004()
    change = actions.open_ticket(bob, "change", "视频平台升级", "", [desk["video"]], now=NOW)
    client = verified_client(bob)
    plan = {"content": "升级至 5.2", "plan": "停机升级", "window_start": "2026-03-20T22:00+08:00",
            "window_end": "2026-03-20T21:00+08:00", "risk_level": "high",
            "risk_assessment": "录像中断 30 分钟", "backup_plan": "快照", "rollback_plan": "回滚",
            "supervisor": alice.username}
    response = send(client, f"{URL}{change.pk}/change-plan/", plan, "put")
    assert response.status_code == 400
    assert "window_end" in response.json()["error"]["fields"]
    plan["window_end"] = "2026-03-20T23:00+08:00"
    stale = send(client, f"{URL}{change.pk}/change-plan/", {**plan, "version": 5}, "put")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    response = send(client, f"{URL}{change.pk}/change-plan/", plan, "put")
    assert response.status_code == 200, response.json()
    body = response.json()["change_plan"]
    assert (body["risk_level"], body["supervisor"]) == ("high", alice.username)
    # approval by the hospital through the API; the vendor gets 403
    version = response.json()["version"]
    assert send(client, f"{URL}{change.pk}/transition/",
                {"to": "approved", "version": version}).status_code == 403
    response = send(verified_client(alice), f"{URL}{change.pk}/transition/",
                    {"to": "approved", "version": version})
    assert response.json()["status"] == "approved"


def test_the_analysis_report_and_the_waiver_through_the_api(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    seed_004()
    ticket = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]])
    vendor = verified_client(bob)      # one test client: log in again to switch users
    response = send(vendor, f"{URL}{ticket.pk}/analysis/",
                    {"event_description": "中断", "root_cause": "", "scope": "手术室",
                     "steps_taken": "重启", "prevention": "监控"})
    assert response.status_code == 400
    assert "root_cause" in response.json()["error"]["fields"]
    response = send(vendor, f"{URL}{ticket.pk}/analysis/",
                    {"event_description": "中断", "root_cause": "存储满", "scope": "手术室",
                     "steps_taken": "清理", "prevention": "监控"})
    assert response.status_code == 200
    assert response.json()["analysis"]["author"] == bob.username
    stale = send(vendor, f"{URL}{ticket.pk}/analysis/",
                 {"event_description": "中断", "root_cause": "电源", "scope": "手术室",
                  "steps_taken": "清理", "prevention": "监控", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["version"] == 2
    assert send(vendor, f"{URL}{ticket.pk}/waive/",
                {"target": "on_site", "reason": "远程"}).status_code == 403
    hospital = verified_client(alice)
    response = send(hospital, f"{URL}{ticket.pk}/waive/", {"target": "on_site", "reason": "远程"})
    assert response.status_code == 200
    clocks = {c["name"]: c for c in response.json()["clocks"]}
    assert clocks["on_site"]["state"] == "waived"


def test_problems_link_incidents_by_number(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    seed_004()
    incident = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]])
    hidden = actions.open_ticket(alice, "incident", "打印失败", "", [desk["printer"]])
    problem = actions.open_ticket(bob, "problem", "存储反复写满", "", [desk["video"]])
    client = verified_client(bob)
    response = send(client, f"{URL}{problem.pk}/link/",
                    {"incidents": [incident.number, hidden.number]})
    assert response.status_code == 400          # bob does not see the printer's ticket
    assert hidden.number in response.json()["error"]["fields"]["incidents"][0]
    response = send(client, f"{URL}{problem.pk}/link/", {"incidents": [incident.number]})
    assert response.json()["linked_incidents"] == [incident.number]
    detail = client.get(f"{URL}{incident.pk}/").json()
    assert detail["problems"] == [problem.number]
    assert Ticket.objects.get(pk=problem.pk).linked_incidents.count() == 1


def test_the_detail_costs_the_same_queries_however_long_the_timeline(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any) -> None:
    seed_004()
    client = verified_client(alice)
    counts = []
    for comments in (2, 30):
        ticket = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]])
        for n in range(comments):
            actions.comment(alice, ticket, f"第{n}次跟进")
        client.get(f"{URL}{ticket.pk}/")        # warm the contract and calendar caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{URL}{ticket.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20
