"""The public satisfaction survey page (no login: the link is the key) and the results
page for the hospital (docs/servicedesk.md, "Satisfaction survey")."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from careops.core.roles import Cap
from careops.core.views.decorators import cap_required
from careops.servicedesk.actions import surveys
from careops.servicedesk.forms import SurveyForm, SurveyMonthForm
from careops.servicedesk.models import Survey


def _gone(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "servicedesk/survey_gone.html", {"reason": reason}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Shows only the ticket's number and title: whoever holds the link is its reporter."""
    found = surveys.find(token)
    if found is None:
        raise Http404(_("No such survey."))
    now = timezone.now()
    try:
        surveys.check_open(found, now)
    except surveys.SurveyGone as exc:
        return _gone(request, exc.reason)
    form = SurveyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.answer_survey(token, form.cleaned_data["score"],
                                      form.cleaned_data["comment"], now=now, request=request)
            except surveys.SurveyGone as exc:
                return _gone(request, exc.reason)
            except Survey.DoesNotExist:
                raise Http404(_("No such survey.")) from None
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
                status = 400
            else:
                return render(request, "servicedesk/survey_thanks.html", {})
        else:
            status = 400
    return render(request, "servicedesk/survey_form.html",
                  {"form": form, "ticket": found.ticket, "expires_at": found.expires_at},
                  status=status)


@cap_required(Cap.VIEW_OPERATIONS)
def survey_results(request: HttpRequest) -> HttpResponse:
    if not surveys.may_see_results(request.user):
        raise PermissionDenied
    form = SurveyMonthForm(request.GET or None)
    month = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            month = form.cleaned_data["month"] or ""
        else:
            status = 400
    data = surveys.results(month)
    return render(request, "servicedesk/survey_results.html",
                  {"form": form, "results": data}, status=status)
