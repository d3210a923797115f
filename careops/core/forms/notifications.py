"""The channel form: common fields plus those of the chosen kind (see channel_fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careops.core import channel_fields as cf
from careops.core.choices import NotificationKind
from careops.core.models.notifications import Channel


def _form_field(f: cf.Field, *, secret_set: str) -> forms.Field:
    help_text = f.help
    if f.type == cf.SECRET:
        if secret_set:
            help_text = _("Currently set (%(hint)s). %(help)s") % {"hint": secret_set,
                                                                 "help": f.help}
        return forms.CharField(
            label=f.label, required=f.required and not secret_set, help_text=help_text,
            strip=True, widget=forms.PasswordInput(render_value=False, attrs={
                "autocomplete": "new-password", "class": "form-control"}))
    if f.type == cf.BOOL:
        return forms.BooleanField(label=f.label, required=False, help_text=help_text,
                                  widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    if f.type == cf.CHOICE:
        return forms.ChoiceField(label=f.label, required=False, choices=f.choices,
                                 help_text=help_text,
                                 widget=forms.Select(attrs={"class": "form-select"}))
    widget: forms.Widget
    if f.type in (cf.EMAILS, cf.MOBILES):
        widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    elif f.type == cf.INT:
        widget = forms.NumberInput(attrs={"class": "form-control", "min": f.minimum,
                                          "max": f.maximum})
    else:
        widget = forms.TextInput(attrs={"class": "form-control"})
    return forms.CharField(label=f.label, required=f.required, help_text=help_text,
                           widget=widget)


class ChannelForm(forms.Form):
    """Validation is the action's (``create_channel``/``update_channel``): the view maps
    its field errors back onto this form."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args: Any, kind: str, channel: Channel | None = None,
                 **kwargs: Any) -> None:
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(channel)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.channel = channel
        masked = cf.masked_secrets(channel) if channel is not None else {}
        self.kind_field_names: list[str] = []
        for f in cf.fields(kind):
            field = _form_field(f, secret_set=masked.get(f.name, ""))
            if channel is None and f.type != cf.SECRET and f.name not in self.initial:
                field.initial = _initial_text(f, f.default)
            self.fields[f.name] = field
            self.kind_field_names.append(f.name)

    @staticmethod
    def initial_for(channel: Channel) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": channel.name, "enabled": channel.enabled}
        for f in cf.config_fields(channel.kind):
            initial[f.name] = _initial_text(f, channel.config.get(f.name, f.default))
        return initial

    @property
    def kind_label(self) -> str:
        return str(NotificationKind(self.kind).label)

    def values(self) -> dict[str, Any]:
        """The kind's settings and secrets as entered (the action validates them)."""
        return {name: self.cleaned_data.get(name) for name in self.kind_field_names}

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.kind_field_names]

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def _initial_text(f: cf.Field, value: Any) -> Any:
    if f.type in (cf.EMAILS, cf.MOBILES):
        return "\n".join(value or [])
    return value
