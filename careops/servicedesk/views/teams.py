"""Teams: list, create and edit, for the hospital admin (Cap.APPROVE)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from careops.core.forms.errors import apply_errors
from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.servicedesk.actions import teams
from careops.servicedesk.forms import TeamForm
from careops.servicedesk.models import Team


@cap_required(Cap.APPROVE)
def team_list(request: HttpRequest) -> HttpResponse:
    rows = Team.objects.select_related("lead", "vendor").prefetch_related("members")
    return render(request, "servicedesk/team_list.html", {"teams": rows})


@cap_required(Cap.APPROVE)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk) if pk is not None else None
    initial = {}
    if team is not None:
        initial = {"name": team.name, "lead": team.lead_id, "vendor": team.vendor_id,
                   "members": list(team.members.values_list("pk", flat=True))}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = teams.save_team(request.user, name=data["name"], lead=data["lead"],
                                    members=data["members"], vendor=data["vendor"], team=team,
                                    request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Team “%(name)s” is saved.") % {"name": saved.name})
            return redirect("servicedesk:team_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "servicedesk/team_form.html", {"form": form, "team": team},
                  status=status)
