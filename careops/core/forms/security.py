"""Forms of the login, account and security pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careops.core.models.secrets import Secret


class TablerMixin:
    """Gives every widget Tabler's form class."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class LoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class CodeForm(TablerMixin, forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time password", "Code"), max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                      "autofocus": True}),
    )


class PasswordChangeForm(TablerMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html)
    new_password_again = forms.CharField(
        label=_("New password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class ConfirmPasswordForm(TablerMixin, forms.Form):
    """Asks for the current password before a sensitive change of one's own account."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


class UnlockForm(TablerMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150, required=False)
    ip_address = forms.GenericIPAddressField(label=_("Address"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("username") and not data.get("ip_address") and not self.errors:
            raise forms.ValidationError(_("Name an account or an address to unlock."))
        return data


class WriteOnlyTextarea(forms.Textarea):
    """A textarea that never sends a value back to the browser."""

    def format_value(self, value: Any) -> None:
        return None


class SecretForm(TablerMixin, forms.ModelForm):  # type: ignore[type-arg]
    """Create a secret or replace its value. The value is write-only: never rendered."""

    value = forms.CharField(
        label=_("Value"), strip=False, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. It is never shown again; enter a new value to "
                    "replace it."))
    value_text = forms.CharField(
        label=_("Or a multi-line value (SSH private key)"), strip=False, required=False,
        widget=WriteOnlyTextarea(attrs={"rows": 6, "autocomplete": "off",
                                        "spellcheck": "false"}))

    class Meta:
        model = Secret
        fields = ["name", "kind", "username", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Code that uses a secret finds it by name: the name is fixed once created.
            self.fields["name"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value, text = data.get("value") or "", data.get("value_text") or ""
        if value and text:
            self.add_error("value", _("Enter the value in one of the two fields, not both."))
        elif not value and not text:
            self.add_error("value", _("Enter the value."))
        else:
            data["secret_value"] = value or text
        return data
