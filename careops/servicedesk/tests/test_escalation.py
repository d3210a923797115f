"""SLA warnings, escalation, breach records and auto-confirmation
(careops.servicedesk.actions.escalation). Seed 004's P1 incident: respond 15 min,
on site 1 h, restore 2 h (wall clock) — so 75 % of respond is at 10:11:15."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from careops.cmdb.models import Contact
from careops.conf import ConfigError, env_fractions
from careops.contracts.actions import profiles
from careops.core.actions import notifications as channel_actions
from careops.core.models import AuditRecord, Notification
from careops.core.tests import notify_support as support
from careops.servicedesk import actions
from careops.servicedesk.actions import escalation
from careops.servicedesk.models import SlaBreach, SlaNotice, Team, Ticket, TicketEvent
from careops.servicedesk.tests.conftest import SEED_004

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
smtp_server = support.smtp_server

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # a Tuesday, in working hours
FEE = ("penalties:\n  - on: sla_breach\n    remedy: fee_reduction\n"
       "    note: 减免相应周期的运维服务费用\n")


def at(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return OPENED.replace(hour=hour, minute=minute, second=second)


@pytest.fixture
def people(desk: dict[str, Any], make_user: Any, bob: Any) -> dict[str, Any]:
    bob.email = "bob@vendor.example"
    bob.save()
    lead = make_user("lead", "vendor_engineer", name="Lead 赵", email="lead@vendor.example")
    desk["vendor"].engineers.add(lead)
    team = Team.objects.create(name="现场组", lead=lead, vendor=desk["vendor"])
    contacts = [Contact.objects.create(vendor=desk["vendor"], name=f"联系人{n}",
                                       email=f"level{n}@vendor.example", phone=f"1380000000{n}",
                                       escalation_level=n) for n in (1, 2, 3)]
    return {"lead": lead, "team": team, "contacts": contacts}


@pytest.fixture
def email_channel(alice: Any) -> Any:
    return channel_actions.create_channel(
        alice, name="运维邮件", kind="email",
        values={"host": "127.0.0.1", "port": 25, "security": "none",
                "from_address": "careops@hospital.example", "to": "noc@hospital.example"})


@pytest.fixture
def p1(seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any,
       people: dict[str, Any]) -> Ticket:
    seed_004()
    ticket = actions.open_ticket(charlie, "incident", "视频无法播放", "手术室3无画面",
                                 [desk["video"]], now=OPENED)
    actions.assign(alice, ticket, bob, team=people["team"], now=OPENED)
    assert ticket.priority == "P1"
    return ticket


def notices(ticket: Ticket) -> list[tuple[str, str, str]]:
    return [(n.target, n.priority, str(n.threshold)) for n in
            SlaNotice.objects.filter(ticket=ticket).order_by("sent_at", "target", "threshold")]


def test_it_warns_at_75_and_90_percent_and_at_the_breach_once_each(p1: Ticket) -> None:
    assert escalation.check_sla(now=at(10, 11)) == []           # 73 % of respond
    assert len(escalation.check_sla(now=at(10, 12))) == 1
    assert escalation.check_sla(now=at(10, 12, 30)) == []       # the same crossing again
    assert len(escalation.check_sla(now=at(10, 14))) == 1
    assert len(escalation.check_sla(now=at(10, 16))) == 1
    assert escalation.check_sla(now=at(10, 17)) == []
    assert notices(p1) == [("respond", "P1", "0.75"), ("respond", "P1", "0.90"),
                           ("respond", "P1", "1.00")]
    kinds = list(p1.events.filter(kind__in=["sla_warning", "sla_breach"])
                 .values_list("kind", "to_value", "public", "actor"))
    assert kinds == [("sla_warning", "respond:0.75", False, None),
                     ("sla_warning", "respond:0.9", False, None),
                     ("sla_breach", "respond:breach", False, None)]


def test_it_sends_each_notice_once_when_two_workers_check_at_once(p1: Ticket) -> None:
    # Both workers read the notices before either wrote: the second insert is refused
    # by the unique key and sends nothing.
    stale: set[str] = set()
    first = escalation.check_ticket(p1, at(10, 12), (0.75, 0.9), stale)
    second = escalation.check_ticket(p1, at(10, 12), (0.75, 0.9), stale)
    assert len(first) == 1 and second == []
    assert SlaNotice.objects.filter(ticket=p1).count() == 1
    assert p1.events.filter(kind="sla_warning").count() == 1
    with pytest.raises(IntegrityError):
        SlaNotice.objects.create(ticket=p1, target="respond", priority="P1", level="warning",
                                 threshold="0.75", due_at=at(10, 15), sent_at=at(10, 13))


def test_it_tells_the_assignee_lead_and_escalation_levels_by_the_rule(
        p1: Ticket, email_channel: Any, people: dict[str, Any]) -> None:
    escalation.check_sla(now=at(10, 12))
    escalation.check_sla(now=at(10, 14))
    escalation.check_sla(now=at(10, 16))
    sent = list(Notification.objects.filter(channel=email_channel).order_by("id"))
    assert [n.event for n in sent] == ["ticket.sla_warning", "ticket.sla_warning",
                                       "ticket.sla_breach"]
    base = ["bob@vendor.example", "lead@vendor.example"]
    assert sent[0].data["recipients"] == [*base, "level1@vendor.example"]
    assert sent[1].data["recipients"] == [*base, "level1@vendor.example",
                                          "level2@vendor.example"]
    assert sent[2].data["recipients"] == [*base, "level1@vendor.example",
                                          "level2@vendor.example", "level3@vendor.example"]
    assert sent[0].severity == "warning" and sent[2].severity == "critical"
    assert "75% of the time for the respond target of P1" in sent[0].text
    notice = SlaNotice.objects.get(ticket=p1, threshold="0.75")
    assert [r["name"] for r in notice.recipients] == ["Bob 李", "Lead 赵", "联系人1"]


def test_it_names_the_people_in_the_group_message_of_a_chat_bot(
        p1: Ticket, alice: Any) -> None:
    bot = channel_actions.create_channel(alice, name="值班群", kind="wecom",
                                         values={"webhook_url": "0123456789abcdef0123"})
    escalation.check_sla(now=at(10, 12))
    [note] = Notification.objects.filter(channel=bot)
    assert "To: Bob 李（assignee）、Lead 赵（team lead）" in note.text
    assert "联系人1（vendor escalation level 1 13800000001）" in note.text
    assert "联系人2" not in note.text
    assert note.data["people"] == ["Bob 李", "Lead 赵", "联系人1"]


def test_it_records_the_breach_with_the_contracts_remedy(
        desk: dict[str, Any], alice: Any, charlie: Any, email_channel: Any) -> None:
    text = SEED_004.read_text(encoding="utf-8").replace("penalties:\n", FEE)
    profiles.load_profile(alice, text)
    ticket = actions.open_ticket(charlie, "incident", "视频无法播放", "", [desk["video"]],
                                 now=OPENED)
    escalation.check_sla(now=at(10, 20))
    [breach] = SlaBreach.objects.filter(ticket=ticket)
    assert (breach.target, breach.priority, breach.cause) == ("respond", "P1", "unexplained")
    assert breach.due_at == at(10, 15) and breach.breached_at == at(10, 15)
    assert breach.remedy == "减免相应周期的运维服务费用"
    [mail] = Notification.objects.filter(channel=email_channel, event="ticket.sla_breach")
    assert "Contract remedy: 减免相应周期的运维服务费用" in mail.text
    # nobody named has an email address: the channel's own list gets the group message
    assert "recipients" not in mail.data


def test_it_records_no_remedy_when_the_contract_has_none_for_breaches(p1: Ticket) -> None:
    escalation.check_sla(now=at(10, 16))
    assert SlaBreach.objects.get(ticket=p1).remedy == ""   # seed 004: operation errors only


def test_it_gives_the_new_priority_its_own_notices(p1: Ticket, alice: Any) -> None:
    actions.change_priority(alice, p1, "P2", "只影响一个检查室", now=at(10, 5))
    escalation.check_sla(now=at(10, 23))            # P2 respond 30 min: 77 %
    assert notices(p1) == [("respond", "P2", "0.75")]
    actions.change_priority(alice, p1, "P1", "确认影响患者安全", now=at(10, 24))
    escalation.check_sla(now=at(10, 25))            # P1 respond was due 10:15
    assert notices(p1) == [("respond", "P2", "0.75"), ("respond", "P1", "1.00")]
    actions.change_priority(alice, p1, "P2", "复核", now=at(10, 26))
    escalation.check_sla(now=at(10, 27))            # P2 90 % at 10:27
    assert ("respond", "P2", "0.90") in notices(p1)
    assert SlaNotice.objects.filter(ticket=p1, priority="P2", threshold="0.75").count() == 1


def test_it_records_a_breach_of_a_ticket_closed_before_the_check_ran(p1: Ticket) -> None:
    """The respond target (due 10:15) is missed, and the ticket is closed at 10:15:40,
    before the minute's check (or while the worker was down): the check after it still
    records the breach; a day later the closed ticket is no longer looked at."""
    Ticket.objects.filter(pk=p1.pk).update(status="closed", closed_at=at(10, 15, 40))
    TicketEvent.objects.create(ticket=p1, at=at(10, 15, 40), kind="status",
                               from_value=p1.status, to_value="closed")
    [notice] = escalation.check_sla(now=at(10, 16))
    assert (notice.target, notice.level) == ("respond", "breach")
    assert SlaBreach.objects.get(ticket=p1).breached_at == at(10, 15)
    assert escalation.check_sla(now=at(10, 17)) == []
    SlaNotice.objects.all().delete()
    SlaBreach.objects.all().delete()
    assert escalation.check_sla(now=at(10, 16) + dt.timedelta(hours=25)) == []


def test_it_warns_of_nothing_once_the_target_is_met(p1: Ticket, bob: Any) -> None:
    actions.transition(bob, p1, "acknowledged", now=at(10, 5))
    assert [n.target for n in escalation.check_sla(now=at(10, 46))] == ["on_site"]


def test_it_leaves_tickets_without_a_contract_alone(desk: dict[str, Any],
                                                   alice: Any) -> None:
    ticket = actions.open_ticket(alice, "incident", "打印机坏了", "", [desk["printer"]],
                                 now=OPENED)
    assert ticket.contract_version is None
    assert escalation.check_sla(now=at(23)) == []


def test_it_mails_a_warning_to_the_named_people_through_a_real_smtp_server(
        p1: Ticket, alice: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any,
        settings: Any) -> None:
    channel_actions.create_channel(
        alice, name="运维邮件", kind="email",
        values={"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                "from_address": "careops@hospital.example", "to": "noc@hospital.example"})
    with django_capture_on_commit_callbacks(execute=True):
        escalation.check_sla(now=at(10, 12))
    [(sender, rcpts, message)] = smtp_server.mailbox.messages
    assert sender == "careops@hospital.example"
    assert rcpts == ["bob@vendor.example", "lead@vendor.example", "level1@vendor.example"]
    assert "noc@hospital.example" not in rcpts
    assert p1.number in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "视频无法播放" in body and "2026-03-10 10:15" in body


# --- explaining a breach ----------------------------------------------------------------

@pytest.fixture
def breach(p1: Ticket) -> SlaBreach:
    escalation.check_sla(now=at(10, 16))
    return SlaBreach.objects.get(ticket=p1)


def test_it_lets_the_vendor_own_a_breach_but_not_blame_the_hospital(
        breach: SlaBreach, bob: Any) -> None:
    escalation.explain_breach(bob, breach, "vendor", "路上堵车", now=at(11))
    breach.refresh_from_db()
    assert (breach.cause, breach.explanation) == ("vendor", "路上堵车")
    with pytest.raises(PermissionDenied):
        escalation.explain_breach(bob, breach, "hospital", "院方未开门")
    assert AuditRecord.objects.filter(object_type="servicedesk.slabreach",
                                      actor_id=bob.pk, action="update").count() == 1


def test_it_lets_only_the_hospital_relieve_the_vendor(breach: SlaBreach, alice: Any,
                                                      bob: Any) -> None:
    escalation.explain_breach(alice, breach, "force_majeure", "全院停电", now=at(11))
    assert SlaBreach.objects.get(pk=breach.pk).cause == "force_majeure"
    with pytest.raises(PermissionDenied):
        escalation.explain_breach(bob, breach, "vendor", "改回")
    note = breach.ticket.events.filter(kind="comment").last()
    assert note is not None and "全院停电" in note.note and not note.public


def test_it_refuses_a_breach_explanation_without_cause_or_text(breach: SlaBreach,
                                                              alice: Any,
                                                              charlie: Any) -> None:
    with pytest.raises(ValidationError) as info:
        escalation.explain_breach(alice, breach, "unexplained", "x")
    assert "cause" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        escalation.explain_breach(alice, breach, "vendor", "  ")
    assert "explanation" in info.value.message_dict
    with pytest.raises(PermissionDenied):   # the reporter does not work the ticket
        escalation.explain_breach(charlie, breach, "vendor", "x")


def test_it_explains_a_breach_through_the_api(breach: SlaBreach, bob: Any,
                                              client: Any) -> None:
    client.force_login(bob)
    listed = client.get("/api/v1/tickets/breaches/").json()
    assert [b["id"] for b in listed["results"]] == [breach.pk]
    url = f"/api/v1/tickets/breaches/{breach.pk}/explain/"
    bad = client.post(url, {"cause": "sometimes", "explanation": "x"},
                      content_type="application/json")
    assert bad.status_code == 400 and "cause" in bad.json()["error"]["fields"]
    refused = client.post(url, {"cause": "hospital", "explanation": "x"},
                          content_type="application/json")
    assert refused.status_code == 403
    ok = client.post(url, {"cause": "vendor", "explanation": "备件延误"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["cause"] == "vendor"


# --- auto-confirmation -------------------------------------------------------------------

def resolve(ticket: Ticket, worker: Any, when: dt.datetime) -> None:
    for status in ("acknowledged", "restored", "resolved"):
        actions.transition(worker, ticket, status, now=when)


def test_it_auto_confirms_after_three_working_days_across_national_day(
        p1: Ticket, bob: Any) -> None:
    resolve(p1, bob, dt.datetime(2026, 9, 30, 10, 0, tzinfo=CST))
    # Oct 1-7 are holidays; Oct 8, 9 and the make-up Saturday Oct 10 are the working days
    assert escalation.auto_confirm(now=dt.datetime(2026, 10, 9, 18, 0, tzinfo=CST),
                                   days=3) == []
    assert escalation.auto_confirm(now=dt.datetime(2026, 10, 10, 9, 59, tzinfo=CST),
                                   days=3) == []
    done = escalation.auto_confirm(now=dt.datetime(2026, 10, 10, 10, 0, tzinfo=CST), days=3)
    assert [t.pk for t in done] == [p1.pk]
    p1.refresh_from_db()
    assert p1.status == "closed"
    assert p1.closed_at == dt.datetime(2026, 10, 10, 10, 0, tzinfo=CST)
    rows = list(p1.events.filter(kind="status").order_by("id")
                .values_list("from_value", "to_value", "actor", "note"))[-2:]
    assert rows[0][:3] == ("resolved", "confirmed", None)
    assert rows[0][3].startswith("auto-confirmed") and "2026-10-10 10:00" in rows[0][3]
    assert rows[1][:3] == ("confirmed", "closed", None)
    audits = AuditRecord.objects.filter(object_type="servicedesk.ticket", object_id=str(p1.pk),
                                        actor_username="system")
    assert audits.count() == 2
    assert escalation.auto_confirm(now=dt.datetime(2026, 10, 12, tzinfo=CST), days=3) == []
    assert p1.events.filter(kind="survey").exists()   # closing sent the survey


def test_it_does_not_auto_confirm_what_the_reporter_refused(p1: Ticket, bob: Any,
                                                           charlie: Any) -> None:
    resolve(p1, bob, dt.datetime(2026, 3, 10, 11, 0, tzinfo=CST))
    actions.transition(charlie, p1, "acknowledged", "还是没有画面",
                       now=dt.datetime(2026, 3, 11, tzinfo=CST))
    assert escalation.auto_confirm(now=dt.datetime(2026, 4, 1, tzinfo=CST), days=3) == []
    assert Ticket.objects.get(pk=p1.pk).status == "acknowledged"


def test_it_turns_auto_confirmation_off_with_zero_days(p1: Ticket, bob: Any,
                                                       settings: Any) -> None:
    resolve(p1, bob, dt.datetime(2026, 3, 10, 11, 0, tzinfo=CST))
    settings.CAREOPS_AUTO_CONFIRM_WORKING_DAYS = 0
    assert escalation.auto_confirm(now=dt.datetime(2026, 6, 1, tzinfo=CST)) == []
    settings.CAREOPS_AUTO_CONFIRM_WORKING_DAYS = 3
    assert len(escalation.auto_confirm(now=dt.datetime(2026, 6, 1, tzinfo=CST))) == 1


# --- settings and tasks -------------------------------------------------------------------

def test_it_reads_the_warning_fractions_from_the_environment() -> None:
    assert env_fractions("F", (0.75, 0.9), environ={}) == (0.75, 0.9)
    assert env_fractions("F", (), environ={"F": "0.9, 0.5,0.9"}) == (0.5, 0.9)
    for bad in ("0.75,1", "0", "abc", "0.875"):
        with pytest.raises(ConfigError) as info:
            env_fractions("F", (), environ={"F": bad})
        assert info.value.name == "F"


def test_it_uses_the_configured_fractions(p1: Ticket, settings: Any) -> None:
    settings.CAREOPS_SLA_WARNING_FRACTIONS = (0.5,)
    assert [n.threshold for n in escalation.check_sla(now=at(10, 8))] == [Decimal("0.5")]


def test_it_registers_the_periodic_tasks_with_huey() -> None:
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    names = {(t.__module__, t.__name__) for t in HUEY._registry._periodic_tasks}
    assert {("careops.servicedesk.tasks", "check_sla"),
            ("careops.servicedesk.tasks", "auto_confirm")} <= names


def test_it_runs_the_check_as_a_task(seed_004: Any, desk: dict[str, Any],
                                     charlie: Any) -> None:
    from django.utils import timezone

    from careops.servicedesk import tasks

    seed_004()
    # the task takes no time: open the ticket three hours before whatever "now" is here
    ticket = actions.open_ticket(charlie, "incident", "视频无法播放", "", [desk["video"]],
                                 now=timezone.now() - dt.timedelta(hours=3))
    assert tasks.check_sla.call_local() == 3
    assert set(SlaBreach.objects.filter(ticket=ticket).values_list("target", flat=True)) == {
        "respond", "on_site", "restore"}


def test_it_checks_every_open_ticket_in_a_constant_number_of_queries(
        seed_004: Any, desk: dict[str, Any], alice: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seed_004()

    def open_some(count: int) -> None:
        for _n in range(count):
            actions.open_ticket(alice, "incident", "考试系统登录慢", "", [desk["exam"]],
                                now=OPENED)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert escalation.check_sla(now=at(10, 5)) == []     # nothing due yet
        return len(captured)

    open_some(3)
    escalation.check_sla(now=at(10, 5))          # the process's calendar cache, warm
    few = queries()
    open_some(30)
    assert queries() == few
