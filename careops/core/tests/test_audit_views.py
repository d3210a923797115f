"""The auditor's pages and the read-only audit API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from careops.core import audit
from careops.core.choices import AuditAction, AuditResult
from careops.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def trail(db: Any, bob: Any) -> list[AuditRecord]:
    """A few records of bob's work and one failed login."""
    records = [
        audit.record(AuditAction.UPDATE, actor=bob, object_type="core.user", object_id=bob.pk,
                     object_repr="Bob 李", changes={"phone": ["", "13800000000"],
                                                    "password": ["******", "******"]}),
        audit.record(AuditAction.CREATE, actor=bob, object_type="cmdb.host", object_id=7,
                     object_repr="his-db-01", changes={"name": [None, "his-db-01"]}),
        audit.record(AuditAction.LOGIN_FAILED, username="=HYPERLINK(\"http://x\")",
                     object_type="core.user", object_repr="mallory",
                     result=AuditResult.FAILURE),
    ]
    return records


def test_it_lists_records_for_the_auditor(verified_client: Any, auditor: Any,
                                           trail: list[AuditRecord]) -> None:
    response = verified_client(auditor).get(reverse("core:audit_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "his-db-01" in body and "mallory" in body
    assert reverse("core:audit_detail", args=[trail[0].pk]) in body
    assert reverse("core:audit_export") in body


def test_it_shows_times_in_shanghai(verified_client: Any, auditor: Any, db: Any) -> None:
    rec = audit.record(AuditAction.UPDATE, username="alice", object_repr="clock")
    local = timezone.localtime(rec.at, dt.timezone(dt.timedelta(hours=8)))
    response = verified_client(auditor).get(reverse("core:audit_list"))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in response.content.decode()


@pytest.mark.parametrize("fixture", ["sysadmin", "secadmin", "alice", "bob"])
def test_others_may_not_see_the_audit_log(request: Any, verified_client: Any, fixture: str,
                                          trail: list[AuditRecord]) -> None:
    client = verified_client(request.getfixturevalue(fixture))
    for url in (reverse("core:audit_list"), reverse("core:audit_export"),
                reverse("core:audit_detail", args=[trail[0].pk]), "/api/v1/audit/"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client: Any, db: Any) -> None:
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"user": "BOB"}, {"his-db-01", "Bob 李"}),
    ({"action": "create"}, {"his-db-01"}),
    ({"result": "failure"}, {"mallory"}),
    ({"object_type": "core.user", "object_id": "__bob__"}, {"Bob 李"}),
    ({"object_type": "cmdb.host"}, {"his-db-01"}),
])
def test_the_filters_work(verified_client: Any, auditor: Any, trail: list[AuditRecord],
                          bob: Any, query: dict[str, str], expected: set[str]) -> None:
    query = {k: (str(bob.pk) if v == "__bob__" else v) for k, v in query.items()}
    response = verified_client(auditor).get(reverse("core:audit_list"), query)
    shown = {rec.object_repr for rec in response.context["page_obj"]}
    assert shown == expected


def test_the_time_filters_use_local_days(verified_client: Any, auditor: Any,
                                         trail: list[AuditRecord]) -> None:
    today = timezone.localdate()
    client = verified_client(auditor)
    response = client.get(reverse("core:audit_list"), {"since": today.isoformat(),
                                                       "until": today.isoformat()})
    assert len(response.context["page_obj"]) == AuditRecord.objects.count() >= 3
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = client.get(reverse("core:audit_list"), {"until": yesterday})
    assert len(response.context["page_obj"]) == 0
    response = client.get(reverse("core:audit_list"), {"since": "not a date"})
    assert response.context["filter"].errors["since"]


def test_the_list_pages_with_constant_queries(verified_client: Any, auditor: Any, db: Any,
                                              django_assert_max_num_queries: Any) -> None:
    for i in range(120):
        audit.record(AuditAction.UPDATE, username="alice", object_repr=f"item {i}")
    client = verified_client(auditor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:audit_list"), {"page": 2})
    page = response.context["page_obj"]
    assert len(page) == 50 and page.number == 2
    assert page.paginator.count == 121  # and the login


def test_the_detail_shows_changes_and_hashes(verified_client: Any, auditor: Any,
                                             trail: list[AuditRecord]) -> None:
    rec = trail[0]
    response = verified_client(auditor).get(reverse("core:audit_detail", args=[rec.pk]))
    body = response.content.decode()
    assert response.context["changes"] == [("password", "******", "******"),
                                           ("phone", "", "13800000000")]
    assert "13800000000" in body
    assert rec.hash in body and rec.prev_hash in body
    assert response.context["hash_ok"] is True
    assert response.context["linked"] is True


def test_the_auditor_exports_the_filtered_rows(verified_client: Any, auditor: Any,
                                               trail: list[AuditRecord], bob: Any) -> None:
    client = verified_client(auditor)
    before = AuditRecord.objects.count()
    response = client.get(reverse("core:audit_export"), {"user": "bob"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=\"careops-audit-")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows[0]) == 12  # the header
    assert [row[0] for row in rows[1:]] == [trail[0].pk, trail[1].pk]
    first = rows[1]
    local = timezone.localtime(trail[0].at).replace(tzinfo=None, microsecond=0)
    assert first[1].replace(microsecond=0) == local
    assert first[2] == "bob" and first[7] == "Bob 李"
    assert "13800000000" in first[9]
    # The export is itself audited, with the filters and the row count.
    assert AuditRecord.objects.count() == before + 1
    export = AuditRecord.objects.order_by("-id").first()
    assert export is not None
    assert (export.action, export.actor_username) == (AuditAction.EXPORT, "dora")
    assert export.detail == {"filters": {"user": "bob"}, "rows": 2, "format": "xlsx"}


def test_the_export_never_writes_formulas(verified_client: Any, auditor: Any,
                                         trail: list[AuditRecord]) -> None:
    response = verified_client(auditor).get(reverse("core:audit_export"),
                                            {"result": "failure"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    row = next(workbook.active.iter_rows(min_row=2, values_only=True))
    assert row[2] == "=HYPERLINK(\"http://x\")"
    assert workbook.active.cell(row=2, column=3).data_type == "s"


def test_the_export_header_follows_the_language(verified_client: Any, auditor: Any,
                                                trail: list[AuditRecord]) -> None:
    client = verified_client(auditor)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("core:audit_export"))
    header = next(load_workbook(io.BytesIO(b"".join(response.streaming_content)))
                  .active.iter_rows(values_only=True))
    assert header[:4] == ("ID", "Time", "User", "Source address")


def test_the_api_lists_and_filters(verified_client: Any, auditor: Any,
                                   trail: list[AuditRecord]) -> None:
    client = verified_client(auditor)
    data = client.get("/api/v1/audit/", {"action": "create"}).json()
    assert data["count"] == 1
    assert data["results"][0]["object_repr"] == "his-db-01"
    assert data["results"][0]["changes"] == {"name": [None, "his-db-01"]}
    one = client.get(f"/api/v1/audit/{trail[0].pk}/").json()
    assert one["hash"] == trail[0].hash


def test_the_api_has_no_write_methods(verified_client: Any, auditor: Any,
                                      trail: list[AuditRecord]) -> None:
    client = verified_client(auditor)
    url = f"/api/v1/audit/{trail[0].pk}/"
    assert client.post("/api/v1/audit/", {}, content_type="application/json").status_code == 405
    assert client.put(url, {}, content_type="application/json").status_code == 405
    assert client.patch(url, {}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert AuditRecord.objects.filter(pk=trail[0].pk).exists()
