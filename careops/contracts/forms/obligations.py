"""Forms of an obligation occurrence's page: complete, waive, assign."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careops.contracts.actions import obligations as actions
from careops.contracts.models import ObligationOccurrence
from careops.core.access import UNRESTRICTED_ROLES
from careops.core.roles import CAPABILITIES, Cap


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = css


class CompleteForm(forms.Form):
    prefix = "complete"
    ticket = forms.CharField(label=_("Ticket number"), required=False, max_length=20,
                             help_text=_("The ticket that records the work, if any."))
    evidence_file = forms.FileField(label=_("Evidence file"), required=False,
                                    help_text=_("The report, record sheet or minutes."))
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["note"].help_text = gettext(
            "Without a ticket or a file: what was done and where the record is (at least "
            "%(n)d characters).") % {"n": actions.MIN_NOTE}
        _style(self)

    def clean_ticket(self) -> Any:
        number = self.cleaned_data.get("ticket", "").strip()
        if not number:
            return None
        try:
            return actions.resolve_evidence(self.user, number)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["evidence"]) from None


class WaiveForm(forms.Form):
    prefix = "waive"
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why the hospital releases the vendor from it."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


def assignee_choices(occurrence: ObligationOccurrence) -> Any:
    """Hospital staff with working rights, and the engineers of the contract's vendor
    (the action checks each one again)."""
    roles = [r for r in UNRESTRICTED_ROLES if Cap.CHANGE_OPERATIONS in CAPABILITIES[r]]
    return get_user_model().objects.filter(
        Q(role__in=roles) | Q(vendors=occurrence.profile.vendor_id), is_active=True) \
        .distinct().order_by("username")


class AssignForm(forms.Form):
    prefix = "assign"
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, to_field_name="username",
        empty_label=_("Nobody"))

    def __init__(self, *args: Any, occurrence: ObligationOccurrence, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignee_choices(occurrence)
        _style(self)
