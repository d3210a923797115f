"""The monitoring API, under /api/v1/monitoring/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

urlpatterns: list[URLPattern | URLResolver] = []

# --- alerts (docs/monitoring-alerts.md) -------------------------------------------------
from careops.monitoring.api import alerts as alert_api  # noqa: E402

alert_router = SimpleRouter()
alert_router.register("alerts", alert_api.AlertViewSet, basename="alert")
alert_router.register("maintenance-windows", alert_api.WindowViewSet,
                      basename="maintenance-window")
urlpatterns += [
    path("webhooks/alertmanager/", alert_api.AlertmanagerWebhook.as_view(),
         name="webhook-alertmanager"),
    path("webhooks/zabbix/", alert_api.ZabbixWebhook.as_view(), name="webhook-zabbix"),
    path("", include(alert_router.urls)),
]
