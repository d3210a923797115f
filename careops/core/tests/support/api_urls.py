"""A small API used only by test_api.py to exercise the shared error format."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Window(serializers.Serializer[Any]):
    start = serializers.DateTimeField()
    minutes = serializers.IntegerField(min_value=1)
    contacts = serializers.ListField(child=serializers.DictField(child=serializers.EmailField()),
                                     required=False)


class WindowView(APIView):
    def post(self, request: Request) -> Response:
        serializer = Window(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"ok": True})


class ModelErrorView(APIView):
    def post(self, request: Request) -> Response:
        raise DjangoValidationError({"name": ["A calendar named 7x24 exists."]})


urlpatterns = [
    path("api/test/window/", WindowView.as_view()),
    path("api/test/model-error/", ModelErrorView.as_view()),
    path("", include("careops.urls")),
]
