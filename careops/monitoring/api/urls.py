"""The monitoring API, under /api/v1/monitoring/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from careops.monitoring.api import alerts as alert_api
from careops.monitoring.api import views
from careops.monitoring.api.checks import CheckViewSet
from careops.monitoring.api.rules import RuleViewSet

router = SimpleRouter()
router.register("alerts", alert_api.AlertViewSet, basename="alert")
router.register("maintenance-windows", alert_api.WindowViewSet, basename="maintenance-window")
router.register("rules", RuleViewSet, basename="rule")
router.register("checks", CheckViewSet, basename="check")

urlpatterns: list[URLPattern | URLResolver] = [
    # metrics (docs/monitoring-store.md)
    path("query_range/", views.QueryRangeView.as_view(), name="monitoring-query-range"),
    path("store/", views.StoreHealthView.as_view(), name="monitoring-store-health"),
    # alerts (docs/monitoring-alerts.md)
    path("webhooks/alertmanager/", alert_api.AlertmanagerWebhook.as_view(),
         name="webhook-alertmanager"),
    path("webhooks/zabbix/", alert_api.ZabbixWebhook.as_view(), name="webhook-zabbix"),
    path("", include(router.urls)),
]
