"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careops.cmdb.importer import CLASS_CHOICES

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    cls = forms.ChoiceField(
        label=_("Class"), required=False,
        choices=[("", _("Whole workbook (one sheet per class)")), *CLASS_CHOICES],
        help_text=_("A CSV file holds one class; a workbook may hold a sheet per class."),
        widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(
        label=_("File"), help_text=_("XLSX, or CSV in UTF-8 or GB18030."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                               "accept": ".xlsx,.csv"}))
    update = forms.BooleanField(
        label=_("Update existing"), required=False,
        help_text=_("Rows whose code exists already change that record; otherwise they "
                    "are errors."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload
