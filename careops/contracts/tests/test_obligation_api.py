"""The obligation tracker's API at /api/v1/contracts/obligations/: scoping, filters,
complete / waive / assign, errors that name the field, 409 when no longer open."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from careops.contracts.models import ObligationOccurrence, ObligationStatus
from careops.contracts.tests.seeds import IN_SERVICE

URL = "/api/v1/contracts/obligations/"
pytestmark = pytest.mark.usefixtures("english")


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def first(profile: Any, code: str) -> ObligationOccurrence:
    found = ObligationOccurrence.objects.filter(profile=profile, code=code).order_by(
        "sequence").first()
    assert found is not None
    return found


@pytest.fixture
def ticket(edu: Any, alice: Any, cmdb: dict[str, Any]) -> Any:
    from careops.servicedesk.actions import open_ticket

    return open_ticket(alice, "incident", "知识库更新", "季度知识库更新", [cmdb["systems"][1]],
                       now=IN_SERVICE)


def test_it_lists_by_role_with_filters(edu: Any, alice: Any, bob: Any, charlie: Any,
                                       sysadmin: Any,
                                       django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8):
        body = api(alice).get(URL, {"contract": "seed-004-edu", "kind": "onsite_inspection"}) \
            .json()
    assert body["count"] == 4
    row = body["results"][2]
    assert row["contract"] == "seed-004-edu" and row["code"] == "onsite-inspection"
    assert row["due_at"] == "2026-09-30T18:00:00+08:00"
    assert row["report_due_at"] == "2026-10-15T18:00:00+08:00"
    assert row["deadline"] == row["report_due_at"] and row["version"] == 1
    assert api(bob).get(URL).json()["count"] == api(alice).get(URL).json()["count"]
    assert api(charlie).get(URL).json()["count"] == 0
    assert api(sysadmin).get(URL).status_code == 403
    march = api(alice).get(URL, {"month": "2026-03", "kind": "restore_drill"}).json()
    assert [r["due_at"] for r in march["results"]] == ["2026-03-31T18:00:00+08:00"]


def test_bad_filters_name_the_field(edu: Any, alice: Any) -> None:
    response = api(alice).get(URL, {"month": "2026-13", "status": "late"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"month", "status"}


def test_it_completes_with_a_ticket_by_reference_or_number(edu: Any, bob: Any,
                                                           ticket: Any) -> None:
    one, two = ObligationOccurrence.objects.filter(
        profile=edu, code="knowledge-base").order_by("sequence")[:2]
    response = api(bob).post(f"{URL}{one.pk}/complete/", {
        "evidence": {"type": "servicedesk.ticket", "id": ticket.pk}}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "done" and body["done_by"] == "bob"
    assert body["evidence"] == {"type": "servicedesk.ticket", "id": ticket.pk}
    response = api(bob).post(f"{URL}{two.pk}/complete/", {"evidence": ticket.number,
                                                          "note": "同一工单记录两季更新"},
                             format="json")
    assert response.status_code == 200 and response.json()["note"] == "同一工单记录两季更新"
    again = api(bob).post(f"{URL}{one.pk}/complete/", {"evidence": ticket.number},
                          format="json")
    assert again.status_code == 409
    assert again.json()["error"]["fields"] == {"status": ["This obligation is already Done."]}


def test_completion_errors_name_the_field(edu: Any, bob: Any, alice: Any) -> None:
    item = first(edu, "restore-drill")
    cases = [({"note": "ok"}, "evidence"),
             ({"evidence": {"type": "auth.user", "id": alice.pk}}, "evidence"),
             ({"evidence": {"type": "servicedesk.ticket", "id": "x"}}, "evidence"),
             ({"evidence": "INC-NOPE"}, "evidence"),
             ({"evidence": [1, 2]}, "evidence"),
             ({"note": "n" * 6000}, "note")]
    for payload, field in cases:
        response = api(bob).post(f"{URL}{item.pk}/complete/", payload, format="json")
        assert response.status_code == 400, payload
        assert list(response.json()["error"]["fields"]) == [field], payload
    item.refresh_from_db()
    assert item.status == ObligationStatus.OPEN


def test_only_the_hospital_waives(edu: Any, bob: Any, alice: Any) -> None:
    item = first(edu, "onsite-inspection")
    assert api(bob).post(f"{URL}{item.pk}/waive/", {"reason": "首季度不足一季"},
                         format="json").status_code == 403
    missing = api(alice).post(f"{URL}{item.pk}/waive/", {}, format="json")
    assert missing.status_code == 400 and list(missing.json()["error"]["fields"]) == ["reason"]
    short = api(alice).post(f"{URL}{item.pk}/waive/", {"reason": "no"}, format="json")
    assert list(short.json()["error"]["fields"]) == ["reason"]
    done = api(alice).post(f"{URL}{item.pk}/waive/", {"reason": "系统在该季度停用"},
                           format="json")
    assert done.status_code == 200 and done.json()["status"] == "waived"


def test_it_assigns_and_names_the_field_when_refused(edu: Any, alice: Any, bob: Any,
                                                     charlie: Any) -> None:
    item = first(edu, "remote-inspection")
    response = api(alice).post(f"{URL}{item.pk}/assign/", {"assignee": "bob"}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == "bob"
    for name in ("charlie", "nobody"):
        refused = api(alice).post(f"{URL}{item.pk}/assign/", {"assignee": name},
                                  format="json")
        assert refused.status_code == 400
        assert list(refused.json()["error"]["fields"]) == ["assignee"]
    cleared = api(bob).post(f"{URL}{item.pk}/assign/", {"assignee": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["assignee"] is None
    assert api(charlie).post(f"{URL}{item.pk}/assign/", {"assignee": None},
                             format="json").status_code == 404


def test_obligations_is_not_taken_for_a_contract_code(edu: Any, alice: Any) -> None:
    assert api(alice).get("/api/v1/contracts/seed-004-edu/").json()["code"] == "seed-004-edu"
    assert "results" in api(alice).get(URL).json()
