"""Documents of configuration items: upload, audited download, delete.

Files live under MEDIA_ROOT and are never served directly; the download view checks
that the user may see the item and writes a DOWNLOAD audit record first.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careops.cmdb.actions import documents as actions
from careops.cmdb.forms.items import DocumentForm
from careops.cmdb.models import Document
from careops.cmdb.views import common
from careops.cmdb.views.pages import _render_item
from careops.core import access


def _visible_document(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("item"), pk=pk)
    if not access.can_view(request.user, document.item):
        raise Http404
    return document


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    item = common.visible_item(request, pk)
    if not access.can_change(request.user, item):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = actions.add(request.user, item, title=form.cleaned_data["title"],
                                   upload=form.cleaned_data["file"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Document %(title)s uploaded.") % {
                "title": document.title})
            return redirect(item.get_absolute_url() + "#documents")
    return _render_item(request, item, document_form=form, status=400)


@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    common.require_view(request)
    document = _visible_document(request, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    actions.record_download(request.user, document, request=request)
    return FileResponse(handle, as_attachment=True,
                        filename=os.path.basename(document.file.name or ""))


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    document = _visible_document(request, pk)
    item = document.item
    title = document.title
    actions.remove(request.user, document, request=request)
    messages.success(request, _("Document %(title)s deleted.") % {"title": title})
    return redirect(item.get_absolute_url() + "#documents")
