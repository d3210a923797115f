"""The monitoring API, under /api/v1/monitoring/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
