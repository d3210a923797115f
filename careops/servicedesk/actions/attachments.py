"""Files on tickets: add (from the web form, the API or an email), audited download.

Files live under MEDIA_ROOT and are never served directly. Each is hashed, limited in
size (``CAREOPS_MAX_ATTACHMENT_MB``, default 20) and written to the timeline. The
reporter and those who may see the ticket add public files; internal files (hidden
from the reporter and department users) need working rights.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careops.core import audit
from careops.core.choices import AuditAction
from careops.core.uploads import check_upload_size, clean_file_name, max_upload_bytes
from careops.servicedesk import scoping
from careops.servicedesk.actions.tickets import _event, may_work
from careops.servicedesk.models import Attachment, EventKind, Ticket

CHUNK = 1 << 16


def max_bytes() -> int:
    return max_upload_bytes()


def clean_name(name: str) -> str:
    """The file's base name without directories or control characters (kept: CJK)."""
    return clean_file_name(name, "attachment")


def may_see(user: Any, attachment: Attachment) -> bool:
    if not scoping.can_view(user, attachment.ticket):
        return False
    return attachment.public or may_work(user, attachment.ticket)


def add(actor: Any, ticket: Ticket, *, upload: Any, public: bool = True,
        name: str | None = None, request: Any = None,
        now: dt.datetime | None = None) -> Attachment:
    """Store ``upload`` (a Django File / UploadedFile or bytes) on ``ticket``."""
    works = may_work(actor, ticket)
    if not works and not scoping.can_view(actor, ticket):
        raise PermissionDenied(_("You may not add files to this ticket."))
    if not public and not works:
        raise PermissionDenied(_("Only those working on the ticket may add internal files."))
    if isinstance(upload, bytes):
        upload = ContentFile(upload, name=name or "attachment")
    filename = clean_name(name or getattr(upload, "name", "") or "attachment")
    size = upload.size
    check_upload_size(size, "file")
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    content_type = (getattr(upload, "content_type", "") or
                    mimetypes.guess_type(filename)[0] or "application/octet-stream")
    now = now or timezone.now()
    with transaction.atomic():
        event = _event(ticket, actor, EventKind.ATTACHMENT, now, after=filename, public=public)
        attachment = Attachment(ticket=ticket, event=event, name=filename, size=size,
                                content_type=content_type[:100], sha256=digest.hexdigest(),
                                public=public, uploaded_by=actor, uploaded_at=now)
        attachment.file.save(filename, upload, save=False)
        try:
            attachment.save()
            audit.record(AuditAction.CREATE, actor=actor, request=request, obj=attachment,
                         detail={"ticket": ticket.number, "name": filename, "size": size,
                                 "sha256": attachment.sha256, "public": public})
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def record_download(actor: Any, attachment: Attachment, *, request: Any = None) -> None:
    if not may_see(actor, attachment):
        raise PermissionDenied
    audit.record(AuditAction.DOWNLOAD, actor=actor, request=request, obj=attachment,
                 detail={"ticket": attachment.ticket.number, "name": attachment.name})
