"""REST API of working-time calendars and holiday years (docs/calendars.md).

/api/v1/calendars/                 list, create (MANAGE_CALENDARS to write)
/api/v1/calendars/{slug}/          retrieve, update, delete (not built-in ones)
/api/v1/calendars/{slug}/due/      GET or POST: start + minutes|hours|days → due
/api/v1/calendars/{slug}/elapsed/  GET or POST: start, end → working minutes
/api/v1/calendars/{slug}/check/    GET ?at=: is it working time, what day is it
/api/v1/holiday-years/             where each year's holiday data comes from
/api/v1/holiday-years/{year}/      the dates of a year; PUT enters it, DELETE removes it
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from careops.core import calendars as cals
from careops.core.actions import calendars as actions
from careops.core.models import CalendarDateKind, HolidayDateKind, HolidayYear, WorkCalendar
from careops.core.roles import Cap, has_cap
from careops.logic.holidays import HolidayEntry
from careops.logic.worktime import Calendar, CalendarError, DayKind, Pause


class ManageCalendarsOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads and computes; MANAGE_CALENDARS changes data."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", "") in (
                "due", "elapsed", "check"):
            return True
        return has_cap(request.user, Cap.MANAGE_CALENDARS)


def _to_django(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict)


# --- calendars --------------------------------------------------------------------

@extend_schema_field({
    "type": "object",
    "properties": {key: {"type": "array", "items": {"type": "string", "example": "08:00-18:00"}}
                   for key in cals.WEEKDAY_KEYS},
    "additionalProperties": False,
})
class WeeklyHoursField(serializers.Field):  # type: ignore[type-arg]
    """``{"monday": ["08:00-12:00", "14:00-18:00"], ...}``; a missing weekday is closed."""

    def to_representation(self, value: list[list[str]]) -> dict[str, list[str]]:
        return {key: list(value[i]) for i, key in enumerate(cals.WEEKDAY_KEYS)}

    def to_internal_value(self, data: Any) -> list[list[str]]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                _("Expected an object with weekdays (monday ... sunday) as keys."))
        unknown = sorted(set(data) - set(cals.WEEKDAY_KEYS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown weekday: %(names)s") % {"names": ", ".join(unknown)})
        days: list[list[str]] = []
        for key in cals.WEEKDAY_KEYS:
            items = data.get(key) or []
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise serializers.ValidationError(
                    {key: [_("Expected a list of intervals like 08:00-12:00.")]})
            days.append(items)
        return days


class CalendarDateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=CalendarDateKind.choices)
    hours = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                  help_text="Intervals of an open date; empty = make-up hours.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WorkCalendarSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    weekly_hours = WeeklyHoursField()
    makeup_hours = serializers.ListField(child=serializers.CharField(), required=False,
                                         help_text="Hours on make-up working days; "
                                                   "empty = Monday's.")
    dates = CalendarDateSerializer(many=True, required=False,
                                   help_text="Extra closed or open dates of this calendar.")

    class Meta:
        model = WorkCalendar
        fields = ["id", "slug", "name", "description", "time_zone", "observe_holidays",
                  "weekly_hours", "makeup_hours", "dates", "builtin", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "builtin", "created_at", "updated_at"]

    def to_representation(self, instance: WorkCalendar) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["dates"] = CalendarDateSerializer(instance.dates.all(), many=True).data
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        base = (cals.CalendarSpec.of(self.instance) if self.instance is not None
                else cals.CalendarSpec(name="", slug=""))
        spec = cals.CalendarSpec(
            name=attrs.get("name", base.name), slug=attrs.get("slug", base.slug),
            description=attrs.get("description", base.description),
            time_zone=attrs.get("time_zone", base.time_zone),
            observe_holidays=attrs.get("observe_holidays", base.observe_holidays),
            weekly_hours=attrs.get("weekly_hours", base.weekly_hours),
            makeup_hours=attrs.get("makeup_hours", base.makeup_hours),
            dates=[cals.DateRule(d["date"], d["kind"], d.get("hours", []), d.get("note", ""))
                   for d in attrs["dates"]] if "dates" in attrs else base.dates)
        try:
            cals.validate_spec(spec)
        except DjangoValidationError as exc:
            raise _to_django(exc) from None
        attrs["spec"] = spec
        return attrs

    def create(self, validated_data: dict[str, Any]) -> WorkCalendar:
        request = self.context["request"]
        try:
            return actions.create_calendar(validated_data["spec"], actor=request.user,
                                           request=request)
        except DjangoValidationError as exc:
            raise _to_django(exc) from None

    def update(self, instance: WorkCalendar, validated_data: dict[str, Any]) -> WorkCalendar:
        request = self.context["request"]
        try:
            return actions.update_calendar(instance, validated_data["spec"], actor=request.user,
                                           request=request)
        except DjangoValidationError as exc:
            raise _to_django(exc) from None


@extend_schema_field({"oneOf": [
    {"type": "string", "example": "2026-11-23T10:00:00+08:00/2026-11-23T11:30:00+08:00"},
    {"type": "object", "properties": {"start": {"type": "string", "format": "date-time"},
                                      "end": {"type": "string", "format": "date-time"}},
     "required": ["start", "end"]}]})
class PauseField(serializers.Field):  # type: ignore[type-arg]
    """A wall-clock span that does not count: ``"START/END"`` or ``{"start", "end"}``."""

    def to_internal_value(self, data: Any) -> tuple[str, str]:
        if isinstance(data, dict) and {"start", "end"} <= set(data):
            return str(data["start"]), str(data["end"])
        if isinstance(data, str) and "/" in data:
            start, _sep, end = data.partition("/")
            return start, end
        raise serializers.ValidationError(
            _("Expected START/END or an object with start and end."))

    def to_representation(self, value: Any) -> Any:
        return value


class _Computation(serializers.Serializer):  # type: ignore[type-arg]
    """Shared by due and elapsed: instants are read in the calendar's time zone."""

    def instant(self, name: str, text: str) -> dt.datetime:
        try:
            return cals.parse_instant(text, self.context["calendar"].tz)
        except ValueError:
            raise serializers.ValidationError({name: [
                _("“%(value)s” is not an ISO 8601 date and time, e.g. 2026-11-21T09:30:00+08:00")
                % {"value": text}]}) from None

    def read_pauses(self, pairs: list[tuple[str, str]]) -> list[Pause]:
        pauses: list[Pause] = []
        for index, (start, end) in enumerate(pairs):
            pause = (self.instant(f"pauses.{index}", start), self.instant(f"pauses.{index}", end))
            if pause[1] < pause[0]:
                raise serializers.ValidationError(
                    {f"pauses.{index}": [_("The pause ends before it starts.")]})
            pauses.append(pause)
        return pauses


class DueRequestSerializer(_Computation):
    start = serializers.CharField(help_text="ISO 8601; without an offset: the calendar's zone.")
    minutes = serializers.IntegerField(required=False, min_value=0, max_value=cals.MAX_MINUTES)
    hours = serializers.IntegerField(required=False, min_value=0,
                                     max_value=cals.MAX_MINUTES // 60)
    days = serializers.IntegerField(required=False, min_value=0, max_value=cals.MAX_DAYS)
    end_of_day = serializers.BooleanField(required=False, default=False,
                                          help_text="With days: the close of the Nth day.")
    pauses = serializers.ListField(child=PauseField(), required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [k for k in ("minutes", "hours", "days") if attrs.get(k) is not None]
        if len(given) != 1:
            raise serializers.ValidationError({(given[1] if given else "minutes"): [
                _("Give exactly one of minutes, hours or days.")]})
        if attrs["end_of_day"] and given != ["days"]:
            raise serializers.ValidationError({"end_of_day": [
                _("end_of_day goes with days.")]})
        attrs["start"] = self.instant("start", attrs["start"])
        attrs["pauses"] = self.read_pauses(attrs["pauses"])
        return attrs


class ElapsedRequestSerializer(_Computation):
    start = serializers.CharField()
    end = serializers.CharField()
    pauses = serializers.ListField(child=PauseField(), required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["start"] = self.instant("start", attrs["start"])
        attrs["end"] = self.instant("end", attrs["end"])
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end is before the start.")]})
        attrs["pauses"] = self.read_pauses(attrs["pauses"])
        return attrs


class DueResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    calendar = serializers.CharField()
    start = serializers.DateTimeField()
    due = serializers.CharField(help_text="ISO 8601 with the calendar's offset.")
    estimated = serializers.BooleanField()
    missing_years = serializers.ListField(child=serializers.IntegerField())


class ElapsedResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    calendar = serializers.CharField()
    minutes = serializers.FloatField(help_text="Working minutes between start and end.")
    seconds = serializers.IntegerField()
    estimated = serializers.BooleanField()
    missing_years = serializers.ListField(child=serializers.IntegerField())


class CheckResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    calendar = serializers.CharField()
    at = serializers.CharField()
    working = serializers.BooleanField()
    day_kind = serializers.ChoiceField(choices=[k.value for k in DayKind])
    hours = serializers.ListField(child=serializers.CharField())
    next_opening = serializers.CharField()
    estimated = serializers.BooleanField()
    missing_years = serializers.ListField(child=serializers.IntegerField())


PAUSES_PARAM = OpenApiParameter("pauses", OpenApiTypes.STR, many=True,
                                description="START/END; repeat for several pauses (GET)")


def _query_data(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in request.query_params.items() if k != "pauses"}
    data["pauses"] = request.query_params.getlist("pauses")
    return data


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


class WorkCalendarViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Working-time calendars. Writes need the MANAGE_CALENDARS capability."""

    serializer_class = WorkCalendarSerializer
    permission_classes = [ManageCalendarsOrReadOnly]
    lookup_field = "slug"
    filterset_fields = ["builtin", "observe_holidays"]

    def get_queryset(self) -> QuerySet[WorkCalendar]:
        return WorkCalendar.objects.prefetch_related("dates")

    def perform_destroy(self, instance: WorkCalendar) -> None:
        try:
            actions.delete_calendar(instance, actor=self.request.user, request=self.request)
        except DjangoValidationError as exc:
            raise _to_django(exc) from None

    def _calendar(self) -> tuple[WorkCalendar, Calendar]:
        row = self.get_object()
        return row, cals.calendar_for(row)

    def _compute(self, request: Request, serializer_class: type[_Computation]
                 ) -> tuple[WorkCalendar, Calendar, dict[str, Any]]:
        row, cal = self._calendar()
        data = _query_data(request) if request.method == "GET" else request.data
        serializer = serializer_class(data=data, context={"calendar": cal, "request": request})
        serializer.is_valid(raise_exception=True)
        return row, cal, serializer.validated_data

    @extend_schema(parameters=[DueRequestSerializer, PAUSES_PARAM],
                   responses=DueResultSerializer, methods=["GET"],
                   summary="Due time: start plus working minutes, hours or days")
    @extend_schema(request=DueRequestSerializer, responses=DueResultSerializer,
                   methods=["POST"], summary="Due time: start plus working minutes, hours or days")
    @action(detail=True, methods=["get", "post"])
    def due(self, request: Request, slug: str | None = None) -> Response:
        row, cal, data = self._compute(request, DueRequestSerializer)
        minutes = data.get("minutes")
        if data.get("hours") is not None:
            minutes = data["hours"] * 60
        try:
            result = cals.compute_due(cal, data["start"], minutes=minutes, days=data.get("days"),
                                      end_of_day=data["end_of_day"], pauses=data["pauses"])
        except CalendarError as exc:
            raise serializers.ValidationError({"start": [cals.describe(exc)]}) from None
        return Response({"calendar": row.slug, "start": _iso(data["start"]),
                         "due": _iso(result.value), "estimated": result.estimated,
                         "missing_years": sorted(result.estimated_years)})

    @extend_schema(parameters=[ElapsedRequestSerializer, PAUSES_PARAM],
                   responses=ElapsedResultSerializer, methods=["GET"],
                   summary="Working time between two instants")
    @extend_schema(request=ElapsedRequestSerializer, responses=ElapsedResultSerializer,
                   methods=["POST"], summary="Working time between two instants")
    @action(detail=True, methods=["get", "post"])
    def elapsed(self, request: Request, slug: str | None = None) -> Response:
        row, cal, data = self._compute(request, ElapsedRequestSerializer)
        result = cal.elapsed(data["start"], data["end"], data["pauses"])
        seconds = result.value.total_seconds()
        return Response({"calendar": row.slug, "minutes": round(seconds / 60, 3),
                         "seconds": int(seconds), "estimated": result.estimated,
                         "missing_years": sorted(result.estimated_years)})

    @extend_schema(parameters=[OpenApiParameter("at", OpenApiTypes.STR, required=True,
                                                description="ISO 8601 instant")],
                   responses=CheckResultSerializer, summary="Is this instant working time?")
    @action(detail=True, methods=["get"])
    def check(self, request: Request, slug: str | None = None) -> Response:
        row, cal = self._calendar()
        text = request.query_params.get("at", "")
        try:
            at = cals.parse_instant(text, cal.tz)
        except ValueError:
            raise serializers.ValidationError({"at": [
                _("“%(value)s” is not an ISO 8601 date and time, e.g. 2026-11-21T09:30:00+08:00")
                % {"value": text}]}) from None
        working = cal.is_working(at)
        info = cal.day_info(at.astimezone(cal.tz).date())
        try:
            opening = cal.next_opening(at)
        except CalendarError as exc:
            raise serializers.ValidationError({"at": [cals.describe(exc)]}) from None
        years = working.estimated_years | opening.estimated_years
        return Response({"calendar": row.slug, "at": _iso(at.astimezone(cal.tz)),
                         "working": working.value, "day_kind": info.kind.value,
                         "hours": [str(iv) for iv in info.hours],
                         "next_opening": _iso(opening.value), "estimated": bool(years),
                         "missing_years": sorted(years)})


# --- holiday years ------------------------------------------------------------------

class HolidayDateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=HolidayDateKind.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HolidayYearSerializer(serializers.Serializer):  # type: ignore[type-arg]
    year = serializers.IntegerField(read_only=True)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["table", "package", "missing"], read_only=True,
        help_text="table: entered here; package: chinesecalendar; missing: estimated")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                 help_text="The notice the dates come from.")
    dates = HolidayDateSerializer(many=True)

    def validate_dates(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        year = self.context["year"]
        seen: set[dt.date] = set()
        errors: dict[str, list[str]] = {}
        for index, item in enumerate(value):
            day = item["date"]
            if day.year != year:
                errors[str(index)] = [_("%(date)s is not in %(year)s") % {
                    "date": day.isoformat(), "year": year}]
            elif day in seen:
                errors[str(index)] = [_("%(date)s is given twice") % {"date": day.isoformat()}]
            elif item["kind"] == HolidayDateKind.MAKEUP and day.weekday() < 5:
                errors[str(index)] = [_("%(date)s is a weekday; make-up days are weekend days")
                                      % {"date": day.isoformat()}]
            seen.add(day)
        if errors:
            raise serializers.ValidationError(errors)
        return value


class HolidayYearSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    year = serializers.IntegerField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["table", "package", "missing"])
    dates = serializers.IntegerField(help_text="How many holidays and make-up days.")


class HolidayYearViewSet(viewsets.ViewSet):
    """Statutory holidays per year: the table entered here, else the chinesecalendar package."""

    permission_classes = [ManageCalendarsOrReadOnly]
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    serializer_class = HolidayYearSerializer

    def _year(self, year: str) -> int:
        value = int(year)
        if not actions.FIRST_YEAR <= value <= actions.LAST_YEAR:
            raise NotFound
        return value

    def _body(self, year: int) -> dict[str, Any]:
        source, entries = cals.year_entries(year)
        row = HolidayYear.objects.filter(year=year).first()
        return {"year": year, "source": source, "note": row.source if row else "",
                "dates": [{"date": e.day, "kind": e.kind.value, "name": e.name}
                          for e in entries]}

    @extend_schema(responses=HolidayYearSummarySerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(HolidayYearSummarySerializer(cals.year_coverage(), many=True).data)

    @extend_schema(responses=HolidayYearSerializer)
    def retrieve(self, request: Request, year: str) -> Response:
        value = self._year(year)
        return Response(HolidayYearSerializer(self._body(value)).data)

    @extend_schema(request=HolidayYearSerializer, responses=HolidayYearSerializer,
                   summary="Enter or replace a year from the State Council notice")
    def update(self, request: Request, year: str) -> Response:
        value = self._year(year)
        serializer = HolidayYearSerializer(data=request.data, context={"year": value})
        serializer.is_valid(raise_exception=True)
        entries = [HolidayEntry(d["date"], DayKind(d["kind"]), d["name"])
                   for d in serializer.validated_data["dates"]]
        existed = cals.year_entries(value)[0] == "table"
        try:
            actions.save_holiday_year(value, entries, source=serializer.validated_data["note"],
                                      actor=request.user, request=request)
        except DjangoValidationError as exc:
            raise _to_django(exc) from None
        return Response(HolidayYearSerializer(self._body(value)).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, summary="Remove a year's table entry")
    def destroy(self, request: Request, year: str) -> Response:
        row = HolidayYear.objects.filter(year=self._year(year)).first()
        if row is None:
            raise NotFound
        actions.delete_holiday_year(row, actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
