"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver, path

from careops.monitoring.views import alerts, checks, metrics, overview, rules

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview.overview, name="overview"),
    path("items/<int:pk>/metrics/", metrics.item_metrics, name="item_metrics"),
    path("items/<int:item_pk>/checks/new/", checks.check_edit, name="check_create"),
    path("checks/", checks.check_list, name="check_list"),
    path("checks/<int:pk>/", checks.check_edit, name="check_edit"),
    path("checks/<int:pk>/run/", checks.check_run, name="check_run"),
    path("checks/<int:pk>/delete/", checks.check_delete, name="check_delete"),
    path("alerts/", alerts.alert_list, name="alert_list"),
    path("alerts/groups/<int:pk>/", alerts.alert_group, name="alert_group"),
    path("maintenance/", alerts.maintenance_list, name="maintenance_list"),
    path("maintenance/new/", alerts.maintenance_create, name="maintenance_create"),
    path("maintenance/<int:pk>/end/", alerts.maintenance_end, name="maintenance_end"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/new/", rules.rule_edit, name="rule_create"),
    path("rules/preview/", rules.rule_preview, name="rule_preview"),
    path("rules/<int:pk>/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/delete/", rules.rule_delete, name="rule_delete"),
]
