"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver, path

from careops.monitoring.views import metrics

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("items/<int:pk>/metrics/", metrics.item_metrics, name="item_metrics"),
]
