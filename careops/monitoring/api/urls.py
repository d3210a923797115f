"""The monitoring API, under /api/v1/monitoring/."""

from django.urls import URLPattern, URLResolver, path

from careops.monitoring.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("query_range/", views.QueryRangeView.as_view(), name="monitoring-query-range"),
    path("store/", views.StoreHealthView.as_view(), name="monitoring-store-health"),
]
