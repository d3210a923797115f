"""Forms of monitoring's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careops.cmdb.models import ConfigItem
from careops.core import access


class ItemChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class MaintenanceWindowForm(forms.Form):
    items = ItemChoices(
        queryset=ConfigItem.objects.none(), label=_("Items"),
        help_text=_("A window on a host also covers the databases, services and systems "
                    "that run on it."))
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = access.scope(user, ConfigItem.objects.order_by("code"))
