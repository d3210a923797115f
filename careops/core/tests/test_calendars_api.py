"""/api/v1/calendars/ and /api/v1/holiday-years/ as users."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from careops.core.models import AuditRecord, HolidayYear, WorkCalendar

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

WEEK = {"monday": ["08:00-17:00"], "tuesday": ["08:00-17:00"], "wednesday": ["08:00-17:00"],
        "thursday": ["08:00-17:00"], "friday": ["08:00-17:00"]}


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_it_lists_the_builtin_calendars_to_any_user(charlie: Any) -> None:
    response = api(charlie).get("/api/v1/calendars/")
    assert response.status_code == 200
    slugs = {c["slug"] for c in response.json()["results"]}
    assert slugs == {"7x24", "cn-workday", "cn-5x8"}
    lunch = api(charlie).get("/api/v1/calendars/cn-5x8/").json()
    assert lunch["weekly_hours"]["monday"] == ["08:00-12:00", "14:00-18:00"]
    assert lunch["weekly_hours"]["sunday"] == []
    assert lunch["builtin"] is True


def test_it_refuses_anonymous_users() -> None:
    assert api().get("/api/v1/calendars/").status_code in (401, 403)
    assert api().get("/api/v1/calendars/cn-workday/due/?start=2026-11-20T17:00%2B08:00"
                     "&hours=1").status_code in (401, 403)


def test_it_computes_a_due_time_across_national_day(charlie: Any) -> None:
    response = api(charlie).get("/api/v1/calendars/cn-workday/due/",
                                {"start": "2026-09-30T09:00:00Z", "hours": 2})
    assert response.status_code == 200
    assert response.json() == {"calendar": "cn-workday", "start": "2026-09-30T09:00:00+00:00",
                               "due": "2026-10-08T09:00:00+08:00", "estimated": False,
                               "missing_years": []}


def test_it_flags_a_due_time_in_2027_as_estimated(bob: Any) -> None:
    response = api(bob).post("/api/v1/calendars/cn-workday/due/",
                             {"start": "2026-12-31T17:00:00+08:00", "days": 1,
                              "end_of_day": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2027-01-01T18:00:00+08:00"
    assert body["estimated"] is True
    assert body["missing_years"] == [2027]


def test_it_takes_pauses_as_strings_or_objects(bob: Any) -> None:
    for pause in ("2026-11-20T16:00:00+08:00/2026-11-23T09:00:00+08:00",
                  {"start": "2026-11-20T16:00:00+08:00", "end": "2026-11-23T09:00:00+08:00"}):
        response = api(bob).post("/api/v1/calendars/cn-workday/due/", {
            "start": "2026-11-20T15:00:00+08:00", "hours": 2, "pauses": [pause]},
            format="json")
        assert response.json()["due"] == "2026-11-23T10:00:00+08:00"
    response = api(bob).get("/api/v1/calendars/cn-workday/due/", {
        "start": "2026-11-20T15:00:00+08:00", "hours": 2,
        "pauses": "2026-11-20T16:00:00+08:00/2026-11-23T09:00:00+08:00"})
    assert response.json()["due"] == "2026-11-23T10:00:00+08:00"


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "yesterday", "hours": 1}, "start"),
    ({"start": "2026-11-20T15:00:00+08:00"}, "minutes"),
    ({"start": "2026-11-20T15:00:00+08:00", "hours": 1, "days": 1}, "days"),
    ({"start": "2026-11-20T15:00:00+08:00", "hours": -1}, "hours"),
    ({"start": "2026-11-20T15:00:00+08:00", "hours": 1, "end_of_day": True}, "end_of_day"),
    ({"start": "2026-11-20T15:00:00+08:00", "hours": 1, "pauses": ["2026-11-20/x"]},
     "pauses.0"),
    ({"start": "2026-11-20T15:00:00+08:00", "hours": 1,
      "pauses": ["2026-11-21T00:00:00+08:00/2026-11-20T00:00:00+08:00"]}, "pauses.0"),
])
def test_it_names_the_bad_field_of_a_due_request(bob: Any, params: dict[str, Any],
                                                 field: str) -> None:
    response = api(bob).post("/api/v1/calendars/cn-workday/due/", params, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_it_measures_elapsed_working_minutes(bob: Any) -> None:
    response = api(bob).get("/api/v1/calendars/cn-workday/elapsed/", {
        "start": "2026-02-13T08:00:00+08:00", "end": "2026-02-24T08:00:00+08:00"})
    assert response.json()["minutes"] == 20 * 60
    response = api(bob).post("/api/v1/calendars/cn-workday/elapsed/", {
        "start": "2026-02-24T08:00:00+08:00", "end": "2026-02-13T08:00:00+08:00"},
        format="json")
    assert response.status_code == 400
    assert "end" in response.json()["error"]["fields"]


def test_it_checks_an_instant(charlie: Any) -> None:
    body = api(charlie).get("/api/v1/calendars/cn-workday/check/",
                            {"at": "2026-10-10T10:00:00+08:00"}).json()
    assert body["working"] is True
    assert body["day_kind"] == "makeup"
    body = api(charlie).get("/api/v1/calendars/cn-workday/check/",
                            {"at": "2026-10-03T10:00:00+08:00"}).json()
    assert body["working"] is False
    assert body["next_opening"] == "2026-10-08T08:00:00+08:00"
    response = api(charlie).get("/api/v1/calendars/cn-workday/check/", {"at": "soon"})
    assert response.json()["error"]["fields"] == {"at": [
        "“soon” is not an ISO 8601 date and time, e.g. 2026-11-21T09:30:00+08:00"]}


def test_it_lets_a_calendar_manager_create_update_and_delete(sysadmin: Any) -> None:
    client = api(sysadmin)
    response = client.post("/api/v1/calendars/", {
        "slug": "radiology", "name": "放射科", "time_zone": "Asia/Shanghai",
        "observe_holidays": True, "weekly_hours": WEEK,
        "dates": [{"date": "2026-11-23", "kind": "closed", "note": "设备检修"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["dates"] == [
        {"date": "2026-11-23", "kind": "closed", "hours": [], "note": "设备检修"}]
    due = client.get("/api/v1/calendars/radiology/due/",
                     {"start": "2026-11-20T16:00:00+08:00", "hours": 2}).json()
    assert due["due"] == "2026-11-24T09:00:00+08:00"  # Friday closes at 17:00, Monday closed
    record = AuditRecord.objects.get(action="create", object_type="core.workcalendar")
    assert record.actor_username == "sysadmin"
    assert "放射科" in record.changes_json

    response = client.patch("/api/v1/calendars/radiology/", {"dates": []}, format="json")
    assert response.status_code == 200
    due = client.get("/api/v1/calendars/radiology/due/",
                     {"start": "2026-11-20T16:00:00+08:00", "hours": 2}).json()
    assert due["due"] == "2026-11-23T09:00:00+08:00"  # the cache saw the change
    assert AuditRecord.objects.filter(action="update", object_type="core.workcalendar").exists()

    assert client.delete("/api/v1/calendars/radiology/").status_code == 204
    assert not WorkCalendar.objects.filter(slug="radiology").exists()
    assert AuditRecord.objects.filter(action="delete", object_type="core.workcalendar").exists()


def test_it_refuses_to_delete_a_builtin_calendar(sysadmin: Any) -> None:
    response = api(sysadmin).delete("/api/v1/calendars/cn-workday/")
    assert response.status_code == 400
    assert WorkCalendar.objects.filter(slug="cn-workday").exists()


def test_it_refuses_writes_without_the_capability(bob: Any) -> None:
    response = api(bob).post("/api/v1/calendars/", {
        "slug": "x", "name": "x", "weekly_hours": WEEK}, format="json")
    assert response.status_code == 403
    assert api(bob).delete("/api/v1/calendars/cn-5x8/").status_code == 403
    assert api(bob).put("/api/v1/holiday-years/2027/", {"dates": []},
                        format="json").status_code == 403


def test_it_names_monday_and_both_overlapping_intervals(alice: Any) -> None:
    response = api(alice).post("/api/v1/calendars/", {
        "slug": "overlap", "name": "Overlap", "weekly_hours": {
            "monday": ["08:00-12:00", "11:00-14:00"]}}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    message = fields["weekly_hours.monday"][0]
    assert "08:00-12:00" in message and "11:00-14:00" in message
    assert "Monday" in message
    assert not WorkCalendar.objects.filter(slug="overlap").exists()
    assert not AuditRecord.objects.filter(object_type="core.workcalendar").exists()


def test_it_names_an_impossible_date_and_a_bad_zone(alice: Any) -> None:
    response = api(alice).post("/api/v1/calendars/", {
        "slug": "bad", "name": "Bad", "weekly_hours": WEEK, "time_zone": "Mars/Base",
        "dates": [{"date": "2026-02-30", "kind": "closed"}]}, format="json")
    assert response.status_code == 400
    assert "dates.0.date" in response.json()["error"]["fields"]
    response = api(alice).post("/api/v1/calendars/", {
        "slug": "bad", "name": "Bad", "weekly_hours": WEEK, "time_zone": "Mars/Base"},
        format="json")
    assert "time_zone" in response.json()["error"]["fields"]


def test_it_reports_where_holiday_data_comes_from(charlie: Any) -> None:
    years = {y["year"]: y for y in api(charlie).get("/api/v1/holiday-years/").json()}
    assert years[2026]["source"] == "package"
    assert years[2027]["source"] == "missing"
    body = api(charlie).get("/api/v1/holiday-years/2026/").json()
    assert {"date": "2026-02-14", "kind": "makeup", "name": "春节"} in body["dates"]


def test_it_enters_2027_and_stops_estimating(alice: Any) -> None:
    client = api(alice)
    response = client.put("/api/v1/holiday-years/2027/", {
        "note": "国办发明电〔2026〕X号",
        "dates": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "table"
    body = client.post("/api/v1/calendars/cn-workday/due/", {
        "start": "2026-12-31T17:00:00+08:00", "hours": 2}, format="json").json()
    assert body == {"calendar": "cn-workday", "start": "2026-12-31T17:00:00+08:00",
                    "due": "2027-01-04T09:00:00+08:00", "estimated": False, "missing_years": []}
    assert AuditRecord.objects.filter(object_type="core.holidayyear", action="create").exists()
    assert client.delete("/api/v1/holiday-years/2027/").status_code == 204
    assert not HolidayYear.objects.exists()
    body = client.post("/api/v1/calendars/cn-workday/due/", {
        "start": "2026-12-31T17:00:00+08:00", "hours": 2}, format="json").json()
    assert body["missing_years"] == [2027]


def test_it_names_bad_holiday_dates(alice: Any) -> None:
    response = api(alice).put("/api/v1/holiday-years/2027/", {"dates": [
        {"date": "2027-01-01", "kind": "holiday"},
        {"date": "2026-12-31", "kind": "holiday"},
        {"date": "2027-01-04", "kind": "makeup"},
        {"date": "2027-02-30", "kind": "holiday"}]}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "dates.3.date" in fields
    response = api(alice).put("/api/v1/holiday-years/2027/", {"dates": [
        {"date": "2027-01-01", "kind": "holiday"},
        {"date": "2026-12-31", "kind": "holiday"},
        {"date": "2027-01-04", "kind": "makeup"}]}, format="json")
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"dates.1", "dates.2"}
    assert not HolidayYear.objects.exists()


def test_it_is_in_the_openapi_schema(charlie: Any) -> None:
    response = api(charlie).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/calendars/", "/api/v1/calendars/{slug}/",
                 "/api/v1/calendars/{slug}/due/", "/api/v1/calendars/{slug}/elapsed/",
                 "/api/v1/calendars/{slug}/check/", "/api/v1/holiday-years/",
                 "/api/v1/holiday-years/{year}/"):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/calendars/{slug}/due/"])
