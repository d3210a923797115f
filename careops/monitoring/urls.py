"""Pages of monitoring, under /monitoring/."""

from django.urls import URLPattern, URLResolver

app_name = "monitoring"

urlpatterns: list[URLPattern | URLResolver] = []
