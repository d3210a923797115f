"""An action's ValidationError shown on the form that sent it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError


def apply_errors(form: Any, exc: ValidationError,
                 rename: Mapping[str, str | None] | None = None) -> None:
    """Each message on its field when the form has it, otherwise on the form. ``rename``
    maps an action's field name to the form's (None: on the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = (rename or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)
