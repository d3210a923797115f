"""Forms of the calendar pages: a calendar, a holiday year, the due-time calculator."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careops.core.calendars import (
    MAX_DAYS,
    MAX_MINUTES,
    WEEKDAY_KEYS,
    CalendarSpec,
    DateRule,
    describe_line_error,
    parse_instant,
    parse_pause,
    validate_spec,
)
from careops.core.models import CalendarDateKind
from careops.logic.holidays import HolidayEntry, HolidayLineError, parse_holiday_lines
from careops.logic.worktime import Calendar, Pause

_INTERVAL_TOKEN = re.compile(r"^\d{1,2}:\d{2}\s*[-–~]\s*\d{1,2}:\d{2}$")


def style(form: forms.Form) -> None:
    """Tabler classes on every widget (no inline styles: the CSP forbids them)."""
    for field in form.fields.values():
        widget = field.widget
        css = ("form-check-input" if isinstance(widget, forms.CheckboxInput) else
               "form-select" if isinstance(widget, forms.Select) else "form-control")
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


def split_intervals(text: str) -> list[str]:
    """``"08:00-12:00, 14:00-18:00"`` → two items (commas, semicolons or spaces)."""
    return [part for part in re.split(r"[,;，；\s]+", text.strip()) if part]


def parse_date_lines(text: str) -> list[DateRule]:
    """``DATE closed [NOTE]`` or ``DATE open [HH:MM-HH:MM ...] [NOTE]``, one a line."""
    rules: list[DateRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) < 2 or words[1].lower() not in CalendarDateKind.values:
            raise ValidationError(
                _("Line %(line)s: expected DATE closed|open [HOURS] [NOTE], "
                  "e.g. 2026-12-31 closed 年终盘点") % {"line": number})
        try:
            day = dt.date.fromisoformat(words[0])
        except ValueError:
            raise ValidationError(_("Line %(line)s: %(value)s is not a valid date") % {
                "line": number, "value": words[0]}) from None
        kind = words[1].lower()
        rest = words[2:]
        hours: list[str] = []
        while kind == CalendarDateKind.OPEN and rest and _INTERVAL_TOKEN.match(rest[0]):
            hours.append(rest.pop(0))
        rules.append(DateRule(day, kind, hours, " ".join(rest)))
    return rules


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    slug = forms.SlugField(label=gettext_lazy("Code"), max_length=50,
                           help_text=gettext_lazy("Used by the API and the command line."))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200,
                                  required=False)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), initial="Asia/Shanghai")
    observe_holidays = forms.BooleanField(
        label=gettext_lazy("Observe Chinese statutory holidays and make-up days (调休)"),
        required=False, initial=True)
    makeup_hours = forms.CharField(
        label=gettext_lazy("Hours on make-up working days"), required=False,
        help_text=gettext_lazy("Empty: the same as Monday."))
    dates = forms.CharField(
        label=gettext_lazy("Extra closed or open dates"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace-sm"}),
        help_text=gettext_lazy("One a line: 2026-12-31 closed 年终盘点, or "
                               "2026-12-26 open 08:00-12:00 加班 (no hours: make-up day hours)."))

    def __init__(self, *args: Any, builtin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        for index, key in enumerate(WEEKDAY_KEYS):
            self.fields[f"hours_{key}"] = forms.CharField(
                label=WEEKDAYS[index], required=False,
                widget=forms.TextInput(attrs={"placeholder": "08:00-12:00, 14:00-18:00"}))
        if builtin:
            self.fields["slug"].disabled = True
        self.spec: CalendarSpec | None = None
        style(self)

    @property
    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{key}"] for key in WEEKDAY_KEYS]

    @staticmethod
    def initial_of(spec: CalendarSpec) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": spec.name, "slug": spec.slug, "description": spec.description,
            "time_zone": spec.time_zone, "observe_holidays": spec.observe_holidays,
            "makeup_hours": ", ".join(spec.makeup_hours),
            "dates": "\n".join(rule.as_line() for rule in spec.dates),
        }
        for index, key in enumerate(WEEKDAY_KEYS):
            initial[f"hours_{key}"] = ", ".join(spec.weekly_hours[index])
        return initial

    def clean_dates(self) -> list[DateRule]:
        return parse_date_lines(self.cleaned_data.get("dates") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        spec = CalendarSpec(
            name=data["name"], slug=data["slug"], description=data["description"],
            time_zone=data["time_zone"], observe_holidays=data["observe_holidays"],
            weekly_hours=[split_intervals(data[f"hours_{key}"]) for key in WEEKDAY_KEYS],
            makeup_hours=split_intervals(data["makeup_hours"]), dates=data["dates"])
        try:
            validate_spec(spec)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                field = key.replace("weekly_hours.", "hours_")
                field = "dates" if field.startswith("dates") else field
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return data
        self.spec = spec
        return data


class HolidayYearForm(forms.Form):
    source = forms.CharField(
        label=gettext_lazy("Source"), max_length=200, required=False,
        help_text=gettext_lazy("The notice the dates come from, e.g. 国办发明电〔2026〕7号."))
    lines = forms.CharField(
        label=gettext_lazy("Holidays and make-up working days"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace-sm"}),
        help_text=gettext_lazy("One date a line: 2027-01-01 holiday 元旦, or "
                               "2027-02-06 makeup 春节 (a weekend day that is worked)."))

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        style(self)

    def clean_lines(self) -> list[HolidayEntry]:
        try:
            return parse_holiday_lines(self.cleaned_data["lines"], self.year)
        except HolidayLineError as exc:
            raise ValidationError(describe_line_error(exc)) from None


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


UNITS = [("minutes", gettext_lazy("working minutes")), ("hours", gettext_lazy("working hours")),
         ("days", gettext_lazy("working days"))]


class DueForm(forms.Form):
    """The due-time calculator of a calendar page (GET)."""

    start = forms.CharField(
        label=gettext_lazy("Start"),
        widget=forms.TextInput(attrs={"placeholder": "2026-11-21T09:30+08:00"}),
        help_text=gettext_lazy("ISO 8601; without an offset the calendar's time zone."))
    amount = forms.IntegerField(label=gettext_lazy("Amount"), min_value=0, initial=4)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS, initial="hours")
    end_of_day = forms.BooleanField(label=gettext_lazy("End of the working day"),
                                    required=False)
    pauses = forms.CharField(
        label=gettext_lazy("Pauses"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace-sm",
                                     "placeholder": "2026-11-23T10:00/2026-11-23T11:30"}),
        help_text=gettext_lazy("One a line: START/END; these spans do not count."))

    def __init__(self, *args: Any, calendar: Calendar, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        style(self)

    def clean_start(self) -> dt.datetime:
        text = self.cleaned_data["start"]
        try:
            return parse_instant(text, self.calendar.tz)
        except ValueError:
            raise ValidationError(_("“%(value)s” is not an ISO 8601 date and time") % {
                "value": text}) from None

    def clean_pauses(self) -> list[Pause]:
        pauses = []
        for line in (self.cleaned_data.get("pauses") or "").splitlines():
            if not line.strip():
                continue
            try:
                pauses.append(parse_pause(line, self.calendar.tz))
            except ValueError:
                raise ValidationError(_("“%(value)s” is not a pause START/END") % {
                    "value": line.strip()}) from None
        return pauses

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, unit = data.get("amount"), data.get("unit")
        if amount is not None and unit:
            limit = {"minutes": MAX_MINUTES, "hours": MAX_MINUTES // 60, "days": MAX_DAYS}[unit]
            if amount > limit:
                self.add_error("amount", _("At most %(limit)s.") % {"limit": limit})
        return data
