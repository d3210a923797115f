"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver, path

from careops.monitoring.views import alerts, metrics, overview

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview.overview, name="overview"),
    path("items/<int:pk>/metrics/", metrics.item_metrics, name="item_metrics"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/groups/<int:pk>/", alerts.alert_group, name="alert_group"),
    path("maintenance/", alerts.maintenance_list, name="maintenance_list"),
    path("maintenance/new/", alerts.maintenance_create, name="maintenance_create"),
    path("maintenance/<int:pk>/end/", alerts.maintenance_end, name="maintenance_end"),
]
