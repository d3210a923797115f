"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver, path

app_name = "monitoring"

from careops.monitoring.views import overview as overview_views  # noqa: E402

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview_views.overview, name="overview"),
]

# --- alerts (docs/monitoring-alerts.md) -------------------------------------------------
from careops.monitoring.views import alerts as alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.alert_list, name="alert_list"),
    path("alerts/groups/<int:pk>/", alert_views.alert_group, name="alert_group"),
    path("maintenance/", alert_views.maintenance_list, name="maintenance_list"),
    path("maintenance/new/", alert_views.maintenance_create, name="maintenance_create"),
    path("maintenance/<int:pk>/end/", alert_views.maintenance_end, name="maintenance_end"),
]
