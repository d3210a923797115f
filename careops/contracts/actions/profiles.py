"""Load a contract profile (docs/contracts.md): validate the YAML, check that what it
names exists, then create the profile or append a new immutable version, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.cmdb.models import BusinessSystem, Vendor
from careops.contracts.actions import obligations
from careops.contracts.models import ContractProfile, ContractVersion
from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.models import WorkCalendar
from careops.core.roles import Cap, has_cap
from careops.logic.contract import (
    Contract,
    ContractError,
    ContractInvalid,
    locate,
    parse_contract,
    summary,
)
from careops.logic.obligations import ObligationError


@dataclass(frozen=True)
class LoadResult:
    version: ContractVersion
    created: bool  # False when the text equals the current version (nothing written)


def validate(yaml_text: str) -> Contract:
    """The parsed contract, or ContractInvalid with every schema and reference error."""
    contract = parse_contract(yaml_text)
    errors = reference_errors(contract, yaml_text)
    if errors:
        raise ContractInvalid(errors)
    return contract


def reference_errors(contract: Contract, yaml_text: str) -> list[ContractError]:
    """Errors for a vendor, systems or calendars that do not exist here."""
    errors = []

    def error(path: str, message: str) -> None:
        errors.append(ContractError(path, locate(yaml_text, path), message))

    if not Vendor.objects.filter(code=contract.parties.vendor).exists():
        error("parties.vendor", _("no vendor with code “%(code)s” in the CMDB")
              % {"code": contract.parties.vendor})
    known = set(BusinessSystem.objects.filter(code__in=contract.systems)
                .values_list("code", flat=True))
    for index, code in enumerate(contract.systems):
        if code not in known:
            error(f"systems[{index}]", _("no business system with code “%(code)s” in the CMDB")
                  % {"code": code})
    calendars = set(WorkCalendar.objects.values_list("slug", flat=True))
    for name, code in contract.calendars.items():
        if code not in calendars:
            error(f"calendars.{name}", _("no working-time calendar with code “%(code)s”")
                  % {"code": code})
    return errors


def _snapshot(profile: ContractProfile) -> dict[str, Any]:
    data = audit.snapshot(profile)
    data["systems"] = sorted(profile.systems.values_list("code", flat=True))
    return data


def load_profile(actor: Any, yaml_text: str, request: HttpRequest | None = None,
                 valid_from: dt.date | None = None,
                 now: dt.datetime | None = None) -> LoadResult:
    """Create the contract named by the document's ``code`` or add a version to it, and
    bring its obligation occurrences in line with it (``now``: the instant of the sync)."""
    if not has_cap(actor, Cap.MANAGE_CONTRACTS):
        raise PermissionDenied(_("Only hospital administrators may load contracts."))
    contract = validate(yaml_text)
    with transaction.atomic():
        profile = (ContractProfile.objects.select_for_update()
                   .filter(code=contract.code).first())
        before = _snapshot(profile) if profile else None
        current = profile.current_version if profile else None
        if current is not None and current.yaml_text == yaml_text:
            return LoadResult(current, created=False)
        vendor = Vendor.objects.get(code=contract.parties.vendor)
        if profile is None:
            profile = ContractProfile.objects.create(code=contract.code, name=contract.name,
                                                     vendor=vendor)
        else:
            profile.name, profile.vendor = contract.name, vendor
            profile.save()
        profile.systems.set(BusinessSystem.objects.filter(code__in=contract.systems))
        version = ContractVersion.objects.create(
            profile=profile, number=(current.number + 1) if current else 1,
            yaml_text=yaml_text, summary=summary(contract),
            valid_from=valid_from or timezone.localdate(), created_by=actor)
        try:
            synced = obligations.sync_occurrences(profile, now, audited=False)
        except ObligationError as exc:  # nothing of the load is kept
            raise ContractInvalid([ContractError("obligations", locate(yaml_text, "obligations"),
                                                 str(exc))]) from None
        audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, actor=actor,
                     request=request, obj=profile, changes=audit.diff(before, _snapshot(profile)),
                     detail={"version": version.number, "valid_from": str(version.valid_from),
                             "obligations": synced.detail(version.number)})
    return LoadResult(version, created=True)
