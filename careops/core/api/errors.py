"""One error format for the whole API.

    {"error": {"status": 400, "code": "invalid", "message": "...",
               "fields": {"start": ["Enter a valid date/time."]}}}

``fields`` names each offending field (nested fields as ``a.b``, list items as
``a.0.b``); ``non_field_errors`` go under ``"_"``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "_" if key in ("non_field_errors", "__all__") else str(key)
            out.update(_flatten(value, f"{prefix}{name}" if not prefix else f"{prefix}.{name}"))
    elif isinstance(detail, list) and detail and all(isinstance(d, (dict, list)) for d in detail):
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        out[prefix or "_"] = [str(i) for i in items]
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"_": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, list[str]] = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
        code = "invalid"
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail)
        code = str(getattr(detail, "code", None) or getattr(exc, "default_code", "error"))
    body: dict[str, Any] = {"status": response.status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    response.data = {"error": body}
    if response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR:  # pragma: no cover
        response.data["error"]["message"] = "internal error"
    return response
