"""Ticket events reach the notification channels (a local HTTP receiver stands in for
the chat platforms, which cannot run here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from careops.core.actions import notifications as channels
from careops.core.tests import notify_support as support
from careops.servicedesk import actions
from careops.servicedesk.models import Team

receiver = support.receiver
pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def test_a_p1_incident_is_announced_as_critical_in_chinese(
        seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, receiver: Any,
        django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    seed_004()
    receiver.answer((204, {}))
    channels.create_channel(alice, name="运维群", kind="webhook",
                            values={"url": f"{receiver.base}/hook"})
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.open_ticket(alice, "incident", "视频无法播放", "手术室3无画面",
                                     [desk["video"]],
                                     now=dt.datetime(2026, 3, 10, 10, tzinfo=CST))
    [req] = receiver.requests
    body = req.json()
    assert (body["event"], body["severity"]) == ("ticket.opened", "critical")
    assert ticket.number in body["title"] and "[P1]" in body["title"]
    assert "手术视频" in body["text"] and "seed-004-edu" in body["text"]
    assert body["title"].startswith("新")          # composed in the configured language
    team = Team.objects.create(name="驻场组", lead=alice)
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(alice, ticket, bob, team=team)
    assigned = receiver.requests[-1].json()
    assert assigned["event"] == "ticket.assigned"
    assert bob.username in assigned["title"] and "驻场组" in assigned["text"]
