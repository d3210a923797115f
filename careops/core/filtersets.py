"""Filters of the core list pages and API endpoints (django-filter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careops.core.choices import AuditAction, AuditResult, Role
from careops.core.models import AuditRecord, User

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the platform's time zone (Asia/Shanghai by default)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditRecordFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    user = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="iexact", label=_("User"),
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("user name")}))
    object_type = django_filters.CharFilter(
        lookup_expr="iexact", label=_("Object type"),
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "core.user"}))
    object_id = django_filters.CharFilter(label=_("Object id"), widget=forms.TextInput(attrs=TEXT))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"),
                                         widget=forms.Select(attrs=SELECT))
    result = django_filters.ChoiceFilter(choices=AuditResult.choices, label=_("Result"),
                                         widget=forms.Select(attrs=SELECT))
    source_ip = django_filters.CharFilter(label=_("Source address"),
                                          widget=forms.TextInput(attrs=TEXT))
    since = django_filters.DateFilter(method="filter_since", label=_("From"),
                                      widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    until = django_filters.DateFilter(method="filter_until", label=_("Until"),
                                      widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    class Meta:
        model = AuditRecord
        fields = ["user", "object_type", "object_id", "action", "result", "source_ip",
                  "since", "until"]

    def filter_since(self, queryset: QuerySet[AuditRecord], name: str,
                     value: dt.date) -> QuerySet[AuditRecord]:
        return queryset.filter(at__gte=_day_start(value))

    def filter_until(self, queryset: QuerySet[AuditRecord], name: str,
                     value: dt.date) -> QuerySet[AuditRecord]:
        # ``until`` includes the whole day.
        return queryset.filter(at__lt=_day_start(value + dt.timedelta(days=1)))

    def active_filters(self) -> dict[str, str]:
        """The filters in use, as text (for the audit record of an export)."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {name: str(value) for name, value in self.form.cleaned_data.items()
                if value not in (None, "")}


class UserFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="search", label=_("Search"),
                                  widget=forms.TextInput(attrs={
                                      **TEXT, "placeholder": _("name, user name, phone, email")}))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"),
                                       widget=forms.Select(attrs=SELECT))
    is_active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(attrs=SELECT, choices=[("", "---------"), ("true", _("Active")),
                                                   ("false", _("Deactivated"))]))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset: QuerySet[User], name: str, value: Any) -> QuerySet[User]:
        value = str(value).strip()
        return queryset.filter(Q(username__icontains=value) | Q(name__icontains=value)
                               | Q(phone__icontains=value) | Q(email__icontains=value))
