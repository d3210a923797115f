"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver, path

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = []

# --- alert rules (part "rules") ---
from careops.monitoring.views import rules as rule_views  # noqa: E402

urlpatterns += [
    path("rules/", rule_views.rule_list, name="rule_list"),
    path("rules/new/", rule_views.rule_edit, name="rule_create"),
    path("rules/preview/", rule_views.rule_preview, name="rule_preview"),
    path("rules/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/toggle/", rule_views.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/delete/", rule_views.rule_delete, name="rule_delete"),
]
