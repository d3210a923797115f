"""Forms of the service desk pages. They only read and check input; every change goes
through careops.servicedesk.actions, whose ValidationError lands back on the field."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from careops.cmdb.forms.fields import style
from careops.cmdb.models import BusinessSystem, ConfigItem, Vendor
from careops.core import access
from careops.core.roles import CAPABILITIES, Cap
from careops.servicedesk.actions.tickets import REPORTER_ROLES, items_by_code
from careops.servicedesk.forms.surveys import SurveyForm, SurveyMonthForm
from careops.servicedesk.models import Channel, Kind, RiskLevel, Team

__all__ = ["SurveyForm", "SurveyMonthForm"]  # the survey forms live in forms/surveys.py

REPORT_KINDS = [(Kind.INCIDENT.value, _("A fault (something does not work)")),
                (Kind.REQUEST.value, _("A request (something new or changed)"))]


def roles_with(cap: Cap) -> list[str]:
    return [role for role, caps in CAPABILITIES.items() if cap in caps]


def users_with(cap: Cap) -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, role__in=roles_with(cap)) \
        .order_by("username")


def reporters(user: Any) -> QuerySet[Any]:
    """Whom the service desk may name as reporter: the hospital's staff and department
    users (careops.servicedesk.actions.REPORTER_ROLES), and the one entering it."""
    return get_user_model().objects.filter(
        Q(is_active=True, role__in=sorted(REPORTER_ROLES)) | Q(pk=user.pk)).order_by("username")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        full = getattr(obj, "name", "")
        return f"{obj.get_username()} · {full}" if full else str(obj.get_username())


class ReportForm(forms.Form):
    """A department user's fault or request on one of the systems of his department."""

    system = forms.ModelChoiceField(queryset=BusinessSystem.objects.none(),
                                    label=_("System"),
                                    empty_label=_("Choose the system that has the problem"))
    kind = forms.ChoiceField(choices=REPORT_KINDS, label=_("What is it"),
                             initial=Kind.INCIDENT, widget=forms.RadioSelect)
    title = forms.CharField(max_length=200, label=_("In a few words"))
    description = forms.CharField(label=_("What happened"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Where (room, workstation), since when, how many "
                                              "people are affected, what the screen shows."))
    screenshot = forms.ImageField(label=_("Screenshot"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        systems = access.scope(user, BusinessSystem.objects.all()).order_by("code")
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]
        style(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class DeskForm(forms.Form):
    """The service desk's entry: a phone call, a walk-in, an email read out."""

    kind = forms.ChoiceField(choices=Kind.choices, label=_("Kind"), initial=Kind.INCIDENT)
    reporter = UserChoiceField(queryset=get_user_model().objects.none(), label=_("Reporter"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"),
                                initial=Channel.PHONE)
    items = forms.CharField(label=_("Affected items"),
                            help_text=_("CMDB codes, separated by spaces or commas "
                                        "(a system, a host, a database …)."))
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    priority = forms.CharField(max_length=32, required=False, label=_("Priority"),
                               help_text=_("Empty: from the contract's rules. A request needs "
                                           "its complexity tier (simple, medium, complex)."))
    reason = forms.CharField(required=False, label=_("Reason for the priority"),
                             widget=forms.Textarea(attrs={"rows": 2}))
    effort_person_days = forms.DecimalField(max_digits=7, decimal_places=1, required=False,
                                            min_value=0, label=_("Estimated effort "
                                                                 "(person-days)"))
    attachment = forms.FileField(required=False, label=_("Attachment"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reporter"].queryset = reporters(user)  # type: ignore[attr-defined]
        self.fields["reporter"].initial = user.pk
        style(self)

    def clean_items(self) -> list[ConfigItem]:
        codes = [c for c in self.cleaned_data["items"].replace(",", " ").split() if c]
        if not codes:
            raise ValidationError(_("Name at least one item."))
        try:
            return items_by_code(self.user, codes)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["items"]) from None


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(required=False, initial=True,
                                label=_("Public (the reporter sees it)"))

    def __init__(self, *args: Any, internal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not internal:
            del self.fields["public"]
        style(self)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    public = forms.BooleanField(required=False, initial=True,
                                label=_("Public (the reporter sees it)"))

    def __init__(self, *args: Any, internal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not internal:
            del self.fields["public"]
        style(self)


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=32)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(required=False, label=_("Note"),
                           widget=forms.Textarea(attrs={"rows": 2}))
    fallback_plan = forms.CharField(
        required=False, label=_("Fallback plan"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A P1 that cannot be fixed at once: how the department keeps working "
                    "meanwhile."))
    # a change's steps (seed 004 §(三)2)
    supervisor = UserChoiceField(queryset=get_user_model().objects.none(), required=False,
                                 label=_("Supervisor (hospital)"),
                                 empty_label=_("As on the change plan"))
    implementation_report = forms.CharField(
        required=False, label=_("Implementation report"),
        widget=forms.Textarea(attrs={"rows": 3}))
    rollback_reason = forms.CharField(required=False, label=_("Reason for the rollback"),
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = hospital_staff()  # type: ignore[attr-defined]
        style(self)


def hospital_staff() -> QuerySet[Any]:
    """Those who may supervise a change: the hospital's admins and IT engineers."""
    return users_with(Cap.CHANGE_OPERATIONS).filter(
        role__in=[r for r in roles_with(Cap.MANAGE_ITEMS)])


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Why no visit is needed"), max_length=500)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class AnalysisForm(forms.Form):
    event_description = forms.CharField(label=_("What happened"), widget=forms.Textarea(
        attrs={"rows": 2}))
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.CharField(label=_("Scope of impact"), widget=forms.Textarea(attrs={"rows": 2}))
    steps_taken = forms.CharField(label=_("Steps taken"),
                                  widget=forms.Textarea(attrs={"rows": 2}))
    prevention = forms.CharField(label=_("Prevention"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class ChangePlanForm(forms.Form):
    """A change's application (seed 004 §(三)2): what, how, when, the risk and the way back."""

    content = forms.CharField(label=_("Content of the change"),
                              widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=_("Implementation plan"), widget=forms.Textarea(attrs={"rows": 3}))
    window_start = forms.DateTimeField(
        label=_("Window start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    window_end = forms.DateTimeField(
        label=_("Window end"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Monitoring mutes the alerts of the change's items inside the window."))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices,
                                   initial=RiskLevel.MEDIUM)
    risk_assessment = forms.CharField(label=_("Risk assessment"),
                                      widget=forms.Textarea(attrs={"rows": 2}))
    backup_plan = forms.CharField(label=_("Backup plan"), widget=forms.Textarea(attrs={"rows": 2}))
    rollback_plan = forms.CharField(label=_("Rollback plan"),
                                    widget=forms.Textarea(attrs={"rows": 2}))
    supervisor = UserChoiceField(queryset=get_user_model().objects.none(), required=False,
                                 label=_("Supervisor (hospital)"),
                                 empty_label=_("Named when the work starts"))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = hospital_staff()  # type: ignore[attr-defined]
        style(self)


class LinkForm(forms.Form):
    """Incidents a problem explains, by number (INC-2026-000123), separated by spaces or
    commas."""

    numbers = forms.CharField(
        label=_("Incident numbers"), max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "INC-2026-000123, INC-2026-000124"}))
    unlink = forms.BooleanField(required=False, label=_("Remove these links"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean_numbers(self) -> list[str]:
        numbers = [n.strip().upper() for n in re.split(r"[\s,，;；]+",
                                                       self.cleaned_data["numbers"]) if n.strip()]
        if not numbers:
            raise ValidationError(_("Give at least one incident number."))
        return list(dict.fromkeys(numbers))


class AssignForm(forms.Form):
    assignee = UserChoiceField(queryset=get_user_model().objects.none(), required=False,
                               label=_("Assignee"), empty_label=_("Nobody"))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False,
                                  label=_("Team"), empty_label=_("No team"))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workers  # type: ignore[attr-defined]
        style(self)


class PriorityForm(forms.Form):
    priority = forms.CharField(max_length=32, label=_("Priority"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, levels: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels:
            self.fields["priority"] = forms.ChoiceField(
                choices=[(level, level) for level in levels], label=_("Priority"))
        style(self)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    lead = UserChoiceField(queryset=get_user_model().objects.none(), required=False,
                           label=_("Team lead"),
                           help_text=_("Warned when a ticket of the team runs short of time."))
    members = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.none(),
                                             required=False, label=_("Members"))
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.order_by("name"), required=False,
                                    label=_("Vendor"),
                                    help_text=_("Empty for a team of the hospital."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workers = users_with(Cap.CHANGE_OPERATIONS)
        self.fields["lead"].queryset = workers  # type: ignore[attr-defined]
        self.fields["members"].queryset = workers  # type: ignore[attr-defined]
        style(self)
