"""Teams that work tickets: created and changed by the hospital admin (``Cap.APPROVE``,
held by the hospital admin alone: a team decides whose SLA warnings reach whom, which is
the hospital's call, not an engineer's). Every change is audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from careops.cmdb.models import Vendor
from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.servicedesk.models import Team


def may_manage(actor: Any) -> bool:
    return has_cap(actor, Cap.APPROVE)


def _snapshot(team: Team) -> dict[str, Any]:
    data = audit.snapshot(team)
    data["members"] = sorted(team.members.values_list("username", flat=True))
    return data


def _check(actor: Any, name: str, lead: Any, members: Iterable[Any],
           team: Team | None) -> tuple[str, list[Any]]:
    if not may_manage(actor):
        raise PermissionDenied(_("You may not manage teams."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("A team needs a name.")]})
    others = Team.objects.filter(name=name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise ValidationError({"name": [_("A team with this name exists already.")]})
    people = list(members)
    for user in [lead, *people]:
        if user is not None and not has_cap(user, Cap.CHANGE_OPERATIONS):
            raise ValidationError({"members" if user is not lead else "lead": [
                _("%(user)s may not work on tickets.") % {"user": user.get_username()}]})
    return name, people


def save_team(actor: Any, *, name: str, lead: Any | None = None,
              members: Iterable[Any] = (), vendor: Vendor | None = None,
              team: Team | None = None, request: HttpRequest | None = None) -> Team:
    """Create a team (``team`` None) or change one."""
    name, people = _check(actor, name, lead, members, team)
    with transaction.atomic():
        before = _snapshot(team) if team is not None else None
        if team is None:
            team = Team(name=name)
        team.name, team.lead, team.vendor = name, lead, vendor
        team.save()
        team.members.set(people)
        audit.record(AuditAction.CREATE if before is None else AuditAction.UPDATE,
                     actor=actor, request=request, obj=team,
                     changes=audit.diff(before, _snapshot(team)))
    return team
