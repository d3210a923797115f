"""Forms of the user pages; the changes themselves go through careops.core.actions.users."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careops.core.actions.users import grantable_roles
from careops.core.choices import Role

TEXT = {"class": "form-control"}


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
                               help_text=_("Letters, digits and @/./+/-/_ only."))
    name = forms.CharField(label=_("Full name"), max_length=100, required=False,
                           widget=forms.TextInput(attrs=TEXT))
    role = forms.ChoiceField(label=_("Role"), widget=forms.Select(attrs={"class": "form-select"}))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs=TEXT))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs=TEXT))

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(grantable_roles(actor))
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(v, label) for v, label in Role.choices if v in allowed]
        self.fields["role"].initial = Role.DEPARTMENT_USER


class UserProfileForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100, required=False,
                           widget=forms.TextInput(attrs=TEXT))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False,
                            widget=forms.TextInput(attrs=TEXT))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs=TEXT))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
