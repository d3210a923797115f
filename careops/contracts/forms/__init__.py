"""The contract upload form: paste the YAML or choose a file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 1_000_000


class ContractUploadForm(forms.Form):
    file = forms.FileField(label=_("YAML file"), required=False,
                           help_text=_("A contract profile (.yaml); or paste the text below."))
    yaml_text = forms.CharField(label=_("YAML text"), required=False, strip=False,
                                widget=forms.Textarea(attrs={"rows": 18,
                                                             "class": "form-control font-monospace",
                                                             "spellcheck": "false"}))
    valid_from = forms.DateField(label=_("Valid from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date",
                                                               "class": "form-control"}),
                                 help_text=_("First day this version applies; today if empty."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs["accept"] = ".yaml,.yml,text/yaml"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            try:
                data["yaml_text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        elif not data.get("yaml_text", "").strip():
            raise forms.ValidationError(_("Choose a YAML file or paste its text."))
        return data
