"""The monitoring API, under /api/v1/monitoring/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

urlpatterns: list[URLPattern | URLResolver] = []

# --- alert rules (part "rules") ---
from careops.monitoring.api.rules import RuleViewSet  # noqa: E402

rules_router = SimpleRouter()
rules_router.register("rules", RuleViewSet, basename="rule")
urlpatterns += [path("", include(rules_router.urls))]
