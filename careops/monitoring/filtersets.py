"""Filters of the alert list: the live page and the API share them."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from careops.monitoring.choices import AlertSource, AlertStatus, Severity, Suppression
from careops.monitoring.models import Alert


class AlertFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label=_("State"))
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices,
                                                   label=_("Severity"),
                                                   widget=forms.CheckboxSelectMultiple)
    source = django_filters.ChoiceFilter(choices=AlertSource.choices, label=_("Source"),
                                         empty_label=_("All"))
    suppression = django_filters.ChoiceFilter(
        choices=[(v, label) for v, label in Suppression.choices if v], label=_("Suppressed"),
        empty_label=_("All"))
    item = django_filters.CharFilter(method="filter_item", label=_("Item"))
    group = django_filters.NumberFilter(field_name="group_id", label=_("Group"))
    system = django_filters.CharFilter(method="filter_system", label=_("Business system"))

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_item(self, queryset: QuerySet[Alert], name: str, value: str) -> QuerySet[Alert]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(item__code__icontains=value) | Q(item__name__icontains=value))


    def filter_system(self, queryset: QuerySet[Alert], name: str, value: str
                      ) -> QuerySet[Alert]:
        """Alerts on a business system (by code) and on everything it owns."""
        from careops.cmdb.graph import graph
        from careops.cmdb.models import BusinessSystem

        system = BusinessSystem.objects.filter(code=value.strip()).first()
        if system is None:
            return queryset.none()
        return queryset.filter(item_id__in=graph().items_of_systems([system.pk]))


def live_order(queryset: QuerySet[Alert]) -> QuerySet[Alert]:
    """Firing first, the most severe first, the newest first."""
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(*[When(severity=s, then=Value(i)) for i, s in
                  enumerate(("critical", "major", "warning", "info"))],
                default=Value(9), output_field=IntegerField())
    firing = Case(When(status=AlertStatus.FIRING, then=Value(0)), default=Value(1),
                  output_field=IntegerField())
    return queryset.annotate(_firing=firing, _rank=rank).order_by("_firing", "_rank",
                                                                  "-starts_at", "-id")


def filtered(params: Any, queryset: QuerySet[Alert], request: Any = None) -> AlertFilterSet:
    return AlertFilterSet(params, queryset=queryset, request=request)
