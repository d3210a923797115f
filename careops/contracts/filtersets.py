"""Filters of the obligation list: the page, the calendar and the API share them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careops.contracts.choices import KIND_LABELS, ObligationState
from careops.contracts.models import ContractProfile, ObligationOccurrence, ObligationStatus
from careops.core.months import month_error
from careops.logic.months import parse_month


def month_bounds(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the local month ``YYYY-MM`` and of the month after it;
    careops.logic.months.MonthError (a ValueError) for anything else."""
    first, following = parse_month(text)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time(), tzinfo=tz),
            dt.datetime.combine(following, dt.time(), tzinfo=tz))


class MonthField(forms.CharField):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value:
            try:
                month_bounds(value)
            except ValueError:
                raise forms.ValidationError(month_error()) from None
        return value


class MonthFilter(django_filters.CharFilter):  # type: ignore[misc]
    field_class = MonthField


class ObligationFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    contract = django_filters.ModelChoiceFilter(
        field_name="profile", queryset=ContractProfile.objects.none(), to_field_name="code",
        label=_("Contract"))
    status = django_filters.ChoiceFilter(choices=ObligationState.choices, method="by_state",
                                         label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=list(KIND_LABELS.items()), label=_("Kind"))
    month = MonthFilter(method="by_month", label=_("Month due (YYYY-MM)"))
    assignee = django_filters.CharFilter(field_name="assignee__username",
                                         label=_("Assignee (user name)"))

    class Meta:
        model = ObligationOccurrence
        fields = ["contract", "status", "kind", "month", "assignee"]

    def __init__(self, *args: Any, user: Any = None, now: dt.datetime | None = None,
                 **kwargs: Any) -> None:
        from careops.core import access

        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        user = user or getattr(self.request, "user", None)
        if user is not None:
            self.filters["contract"].queryset = access.scope(user, ContractProfile.objects.all())

    def by_state(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        late = Q(deadline__lt=self.now)
        queryset = queryset.annotate(deadline=Coalesce("report_due_at", "due_at"))
        if value == ObligationState.OVERDUE:
            return queryset.filter(late, status=ObligationStatus.OPEN)
        return queryset.filter(status=value)

    def by_month(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        start, end = month_bounds(value)
        return queryset.filter(due_at__gte=start, due_at__lt=end)
