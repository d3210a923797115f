"""Satisfaction surveys: sent on closing, single-use public page, results
(careops.servicedesk.actions.surveys, views/surveys.py, api/escalation.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from careops.core.actions import notifications as channel_actions
from careops.core.models import AuditRecord, Notification
from careops.core.tests import notify_support as support
from careops.servicedesk import actions
from careops.servicedesk.actions import surveys
from careops.servicedesk.models import Survey, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
smtp_server = support.smtp_server

CST = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)


def close(ticket: Ticket, worker: Any, reporter: Any, when: dt.datetime) -> None:
    for status in ("acknowledged", "restored", "resolved"):
        actions.transition(worker, ticket, status, now=when)
    actions.transition(reporter, ticket, "confirmed", now=when)
    actions.transition(worker, ticket, "closed", now=when)


@pytest.fixture
def ticket(seed_004: Any, desk: dict[str, Any], alice: Any, bob: Any, charlie: Any) -> Ticket:
    seed_004()
    charlie.email = "charlie@hospital.example"
    charlie.save()
    t = actions.open_ticket(charlie, "incident", "视频无法播放", "", [desk["video"]], now=OPENED)
    actions.assign(alice, t, bob, now=OPENED)
    return t


def new_survey(ticket: Ticket, now: dt.datetime | None = None) -> str:
    result = surveys.send_survey(ticket, now or timezone.now())
    assert result is not None
    return result[1]


def test_it_sends_a_survey_when_the_ticket_closes(ticket: Ticket, bob: Any, charlie: Any,
                                                  alice: Any) -> None:
    channel = channel_actions.create_channel(
        alice, name="邮件", kind="email",
        values={"host": "127.0.0.1", "port": 25, "security": "none",
                "from_address": "careops@hospital.example", "to": "noc@hospital.example"})
    close(ticket, bob, charlie, OPENED + dt.timedelta(hours=1))
    survey = Survey.objects.get(ticket=ticket)
    assert survey.engineer == bob
    assert survey.expires_at == OPENED + dt.timedelta(hours=1, days=30)
    assert len(survey.token_hash) == 64
    [mail] = Notification.objects.filter(channel=channel, event="ticket.survey")
    assert mail.data["recipients"] == ["charlie@hospital.example"]
    token = mail.link.rsplit("/", 2)[-2]
    assert mail.link == f"/survey/{token}/"
    assert hashlib.sha256(token.encode()).hexdigest() == survey.token_hash
    assert not Survey.objects.filter(token_hash=token).exists()   # only the hash is kept
    event = ticket.events.get(kind="survey")
    assert event.actor is None and "2026-04-09" in event.note


def test_it_mails_the_link_to_the_reporter_and_then_forgets_it(
        ticket: Ticket, alice: Any, smtp_server: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    channel_actions.create_channel(
        alice, name="邮件", kind="email",
        values={"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
                "from_address": "careops@hospital.example", "to": "noc@hospital.example"})
    with django_capture_on_commit_callbacks(execute=True):
        token = new_survey(ticket)
    [(_from, rcpts, message)] = smtp_server.mailbox.messages
    assert rcpts == ["charlie@hospital.example"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"http://127.0.0.1:8000/survey/{token}/" in body
    [note] = Notification.objects.filter(event="ticket.survey")
    assert note.status == "sent" and note.link == ""


def test_it_creates_the_survey_without_mail_when_the_reporter_has_no_address(
        ticket: Ticket, charlie: Any) -> None:
    charlie.email = ""
    charlie.save()
    ticket.refresh_from_db()
    new_survey(ticket)
    assert Notification.objects.count() == 0
    assert "no link was sent" in ticket.events.get(kind="survey").note


def test_it_takes_one_answer_per_link(ticket: Ticket, client: Any) -> None:
    token = new_survey(ticket)
    url = f"/survey/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    answered = client.post(url, {"score": "4", "comment": "工程师很专业"})
    assert answered.status_code == 200
    assert "Thank you" in answered.content.decode()
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.score, survey.comment) == (4, "工程师很专业")
    again = client.post(url, {"score": "1"})
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert client.get(url).status_code == 410
    assert Survey.objects.get(ticket=ticket).score == 4
    event = ticket.events.get(kind="survey", to_value="4")
    assert event.actor is None and event.note == "工程师很专业"
    record = AuditRecord.objects.get(object_type="servicedesk.survey", action="update")
    assert record.actor_id is None


def test_it_answers_410_once_the_survey_expired(ticket: Ticket, client: Any) -> None:
    token = new_survey(ticket, timezone.now() - dt.timedelta(days=31))
    response = client.post(f"/survey/{token}/", {"score": "5"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Survey.objects.get(ticket=ticket).score is None


def test_it_answers_404_for_an_unknown_token_and_tells_nothing(ticket: Ticket,
                                                              client: Any) -> None:
    new_survey(ticket)
    response = client.get("/survey/not-a-real-token/")
    assert response.status_code == 404
    assert ticket.number not in response.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "", "3.5", "x"])
def test_it_refuses_a_score_outside_1_to_5_naming_the_field(ticket: Ticket, client: Any,
                                                            score: str) -> None:
    token = new_survey(ticket)
    response = client.post(f"/survey/{token}/", {"score": score})
    assert response.status_code == 400
    assert 'data-testid="score-error"' in response.content.decode()
    assert Survey.objects.get(ticket=ticket).answered_at is None


@pytest.mark.parametrize("score", [0, 6, True, "５"])
def test_it_refuses_bad_scores_in_the_action(ticket: Ticket, score: Any) -> None:
    token = new_survey(ticket)
    with pytest.raises(ValidationError) as info:
        surveys.answer_survey(token, score)
    assert list(info.value.message_dict) == ["score"]


def test_it_raises_for_unknown_and_reused_tokens_in_the_action(ticket: Ticket) -> None:
    token = new_survey(ticket)
    with pytest.raises(Survey.DoesNotExist):
        surveys.answer_survey("nope", 3)
    surveys.answer_survey(token, 3)
    with pytest.raises(surveys.SurveyGone) as info:
        surveys.answer_survey(token, 5)
    assert info.value.reason == "answered"


def test_it_renders_the_survey_page_without_inline_script_or_style(ticket: Ticket,
                                                                  client: Any) -> None:
    token = new_survey(ticket)
    html = client.get(f"/survey/{token}/").content.decode()
    assert "<script>" not in html and "style=" not in html and " onclick" not in html


# --- results ---------------------------------------------------------------------------

@pytest.fixture
def answered(desk: dict[str, Any], seed_004: Any, alice: Any, bob: Any, charlie: Any,
             make_user: Any) -> dict[str, Any]:
    seed_004()
    dave = make_user("dave", "vendor_engineer", name="Dave 周")
    desk["vendor"].engineers.add(dave)
    plan = [(bob, desk["video"], 5, dt.datetime(2026, 3, 5, tzinfo=CST)),
            (bob, desk["exam"], 3, dt.datetime(2026, 3, 20, tzinfo=CST)),
            (dave, desk["video"], 4, dt.datetime(2026, 3, 25, tzinfo=CST)),
            (dave, desk["exam"], 1, dt.datetime(2026, 4, 2, tzinfo=CST)),
            (alice, desk["printer"], None, dt.datetime(2026, 3, 9, tzinfo=CST))]
    for engineer, system, score, when in plan:
        t = actions.open_ticket(alice, "incident", "故障", "", [system], now=OPENED)
        actions.assign(alice, t, engineer, now=OPENED)
        token = new_survey(t, when - dt.timedelta(days=1))
        if score is not None:
            surveys.answer_survey(token, score, now=when)
    return {"dave": dave}


def test_it_averages_the_scores_per_engineer_system_and_contract(answered: Any) -> None:
    march = surveys.results("2026-03")
    assert (march.sent, march.answered, march.average) == (4, 3, 4.0)
    assert [(r.label, r.count, r.average) for r in march.engineers] == [
        ("Bob 李", 2, 4.0), ("Dave 周", 1, 4.0)]
    assert [(r.key, r.count, r.average) for r in march.systems] == [
        ("SURG-VIDEO", 2, 4.5), ("EXAM-STD", 1, 3.0)]
    assert [(r.key, r.count, r.average) for r in march.contracts] == [
        ("seed-004-edu", 3, 4.0)]
    everything = surveys.results()
    assert (everything.sent, everything.answered, everything.average) == (5, 4, 3.25)
    assert [(r.label, r.average) for r in everything.engineers] == [
        ("Bob 李", 4.0), ("Dave 周", 2.5)]


def test_it_shows_the_results_to_the_hospital_only(answered: Any, verified_client: Any,
                                                   alice: Any, bob: Any, charlie: Any,
                                                   auditor: Any, sysadmin: Any, secadmin: Any,
                                                   auditadmin: Any,
                                                   django_assert_max_num_queries: Any) -> None:
    client = verified_client(alice)
    with django_assert_max_num_queries(20):
        page = client.get("/tickets/surveys/?month=2026-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dave 周" in html and "手术视频" in html and "手术视频与考试系统运维服务" in html
    assert client.get("/tickets/surveys/?month=2026-13").status_code == 400
    for month in ("0000-01", "9999-12", "1999-12", "2101-01"):
        bad = client.get(f"/tickets/surveys/?month={month}")
        assert bad.status_code == 400 and "month" in bad.context["form"].errors, month
        api = client.get(f"/api/v1/tickets/surveys/results/?month={month}")
        assert api.status_code == 400 and "month" in api.json()["error"]["fields"], month
    assert verified_client(auditor).get("/tickets/surveys/").status_code == 200
    assert verified_client(bob).get("/tickets/surveys/").status_code == 403
    assert verified_client(charlie).get("/tickets/surveys/").status_code == 403
    for admin in (sysadmin, secadmin, auditadmin):
        assert verified_client(admin).get("/tickets/surveys/").status_code == 403


def test_it_serves_the_results_through_the_api(answered: Any, verified_client: Any,
                                               alice: Any, bob: Any) -> None:
    client = verified_client(alice)
    data = client.get("/api/v1/tickets/surveys/results/?month=2026-04").json()
    assert (data["sent"], data["answered"], data["average"]) == (1, 1, 1.0)
    assert data["engineers"][0]["label"] == "Dave 周"
    bad = client.get("/api/v1/tickets/surveys/results/?month=April")
    assert bad.status_code == 400 and "month" in bad.json()["error"]["fields"]
    client.force_login(bob)
    assert client.get("/api/v1/tickets/surveys/results/").status_code == 403
