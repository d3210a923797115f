"""Form fields that edit the JSON list fields of configuration items as plain text.

Hospital engineers type one address per line, tags separated by commas, one disk
("mount size_gb") per line; the field turns the text into the list the model keeps
and runs the model's validator, so errors appear under the field that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careops.cmdb.validators import (
    validate_disks,
    validate_endpoints,
    validate_ip_list,
    validate_name_list,
    validate_tags,
)


def style(form: forms.BaseForm) -> None:
    """Tabler classes on every widget (no inline styles: the CSP forbids them)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.SelectMultiple):
            css = "form-select"
            widget.attrs.setdefault("size", "6")
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


def mark_invalid(form: forms.BaseForm) -> None:
    """Tabler's red border on the widgets of fields that have errors."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class TextListField(forms.Field):
    """A list edited as text; subclasses say how a list becomes text and back."""

    widget: type[forms.Widget] = forms.Textarea
    model_validator: Callable[[Any], None] | None = None

    def __init__(self, *args: Any, rows: int = 3, placeholder: Any = "",
                 **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"rows": str(rows), "placeholder": placeholder,
                                  "spellcheck": "false"})
        if isinstance(self.widget, forms.TextInput):
            self.widget.attrs.pop("rows")

    def to_text(self, value: list[Any]) -> str:
        return "\n".join(str(v) for v in value)

    def from_text(self, text: str) -> list[Any]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return self.to_text(value)
        return value

    def to_python(self, value: Any) -> list[Any]:
        if isinstance(value, list):
            return value
        return self.from_text(str(value or ""))

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        super().run_validators(value)
        validator = type(self).model_validator
        if validator is not None:
            validator(value)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(self.to_python(initial) != self.to_python(data))


class LinesField(TextListField):
    """One entry a line (database names, service endpoints)."""

    model_validator = staticmethod(validate_name_list)


class AddressesField(TextListField):
    """IP addresses, one a line (commas and spaces also separate them)."""

    model_validator = staticmethod(validate_ip_list)

    def from_text(self, text: str) -> list[Any]:
        return [part for part in re.split(r"[\s,;，；]+", text.strip()) if part]


class TagsField(TextListField):
    """Tags separated by commas."""

    widget = forms.TextInput
    model_validator = staticmethod(validate_tags)

    def to_text(self, value: list[Any]) -> str:
        return ", ".join(str(v) for v in value)

    def from_text(self, text: str) -> list[Any]:
        tags: list[str] = []
        for part in re.split(r"[,，;；]", text):
            tag = part.strip()
            if tag and tag not in tags:
                tags.append(tag)
        for tag in tags:
            if len(tag) > 40:
                raise ValidationError(_("The tag %(tag)s is longer than 40 characters."),
                                      code="invalid", params={"tag": tag})
        return tags


class DisksField(TextListField):
    """Disks as "mount size_gb" lines, e.g. "/data 500" or "D: 1024"."""

    model_validator = staticmethod(validate_disks)

    def to_text(self, value: list[Any]) -> str:
        lines = []
        for disk in value:
            size = disk.get("size_gb", "")
            if isinstance(size, float) and size.is_integer():
                size = int(size)
            lines.append(f"{disk.get('mount', '')} {size}")
        return "\n".join(lines)

    def from_text(self, text: str) -> list[Any]:
        disks: list[dict[str, Any]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            parts = line.rsplit(None, 1)
            size_text = parts[-1].lower().removesuffix("gb").removesuffix("g")
            try:
                size = float(size_text)
            except ValueError:
                size = -1.0
            if len(parts) != 2 or size < 0:
                raise ValidationError(
                    _('Line %(line)s: write "mount size_gb", e.g. "/data 500".'),
                    code="invalid", params={"line": number})
            disks.append({"mount": parts[0].strip(),
                          "size_gb": int(size) if size.is_integer() else size})
        return disks


class EndpointsField(TextListField):
    """Monitoring endpoints as "job target [path]" lines, e.g. "node 10.1.2.3:9100"."""

    model_validator = staticmethod(validate_endpoints)

    def to_text(self, value: list[Any]) -> str:
        return "\n".join(" ".join(str(e[k]) for k in ("job", "target", "path") if e.get(k))
                         for e in value)

    def from_text(self, text: str) -> list[Any]:
        endpoints: list[dict[str, Any]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            if len(parts) not in (2, 3):
                raise ValidationError(
                    _('Line %(line)s: write "job target [path]", e.g. '
                      '"node 10.1.2.3:9100".'), code="invalid", params={"line": number})
            entry = {"job": parts[0], "target": parts[1]}
            if len(parts) == 3:
                entry["path"] = parts[2]
            endpoints.append(entry)
        return endpoints
