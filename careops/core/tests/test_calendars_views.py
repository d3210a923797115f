"""Calendar pages as users: list, month view, calculator, editing, holiday years."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from careops.core.models import AuditRecord, CalendarDate, HolidayYear, WorkCalendar

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.django_db]

FORM = {"name": "检验科", "slug": "lab", "description": "", "time_zone": "Asia/Shanghai",
        "observe_holidays": "on", "makeup_hours": "", "dates": "",
        "hours_monday": "08:00-12:00, 14:00-17:30", "hours_tuesday": "08:00-17:30",
        "hours_wednesday": "08:00-17:30", "hours_thursday": "08:00-17:30",
        "hours_friday": "08:00-17:30", "hours_saturday": "", "hours_sunday": ""}


def test_it_lists_the_calendars(verified_client: Any, alice: Any) -> None:
    response = verified_client(alice).get(reverse("core:calendar_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("7x24", "cn-workday", "cn-5x8"):
        assert reverse("core:calendar_detail", args=[slug]) in html
    assert reverse("core:calendar_create") in html


def test_it_requires_a_login(client: Any) -> None:
    response = client.get(reverse("core:calendar_list"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_it_shows_national_day_in_the_month_view(verified_client: Any, bob: Any) -> None:
    url = reverse("core:calendar_detail", args=["cn-workday"])
    html = verified_client(bob).get(url, {"month": "2026-10"}).content.decode()
    assert _classes(html, "2026-10-01") == {"cal-day-holiday", "cal-day-rest"}
    assert _classes(html, "2026-10-10") == {"cal-day-makeup"}
    assert _classes(html, "2026-10-11") == {"cal-day-rest"}
    assert _classes(html, "2026-10-12") == set()
    assert "?month=2026-09" in html and "?month=2026-11" in html
    assert 'data-testid="estimated-warning"' not in html
    # bob may look but not edit
    assert reverse("core:calendar_edit", args=["cn-workday"]) not in html


def _classes(html: str, day: str) -> set[str]:
    marker = f'data-date="{day}"'
    head = html[:html.index(marker)]
    cell = head[head.rindex("<td"):]
    value = cell.split('class="', 1)[1].split('"', 1)[0]
    return {c for c in value.split() if c not in ("cal-day-outside", "cal-day-today")}


def test_it_marks_2027_as_estimated(verified_client: Any, bob: Any) -> None:
    url = reverse("core:calendar_detail", args=["cn-workday"])
    html = verified_client(bob).get(url, {"month": "2027-01"}).content.decode()
    assert 'data-testid="estimated-warning"' in html
    assert "2027" in html
    assert "cal-day-estimated" in _classes(html, "2027-01-04")
    # 7x24 never estimates
    html = verified_client(bob).get(reverse("core:calendar_detail", args=["7x24"]),
                                    {"month": "2027-01"}).content.decode()
    assert _classes(html, "2027-01-04") == set()


def test_it_calculates_a_due_time_on_the_page(verified_client: Any, bob: Any) -> None:
    url = reverse("core:calendar_detail", args=["cn-workday"])
    client = verified_client(bob)
    html = client.get(url, {"start": "2026-09-30T17:00+08:00", "amount": 2,
                            "unit": "hours"}).content.decode()
    assert "2026-10-08T09:00:00+08:00" in html
    html = client.get(url, {"start": "2026-12-31T17:00", "amount": 1, "unit": "days",
                            "end_of_day": "on"}).content.decode()
    assert "2027-01-01T18:00:00+08:00" in html
    assert 'data-missing-years="2027"' in html
    html = client.get(url, {"start": "not a time", "amount": 1,
                            "unit": "hours"}).content.decode()
    assert 'data-testid="error-start"' in html
    assert 'data-testid="due-result"' not in html


def test_it_creates_a_calendar_with_extra_dates(verified_client: Any, alice: Any) -> None:
    data = {**FORM, "dates": "2026-11-23 closed 设备检修\n2026-11-22 open 09:00-12:00 加班"}
    response = verified_client(alice).post(reverse("core:calendar_create"), data)
    assert response.status_code == 302
    row = WorkCalendar.objects.get(slug="lab")
    assert row.weekly_hours[0] == ["08:00-12:00", "14:00-17:30"]
    assert list(row.dates.values_list("kind", "hours", "note")) == [
        ("open", ["09:00-12:00"], "加班"), ("closed", [], "设备检修")]
    assert AuditRecord.objects.filter(action="create", object_type="core.workcalendar",
                                      actor_username="alice").exists()
    html = verified_client(alice).get(response["Location"], {"month": "2026-11"}
                                      ).content.decode()
    assert "cal-day-override" in _classes(html, "2026-11-23")


def test_it_names_monday_and_both_intervals_in_the_form(verified_client: Any,
                                                       alice: Any) -> None:
    data = {**FORM, "hours_monday": "08:00-12:00, 11:00-14:00"}
    response = verified_client(alice).post(reverse("core:calendar_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-hours_monday"' in html
    error = html.split('data-testid="error-hours_monday">', 1)[1].split("<", 1)[0]
    assert "08:00-12:00" in error and "11:00-14:00" in error
    assert "Monday" in error
    assert not WorkCalendar.objects.filter(slug="lab").exists()


def test_it_names_an_impossible_date_in_the_form(verified_client: Any, alice: Any) -> None:
    response = verified_client(alice).post(reverse("core:calendar_create"),
                                           {**FORM, "dates": "2026-02-30 closed"})
    html = response.content.decode()
    assert 'data-testid="error-dates"' in html and "2026-02-30" in html
    assert not WorkCalendar.objects.filter(slug="lab").exists()
    assert not CalendarDate.objects.exists()


def test_it_edits_a_builtin_calendar_but_keeps_its_code(verified_client: Any,
                                                       sysadmin: Any) -> None:
    url = reverse("core:calendar_edit", args=["cn-5x8"])
    client = verified_client(sysadmin)
    assert client.get(url).status_code == 200
    data = {**FORM, "name": "5×8 午休", "slug": "changed",
            "hours_monday": "08:30-12:00, 14:00-18:00"}
    response = client.post(url, data)
    assert response.status_code == 302
    row = WorkCalendar.objects.get(slug="cn-5x8")
    assert row.weekly_hours[0] == ["08:30-12:00", "14:00-18:00"]
    assert AuditRecord.objects.filter(action="update", object_type="core.workcalendar").exists()


def test_it_deletes_only_calendars_that_are_not_builtin(verified_client: Any,
                                                       alice: Any) -> None:
    client = verified_client(alice)
    client.post(reverse("core:calendar_create"), FORM)
    response = client.post(reverse("core:calendar_delete", args=["lab"]))
    assert response.status_code == 302
    assert not WorkCalendar.objects.filter(slug="lab").exists()
    client.post(reverse("core:calendar_delete", args=["cn-workday"]))
    assert WorkCalendar.objects.filter(slug="cn-workday").exists()


def test_it_forbids_editing_without_the_capability(verified_client: Any, bob: Any) -> None:
    client = verified_client(bob)
    assert client.get(reverse("core:calendar_create")).status_code == 403
    assert client.post(reverse("core:calendar_edit", args=["cn-5x8"]), FORM).status_code == 403
    assert client.post(reverse("core:holiday_year", args=[2027]),
                       {"lines": "2027-01-01 holiday 元旦"}).status_code == 403
    assert not HolidayYear.objects.exists()


def test_it_enters_a_holiday_year_by_pasting_lines(verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    html = client.get(reverse("core:holiday_list")).content.decode()
    assert 'data-testid="missing-2027"' in html
    response = client.post(reverse("core:holiday_year", args=[2027]), {
        "source": "国办发明电〔2026〕X号",
        "lines": "2027-01-01 holiday 元旦\n2027-02-06 makeup 春节\n"})
    assert response.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert list(year.dates.values_list("kind", "name")) == [("holiday", "元旦"),
                                                          ("makeup", "春节")]
    html = client.get(reverse("core:calendar_detail", args=["cn-workday"]),
                      {"month": "2027-02"}).content.decode()
    assert 'data-testid="estimated-warning"' not in html
    assert _classes(html, "2027-02-06") == {"cal-day-makeup"}
    response = client.post(reverse("core:holiday_year_delete", args=[2027]))
    assert response.status_code == 302
    assert not HolidayYear.objects.exists()


def test_it_names_the_bad_line_of_a_holiday_paste(verified_client: Any, alice: Any) -> None:
    response = verified_client(alice).post(reverse("core:holiday_year", args=[2027]), {
        "lines": "2027-01-01 holiday 元旦\n2027-02-29 holiday 春节"})
    html = response.content.decode()
    assert 'data-testid="error-lines"' in html
    assert "2027-02-29" in html
    assert not HolidayYear.objects.exists()


def test_it_shows_a_package_year(verified_client: Any, charlie: Any) -> None:
    html = verified_client(charlie).get(reverse("core:holiday_year", args=[2026])
                                        ).content.decode()
    assert "2026-02-14" in html and "春节" in html
    assert "<textarea" not in html  # charlie cannot edit
