"""The public survey form and the month filter of the results page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careops.core import months

SCORES = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your score (1 = very dissatisfied, 5 = very satisfied)"), choices=SCORES,
        coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5."),
                        "invalid_choice": _("Choose a score from 1 to 5.")})
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))


class SurveyMonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
        error_messages={"invalid": _("Give the month as YYYY-MM.")})

    def clean_month(self) -> str:
        month: str = self.cleaned_data["month"]
        if month:
            try:
                months.month_range(month)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["month"]) from None
        return month
