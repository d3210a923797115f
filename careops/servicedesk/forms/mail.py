"""The mailbox form. The action (``actions.mailboxes``) validates again; the view maps
its field errors back onto the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careops.cmdb.forms.fields import style
from careops.core.choices import NotificationKind
from careops.core.models.notifications import Channel
from careops.servicedesk.models import Kind, Mailbox


class MailboxForm(forms.ModelForm):  # type: ignore[type-arg]
    password = forms.CharField(
        label=_("Password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted in the secret store. Leave empty to keep the stored "
                    "one."))

    class Meta:
        model = Mailbox
        fields = ["name", "enabled", "host", "port", "security", "username", "password",
                  "folder", "kind", "reply_channel"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(label=_("ticket kind"), choices=Kind.choices,
                                                initial=Kind.INCIDENT)
        self.fields["reply_channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            kind=NotificationKind.EMAIL)
        self.fields["port"] = forms.IntegerField(label=_("IMAP port"), min_value=1,
                                                 max_value=65535, initial=993)
        if self.instance.pk is None:
            self.fields["password"].help_text = _("Stored encrypted in the secret store.")
        elif self.instance.password_id is not None:
            self.fields["password"].help_text = _(
                "A password is stored. Leave empty to keep it; enter it again when the "
                "server, port, security or user name changes.")
        style(self)

    def _post_clean(self) -> None:
        # The action saves: keep the form from writing to the instance it edits.
        pass

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields
                if name != "password" and name in self.cleaned_data}

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
