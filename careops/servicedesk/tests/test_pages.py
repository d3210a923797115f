"""The service desk pages, as alice (hospital), bob (vendor), charlie (department),
the auditor and the system administrator: who gets 200, 403 or 404, what each sees,
forms that go through the actions, conflicts that lose nothing, audited downloads."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careops.core.choices import AuditAction
from careops.core.models import AuditRecord
from careops.servicedesk import actions
from careops.servicedesk.models import Attachment, Team, Ticket, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
QUEUE = reverse("servicedesk:queue")


def png() -> bytes:
    """A small real PNG: the report form only takes images."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
    return buffer.getvalue()


def page(number: str, name: str = "ticket") -> str:
    return reverse(f"servicedesk:{name}", args=[number])


@pytest.fixture
def tickets(seed_004: Any, desk: dict[str, Any], alice: Any, charlie: Any) -> dict[str, Any]:
    seed_004()
    video = actions.open_ticket(charlie, "incident", "手术视频黑屏", "3号手术间", [desk["video"]])
    printer = actions.open_ticket(alice, "incident", "打印机卡纸", "", [desk["printer"]])
    return {"video": video, "printer": printer}


def test_it_shows_each_role_the_queue_it_may_see(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any, charlie: Any,
        auditor: Any, sysadmin: Any) -> None:
    def listed(user: Any, query: str = "?tab=all") -> str:
        response = verified_client(user).get(QUEUE + query)
        assert response.status_code == 200
        return response.content.decode()

    video, printer = tickets["video"].number, tickets["printer"].number
    everything = listed(alice)
    assert video in everything and printer in everything
    assert "No SLA" in listed(alice, "?tab=no_sla")
    assert video not in listed(alice, "?tab=no_sla")
    vendor = listed(bob)
    assert video in vendor and printer not in vendor
    assert 'data-testid="tab-no_sla"' not in vendor        # the hospital admin's list only
    department = listed(charlie, "")
    assert 'data-testid="tab-reported"' in department and video in department
    assert 'data-testid="new-ticket"' not in department
    assert video in listed(auditor)
    assert verified_client(sysadmin).get(QUEUE).status_code == 403


def test_it_lists_the_queues_with_a_constant_number_of_queries(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        django_assert_max_num_queries: Any) -> None:
    seed_004()
    client = verified_client(alice)

    def count(n: int) -> list[int]:
        for i in range(n - Ticket.objects.count()):
            ticket = actions.open_ticket(alice, "incident", f"故障 {i}", "", [desk["video"]])
            actions.assign(alice, ticket, alice)
        counts = []
        for tab in ("mine", "team", "unassigned", "soon", "all", "no_sla"):
            client.get(f"{QUEUE}?tab={tab}")       # warms the calendar and contract caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"{QUEUE}?tab={tab}").status_code == 200
            counts.append(len(queries))
        return counts

    few = count(5)
    assert count(50) == few          # per tab: mine, team, unassigned, soon, all, no SLA
    with django_assert_max_num_queries(max(few)):
        client.get(f"{QUEUE}?tab=all&q=故障")


def test_it_filters_with_the_same_filterset_as_the_api(
        tickets: dict[str, Any], verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    body = client.get(f"{QUEUE}?tab=all&system=PRINT").content.decode()
    assert tickets["printer"].number in body and tickets["video"].number not in body
    body = client.get(f"{QUEUE}?tab=all&q=黑屏").content.decode()
    assert tickets["video"].number in body and tickets["printer"].number not in body
    api = client.get("/api/v1/tickets/?contract=seed-004-edu").json()
    assert [t["number"] for t in api["results"]] == [tickets["video"].number]
    api = client.get("/api/v1/tickets/?status=new&status=closed&system=PRINT").json()
    assert [t["number"] for t in api["results"]] == [tickets["printer"].number]
    bad = client.get("/api/v1/tickets/?opened_after=yesterday")
    assert bad.status_code == 400 and "opened_after" in bad.json()["error"]["fields"]


def test_it_lists_breaching_tickets_first(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any) -> None:
    seed_004()
    # Seed 004 P1: respond within 30 minutes. Opened 2 h ago: breached; just now: not yet.
    from django.utils import timezone

    late = actions.open_ticket(alice, "incident", "早", "", [desk["video"]],
                               now=timezone.now() - dt.timedelta(hours=2))
    fresh = actions.open_ticket(alice, "incident", "新", "", [desk["video"]])
    body = verified_client(alice).get(f"{QUEUE}?tab=soon").content.decode()
    assert late.number in body and fresh.number not in body


def test_it_shows_the_ticket_page_to_who_may_see_it(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any, charlie: Any,
        auditor: Any, sysadmin: Any) -> None:
    video, printer = tickets["video"], tickets["printer"]
    actions.comment(alice, video, "内部：先查交换机", public=False)
    response = verified_client(bob).get(page(video.number))
    assert response.status_code == 200
    body = response.content.decode()
    for part in ('data-testid="ticket-clocks"', 'data-testid="move-acknowledged"',
                 "内部：先查交换机", "SURG-VIDEO", 'data-testid="assign-form"',
                 'hx-trigger="every 30s"'):
        assert part in body, part
    assert verified_client(bob).get(page(printer.number)).status_code == 404
    department = verified_client(charlie).get(page(video.number)).content.decode()
    assert "内部：先查交换机" not in department
    assert 'data-testid="transition-form"' not in department
    assert 'data-testid="ticket-clocks"' not in department
    assert 'data-testid="comment-form"' in department
    auditor_view = verified_client(auditor).get(page(video.number)).content.decode()
    assert 'data-testid="ticket-clocks"' in auditor_view
    assert 'data-testid="assign-form"' not in auditor_view
    assert 'data-testid="no-sla"' in verified_client(alice).get(
        page(printer.number)).content.decode()
    assert verified_client(sysadmin).get(page(video.number)).status_code == 403
    assert verified_client(alice).get(page("INC-1999-000001")).status_code == 404
    clocks = verified_client(alice).get(page(video.number, "ticket_clocks"))
    assert clocks.status_code == 200 and b'data-clock="respond"' in clocks.content
    assert verified_client(charlie).get(page(video.number, "ticket_clocks")).status_code == 403


def test_it_offers_as_assignees_exactly_who_may_work_in_a_constant_number_of_queries(
        tickets: dict[str, Any], desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any, charlie: Any, make_user: Any) -> None:
    from careops.core.models import User
    from careops.servicedesk.views.tickets import _workers

    video = tickets["video"]
    outsider = make_user("olga", "vendor_engineer")     # another vendor's engineer
    engineer = make_user("ivan", "it_engineer")
    expected = {alice.pk, bob.pk, engineer.pk}
    assert set(_workers(video).values_list("pk", flat=True)) == expected
    assert {u.pk for u in User.objects.all() if actions.may_work(u, video)} == expected
    Ticket.objects.filter(pk=video.pk).update(assignee=outsider)   # his, by assignment
    video.refresh_from_db()
    assert outsider.pk in set(_workers(video).values_list("pk", flat=True))
    client = verified_client(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(video.number)).status_code == 200
        return len(queries)

    before = count()
    for n in range(30):
        desk["vendor"].engineers.add(make_user(f"eng{n:02d}", "vendor_engineer"))
    after = count()
    assert after == before, (before, after)
    assert len(list(_workers(video))) == len(expected) + 1 + 30


def test_it_moves_a_ticket_and_refuses_a_stale_version_without_losing_the_note(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any) -> None:
    video = tickets["video"]
    client = verified_client(bob)
    response = client.post(page(video.number, "transition"),
                           {"to": "acknowledged", "version": 1, "note": "已电话联系"})
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.status, video.version) == ("acknowledged", 2)
    # Alice still has the page of version 1 open and assigns: conflict, nothing saved.
    response = verified_client(alice).post(page(video.number, "transition"),
                                           {"to": "on_site", "version": 1,
                                            "note": "工程师已出发，我的长备注"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "version 2" in body
    assert "工程师已出发，我的长备注" in body                # what she typed is kept
    assert 'name="version" value="2"' in body
    video.refresh_from_db()
    assert (video.status, video.version) == ("acknowledged", 2)
    assert not TicketEvent.objects.filter(ticket=video, note__contains="我的长备注").exists()
    illegal = client.post(page(video.number, "transition"), {"to": "closed", "version": 2})
    assert illegal.status_code == 409 and "On site" in illegal.content.decode()


def test_it_records_a_fallback_plan_for_a_p1_and_works_assign_and_priority(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any,
        charlie: Any) -> None:
    video = tickets["video"]
    assert video.priority == "P1"
    client = verified_client(alice)
    assert client.post(page(video.number, "transition"),
                       {"to": "acknowledged", "version": 1}).status_code == 302
    body = client.get(page(video.number)).content.decode()
    assert 'name="fallback_plan"' in body
    assert client.post(page(video.number, "transition"),
                       {"to": "restored", "version": 2,
                        "fallback_plan": "改用备用录像机"}).status_code == 302
    video.refresh_from_db()
    assert (video.status, video.fallback_plan) == ("restored", "改用备用录像机")
    team = Team.objects.create(name="驻场组")
    assert client.post(page(video.number, "assign"),
                       {"assignee": bob.pk, "team": team.pk,
                        "version": video.version}).status_code == 302
    video.refresh_from_db()
    assert (video.assignee, video.team) == (bob, team)
    missing_reason = client.post(page(video.number, "priority"),
                                 {"priority": "P2", "version": video.version})
    assert missing_reason.status_code == 400
    assert "reason" in missing_reason.context["priority_form"].errors
    assert client.post(page(video.number, "priority"),
                       {"priority": "P2", "reason": "只影响一间手术室",
                        "version": video.version}).status_code == 302
    video.refresh_from_db()
    assert video.priority == "P2"
    # A department user cannot post to the working forms.
    assert verified_client(charlie).post(
        page(video.number, "priority"),
        {"priority": "P3", "reason": "x", "version": video.version}).status_code == 403
    video.refresh_from_db()
    assert video.priority == "P2"


def test_it_lets_the_reporter_confirm_a_resolved_ticket(
        tickets: dict[str, Any], verified_client: Any, alice: Any, charlie: Any) -> None:
    video = tickets["video"]
    for status in ("acknowledged", "restored", "resolved"):
        actions.transition(alice, video, status, fallback_plan="备用" if status == "restored"
                           else "")
    client = verified_client(charlie)
    assert 'data-testid="confirm"' in client.get(page(video.number)).content.decode()
    response = client.post(page(video.number, "transition"),
                           {"to": "confirmed", "version": video.version})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == "confirmed"
    assert client.post(page(video.number, "comment"), {"text": "谢谢"}).status_code == 302
    assert TicketEvent.objects.filter(ticket=video, note="谢谢", public=True).exists()


def test_it_lets_the_reporter_say_not_fixed_with_a_note(
        tickets: dict[str, Any], verified_client: Any, alice: Any, charlie: Any) -> None:
    video = tickets["video"]
    for status in ("acknowledged", "restored", "resolved"):
        actions.transition(alice, video, status, fallback_plan="备用" if status == "restored"
                           else "")
    client = verified_client(charlie)
    body = client.get(page(video.number)).content.decode()
    assert 'data-testid="confirm"' in body and 'data-testid="not-fixed"' in body
    no_note = client.post(page(video.number, "transition"),
                          {"to": "acknowledged", "version": video.version, "note": ""})
    assert no_note.status_code == 400
    assert "note" in no_note.context["transition_form"].errors
    assert 'data-testid="not-fixed"' in no_note.content.decode()
    response = client.post(page(video.number, "transition"),
                           {"to": "acknowledged", "version": video.version,
                            "note": "画面还是卡顿"})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.status == "acknowledged"
    assert TicketEvent.objects.filter(ticket=video, kind="status", note="画面还是卡顿",
                                      actor=charlie).exists()


def test_it_uploads_and_downloads_attachments_with_an_audit_record(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any,
        charlie: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    video = tickets["video"]
    client = verified_client(bob)
    upload = SimpleUploadedFile("日志.txt", "错误 0x1F".encode(), content_type="text/plain")
    assert client.post(page(video.number, "attach"),
                       {"file": upload, "public": ""}).status_code == 302
    attachment = Attachment.objects.get(ticket=video)
    assert attachment.public is False
    url = reverse("servicedesk:attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "错误 0x1F".encode()
    assert "attachment;" in response["Content-Disposition"]
    assert AuditRecord.objects.filter(action=AuditAction.DOWNLOAD, actor_id=bob.pk).count() == 1
    # Internal: the reporter may not fetch it, and nothing is recorded for him.
    assert verified_client(charlie).get(url).status_code == 404
    assert not AuditRecord.objects.filter(action=AuditAction.DOWNLOAD, actor_id=charlie.pk).exists()
    empty = client.post(page(video.number, "attach"),
                        {"file": SimpleUploadedFile("x.txt", b"")})
    assert empty.status_code == 400


def test_it_offers_a_department_user_only_his_own_systems(
        tickets: dict[str, Any], desk: dict[str, Any], verified_client: Any, charlie: Any,
        settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = verified_client(charlie)
    form = client.get(reverse("servicedesk:report")).content.decode()
    assert "SURG-VIDEO" in form and "EXAM-STD" in form and "PRINT" not in form
    before = Ticket.objects.count()
    response = client.post(reverse("servicedesk:report"),
                           {"system": desk["printer"].pk, "kind": "incident", "title": "打印"})
    assert response.status_code == 400
    assert "system" in response.context["form"].errors
    assert Ticket.objects.count() == before
    response = client.post(reverse("servicedesk:report"), {
        "system": desk["exam"].pk, "kind": "incident", "title": "考试系统打不开",
        "description": "示教室2", "screenshot": SimpleUploadedFile("屏幕.png", png(),
                                                                   content_type="image/png")})
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="考试系统打不开")
    assert (ticket.reporter, ticket.channel) == (charlie, "web")
    assert ticket.attachments.get().name == "屏幕.png"
    not_image = client.post(reverse("servicedesk:report"), {
        "system": desk["exam"].pk, "kind": "incident", "title": "y",
        "screenshot": SimpleUploadedFile("a.png", b"not an image")})
    assert not_image.status_code == 400 and "screenshot" in not_image.context["form"].errors
    response = client.post(reverse("servicedesk:report"), {
        "system": desk["exam"].pk, "kind": "request", "title": "增加考场"})
    assert response.status_code == 302
    assert Ticket.objects.get(title="增加考场").priority == "simple"


def test_it_opens_a_phone_ticket_for_a_reporter(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any, charlie: Any,
        settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    url = reverse("servicedesk:new")
    assert verified_client(charlie).get(url).status_code == 403
    client = verified_client(alice)
    page_body = client.get(url).content.decode()
    assert 'value="phone" selected' in page_body
    bad = client.post(url, {"kind": "incident", "reporter": charlie.pk, "channel": "phone",
                            "items": "SURG-VIDEO NOPE", "title": "x"})
    assert bad.status_code == 400 and "NOPE" in str(bad.context["form"].errors["items"])
    no_reason = client.post(url, {"kind": "incident", "reporter": charlie.pk,
                                  "channel": "phone", "items": "SURG-VIDEO", "title": "x",
                                  "priority": "P3"})
    assert no_reason.status_code == 400 and "reason" in no_reason.context["form"].errors
    response = client.post(url, {"kind": "incident", "reporter": charlie.pk, "channel": "phone",
                                 "items": "H-VIDEO-01", "title": "视频服务器宕机",
                                 "attachment": SimpleUploadedFile("a.txt", b"log")})
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="视频服务器宕机")
    assert (ticket.reporter, ticket.channel, ticket.contract_version is not None) == (
        charlie, "phone", True)
    assert ticket.attachments.count() == 1
    record = AuditRecord.objects.filter(action=AuditAction.CREATE,
                                        object_repr__contains=ticket.number).first()
    assert record is not None and record.actor_id == alice.pk
    assert record.detail["reporter"] == "charlie"


def test_the_desk_form_offers_only_hospital_staff_and_department_users_as_reporter(
        tickets: dict[str, Any], verified_client: Any, alice: Any, bob: Any, charlie: Any,
        auditor: Any, make_user: Any) -> None:
    victor = make_user("victor", "vendor_engineer")
    url = reverse("servicedesk:new")
    client = verified_client(bob)
    choices = {str(u.pk) for u in client.get(url).context["form"].fields["reporter"].queryset}
    assert choices == {str(alice.pk), str(bob.pk), str(charlie.pk)}
    refused = client.post(url, {"kind": "incident", "reporter": victor.pk, "channel": "phone",
                                "items": "EXAM-STD", "title": "代报"})
    assert refused.status_code == 400 and "reporter" in refused.context["form"].errors
    assert not Ticket.objects.filter(title="代报").exists()


def test_it_lets_the_hospital_admin_keep_teams(
        verified_client: Any, alice: Any, bob: Any, charlie: Any) -> None:
    client = verified_client(alice)
    assert client.get(reverse("servicedesk:team_list")).status_code == 200
    assert verified_client(bob).get(reverse("servicedesk:team_list")).status_code == 403
    client = verified_client(alice)
    response = client.post(reverse("servicedesk:team_create"),
                           {"name": "信息科值班", "lead": alice.pk, "members": [bob.pk]})
    assert response.status_code == 302
    team = Team.objects.get(name="信息科值班")
    assert list(team.members.all()) == [bob]
    refused = client.post(reverse("servicedesk:team_create"), {"name": "信息科值班"})
    assert refused.status_code == 400
    not_worker = client.post(reverse("servicedesk:team_edit", args=[team.pk]),
                             {"name": "信息科值班", "members": [charlie.pk]})
    assert not_worker.status_code == 400 and "members" in not_worker.context["form"].errors
    assert client.post(reverse("servicedesk:team_edit", args=[team.pk]),
                       {"name": "信息科", "lead": alice.pk}).status_code == 302
    team.refresh_from_db()
    assert (team.name, team.members.count()) == ("信息科", 0)
    assert AuditRecord.objects.filter(object_repr__contains="信息科").count() >= 2
    assert client.get(reverse("servicedesk:team_edit", args=[9999])).status_code == 404


def test_the_ticket_page_takes_the_analysis_report_the_waiver_and_change_steps(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    from careops.servicedesk.models import AnalysisReport, ChangePlan

    seed_004()
    ticket = actions.open_ticket(alice, "incident", "视频无法播放", "", [desk["video"]])
    client = verified_client(alice)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="waive-form"' in page and 'data-testid="analysis-form"' in page
    assert f"/reports/records/tickets/{ticket.number}/?format=pdf" in page
    response = client.post(f"/tickets/{ticket.number}/analysis/",
                           {"event_description": "中断", "root_cause": "", "scope": "手术室",
                            "steps_taken": "重启", "prevention": "监控", "version": 1})
    assert response.status_code == 400 and not AnalysisReport.objects.exists()
    stale = client.post(f"/tickets/{ticket.number}/analysis/",
                        {"event_description": "中断", "root_cause": "存储满", "scope": "手术室",
                         "steps_taken": "重启", "prevention": "监控", "version": 9})
    assert stale.status_code == 409 and not AnalysisReport.objects.exists()
    assert "存储满" in stale.content.decode()                  # what was typed is kept
    response = client.post(f"/tickets/{ticket.number}/analysis/",
                           {"event_description": "中断", "root_cause": "存储满", "scope": "手术室",
                            "steps_taken": "重启", "prevention": "监控", "version": 1})
    assert response.status_code == 302
    assert AnalysisReport.objects.get(ticket=ticket).root_cause == "存储满"
    version = Ticket.objects.get(pk=ticket.pk).version
    response = client.post(f"/tickets/{ticket.number}/waive/",
                           {"reason": "远程已解决", "version": version})
    assert response.status_code == 302
    assert ticket.events.filter(kind="target_waived", to_value="on_site").exists()
    again = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="waive-form"' not in again
    # a change moving to implementing names its supervisor on the page
    change = actions.open_ticket(bob, "change", "升级", "", [desk["video"]])
    now = timezone.now()
    actions.save_change_plan(bob, change, content="升级", plan="停机", window_start=now,
                             window_end=now + dt.timedelta(hours=1), risk_assessment="低",
                             backup_plan="快照", rollback_plan="回滚")
    actions.transition(alice, change, "approved")
    actions.transition(alice, change, "scheduled")
    version = Ticket.objects.get(pk=change.pk).version
    response = client.post(f"/tickets/{change.number}/transition/",
                           {"to": "implementing", "version": version, "supervisor": alice.pk})
    assert response.status_code == 302
    assert ChangePlan.objects.get(ticket=change).supervisor == alice


def test_the_ticket_page_writes_a_change_plan_until_the_hospital_decides(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any) -> None:
    from careops.servicedesk.models import ChangePlan

    seed_004()
    change = actions.open_ticket(bob, "change", "PACS 升级", "", [desk["video"]])
    client = verified_client(bob)
    assert 'data-testid="change-plan-form"' in client.get(page(change.number)).content.decode()
    values = {"content": "PACS 5.1 升级到 5.2", "plan": "停机后替换程序", "window_start":
              "2026-11-28T22:00", "window_end": "2026-11-28T21:00", "risk_level": "high",
              "risk_assessment": "影像调阅中断 1 小时", "backup_plan": "全量备份",
              "rollback_plan": "恢复旧版本", "version": 1}
    refused = client.post(page(change.number, "change_plan"), values)
    assert refused.status_code == 400 and not ChangePlan.objects.exists()
    assert "The window must end after it starts." in refused.content.decode()
    assert "PACS 5.1 升级到 5.2" in refused.content.decode()  # what was typed is kept
    values["window_end"] = "2026-11-29T01:00"
    stale = client.post(page(change.number, "change_plan"), {**values, "version": 7})
    assert stale.status_code == 409 and not ChangePlan.objects.exists()
    assert "PACS 5.1 升级到 5.2" in stale.content.decode()
    assert client.post(page(change.number, "change_plan"), values).status_code == 302
    plan = ChangePlan.objects.get(ticket=change)
    # the form's local time (Asia/Shanghai) is stored in UTC
    assert plan.window_start == dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    assert plan.risk_level == "high"
    shown = client.get(page(change.number)).content.decode()
    assert 'value="2026-11-28T22:00"' in shown  # the saved plan fills the form again
    change.refresh_from_db()                      # saving the plan bumped the version
    actions.transition(alice, change, "approved")
    fixed = client.get(page(change.number)).content.decode()
    assert 'data-testid="change-plan-form"' not in fixed and 'data-testid="change-plan"' in fixed
    values["content"] = "改了"
    values["version"] = Ticket.objects.get(pk=change.pk).version
    late = client.post(page(change.number, "change_plan"), values)
    assert late.status_code == 400
    assert ChangePlan.objects.get(ticket=change).content == "PACS 5.1 升级到 5.2"


def test_the_problem_page_links_incidents_by_number(
        seed_004: Any, desk: dict[str, Any], verified_client: Any, alice: Any,
        bob: Any, charlie: Any) -> None:
    seed_004()
    first = actions.open_ticket(charlie, "incident", "视频卡顿", "", [desk["video"]])
    second = actions.open_ticket(charlie, "incident", "视频黑屏", "", [desk["video"]])
    request = actions.open_ticket(alice, "request", "新增账号", "", [desk["video"]],
                                  priority="simple")
    problem = actions.open_ticket(bob, "problem", "视频存储性能不足", "", [desk["video"]])
    client = verified_client(bob)
    assert 'data-testid="link-form"' in client.get(page(problem.number)).content.decode()
    wrong = client.post(page(problem.number, "link"),
                        {"numbers": f"{first.number}, INC-1999-000001"})
    assert wrong.status_code == 400 and "INC-1999-000001" in wrong.content.decode()
    assert not problem.linked_incidents.exists()
    not_incident = client.post(page(problem.number, "link"), {"numbers": request.number})
    assert not_incident.status_code == 400 and not problem.linked_incidents.exists()
    done = client.post(page(problem.number, "link"),
                       {"numbers": f"{first.number.lower()}，{second.number}"})
    assert done.status_code == 302
    assert set(problem.linked_incidents.all()) == {first, second}
    assert first.events.filter(kind="link", to_value=problem.number).exists()
    incident_page = client.get(page(first.number)).content.decode()
    assert problem.number in incident_page and 'data-testid="link-form"' not in incident_page
    client.post(page(problem.number, "link"), {"numbers": second.number, "unlink": "on"})
    assert list(problem.linked_incidents.all()) == [first]
    # a department user may not link
    assert verified_client(charlie).post(page(problem.number, "link"),
                                         {"numbers": first.number}).status_code in (403, 404)
