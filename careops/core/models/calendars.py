"""Working-time calendars and the holiday-year table (see docs/calendars.md).

The arithmetic lives in ``careops.logic.worktime``; ``careops.core.calendars``
turns these rows into a pure ``Calendar``. Change them only through
``careops.core.actions.calendars`` (audited, validated, cache-invalidating).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


def _seven_empty_days() -> list[list[str]]:
    return [[] for _ in range(7)]


class WorkCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Short code used by the API and the command line, "
                                        "e.g. cn-workday."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    observe_holidays = models.BooleanField(
        _("observe Chinese statutory holidays"), default=True,
        help_text=_("Holidays are closed and make-up working days (调休) are open."))
    # Seven lists (Monday first) of "HH:MM-HH:MM" intervals.
    weekly_hours = models.JSONField(_("weekly hours"), default=_seven_empty_days)
    # Hours on make-up working days; empty = Monday's hours.
    makeup_hours = models.JSONField(_("hours on make-up days"), default=list, blank=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("working-time calendar")
        verbose_name_plural = _("working-time calendars")
        ordering = ["-builtin", "name"]

    def __str__(self) -> str:
        return self.name


class CalendarDateKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")


class CalendarDate(models.Model):
    """A date of one calendar that is closed, or open with its own hours."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="dates",
                                 verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDateKind.choices)
    # For an open date: its intervals; empty = the calendar's make-up day hours.
    hours = models.JSONField(_("hours"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"],
                                               name="calendar_date_once")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"


class HolidayYear(models.Model):
    """A year of statutory holidays entered from the State Council notice.

    A year here replaces the chinesecalendar package's data for that year.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True,
                              help_text=_("The notice the dates come from, "
                                          "e.g. 国办发明电〔2026〕7号."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDateKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday")
    MAKEUP = "makeup", _("Make-up working day")


class HolidayDate(models.Model):
    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE,
                                     related_name="dates", verbose_name=_("year"))
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=HolidayDateKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday date")
        verbose_name_plural = _("holiday dates")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind} {self.name}".strip()
