"""Documents kept with configuration items: upload, delete, audited downloads.

Files are stored under ``settings.MEDIA_ROOT`` and never served directly: the
download view checks access and calls :func:`record_download` first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from careops.cmdb.models import ConfigItem, Document
from careops.core import access, audit
from careops.core.choices import AuditAction


def _detail(document: Document) -> dict[str, Any]:
    return {"item": document.item_id, "file": document.file.name}


def add(actor: Any, item: ConfigItem, *, title: str, upload: Any,
        request: Any = None) -> Document:
    if not access.can_change(actor, item):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": item})
    with transaction.atomic():
        document = Document(item=item, title=title, uploaded_by=actor)
        document.file.save(upload.name, upload, save=False)
        try:
            document.full_clean()
            document.save()
            audit.record(AuditAction.CREATE, actor=actor, request=request, obj=document,
                         detail={**_detail(document), "size": upload.size})
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def remove(actor: Any, document: Document, *, request: Any = None) -> None:
    if not access.can_change(actor, document.item):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": document.item})
    with transaction.atomic():
        audit.record(AuditAction.DELETE, actor=actor, request=request, obj=document,
                     detail=_detail(document))
        name = document.file.name or ""
        storage = document.file.storage
        document.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def record_download(actor: Any, document: Document, *, request: Any = None) -> None:
    if not access.can_view(actor, document.item):
        raise PermissionDenied
    audit.record(AuditAction.DOWNLOAD, actor=actor, request=request, obj=document,
                 detail=_detail(document))
