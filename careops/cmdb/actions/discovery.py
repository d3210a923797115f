"""Discovery's changes: apply the facts a user picked, and the pinned SSH host keys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careops.cmdb.actions import items
from careops.cmdb.models import Host, SshHostKey
from careops.core import access, audit
from careops.core.choices import AuditAction
from careops.core.roles import Cap, has_cap
from careops.logic.discovery import FIELDS, Facts


def apply_discovery(actor: Any, host: Host, facts: Facts, fields: Iterable[str], *,
                    request: Any = None) -> Host:
    """Write the chosen ``fields`` of ``facts`` to ``host`` (one audited update whose
    detail names the discovery method and source). ValidationError names bad fields."""
    chosen = list(dict.fromkeys(fields))
    found = facts.values()
    unknown = [name for name in chosen if name not in FIELDS]
    if unknown:
        raise ValidationError({"fields": _("Discovery does not fill %(names)s; choose from "
                                           "%(allowed)s.") % {"names": ", ".join(unknown),
                                                              "allowed": ", ".join(FIELDS)}})
    missing = [name for name in chosen if name not in found]
    if missing:
        raise ValidationError({"fields": _("Discovery found no value for %(names)s.")
                               % {"names": ", ".join(missing)}})
    if not chosen:
        raise ValidationError({"fields": _("Choose at least one field to save.")})
    detail = {"discovery": facts.method, "source": facts.source, "fields": chosen}
    items.update(actor, host, {name: found[name] for name in chosen}, request=request,
                 detail=detail)
    return host


def pin_host_key(actor: Any, host: Host, *, public_key: str, algorithm: str,
                 fingerprint: str, address: str) -> SshHostKey:
    """Trust ``public_key`` for ``host`` from now on (first use)."""
    with transaction.atomic():
        pinned = SshHostKey.objects.create(host=host, public_key=public_key,
                                           algorithm=algorithm, fingerprint=fingerprint,
                                           address=address)
        audit.record(AuditAction.CREATE, actor=actor, obj=pinned,
                     changes=audit.diff(None, audit.snapshot(pinned)),
                     detail={"host": host.code, "trust": "first use"})
    return pinned


def forget_host_key(actor: Any, host: Host, *, request: Any = None) -> bool:
    """Drop the pinned key of ``host`` so that the next SSH discovery pins the key it
    sees. For a host that was reinstalled; False if nothing was pinned."""
    if not has_cap(actor, Cap.MANAGE_ITEMS) or not access.can_change(actor, host):
        # Trusting a new key is what lets a changed address receive the credential.
        raise PermissionDenied(_("Only hospital administrators and IT engineers may forget "
                                 "a pinned host key."))
    with transaction.atomic():
        pinned = SshHostKey.objects.select_for_update().filter(host=host).first()
        if pinned is None:
            return False
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=pinned,
                     changes=audit.diff(audit.snapshot(pinned), None),
                     detail={"host": host.code})
        pinned.delete()
    return True
