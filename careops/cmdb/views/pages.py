"""The generic CMDB pages: list, detail, create, edit and delete for every class.

Thin: what each class shows comes from ``careops.cmdb.views.registry``; changes go
through ``careops.cmdb.actions``; who may see what through ``careops.core.access``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import ProtectedError, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careops.cmdb.actions import items as item_actions
from careops.cmdb.actions import relations as relation_actions
from careops.cmdb.filtersets import FILTERSETS
from careops.cmdb.forms.fields import style
from careops.cmdb.forms.items import DocumentForm, RelationForm
from careops.cmdb.graph import impact_of
from careops.cmdb.models import BusinessSystem, ConfigItem, Department, Interface, Relation
from careops.cmdb.views import common, display
from careops.cmdb.views.registry import BY_SLUG, Entry
from careops.core import access, audit
from careops.core.models import AuditRecord
from careops.core.roles import Cap, has_cap

PAGE_SIZE = 50
HISTORY_SIZE = 50


def _entry(kind: str, *, item: bool) -> Entry:
    entry = BY_SLUG.get(kind)
    if entry is None or entry.is_item != item:
        raise Http404
    return entry


# --- lists -----------------------------------------------------------------------------------


def _filterset(request: HttpRequest, entry: Entry, queryset: models.QuerySet[Any]) -> Any:
    filterset = FILTERSETS[entry.model](request.GET or None, queryset=queryset, request=request)
    form = filterset.form
    rv = common.records_visible(request)
    for name in list(form.fields):
        field = form.fields[name]
        model = getattr(getattr(field, "queryset", None), "model", None)
        if model is not None and issubclass(model, ConfigItem):
            field.queryset = access.scope(request.user, field.queryset)
        elif model is not None and not rv:
            # Users limited to some systems do not get the hospital's lists of names.
            del form.fields[name]
            continue
        if isinstance(field.widget, forms.SelectMultiple):
            if model is None:
                # Few fixed choices (status): checkboxes in one line, not a tall box.
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            else:
                field.widget.attrs["size"] = "3"
    style(form)
    return filterset


def _list(request: HttpRequest, entry: Entry, queryset: models.QuerySet[Any]) -> HttpResponse:
    filterset = _filterset(request, entry, queryset)
    qs = filterset.qs if filterset.is_bound and filterset.form.is_valid() else queryset
    sort = request.GET.get("sort", "")
    sort_fields = entry.sort_fields()
    if sort.lstrip("-") in sort_fields:
        qs = qs.order_by(sort, "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rv = common.records_visible(request)
    rows = [(obj, [display.cell(obj, c, rv) for c in entry.columns]) for obj in page]
    headers = []
    for column in entry.columns:
        direction = ""
        if column.sort and sort.lstrip("-") == column.sort:
            direction = "desc" if sort.startswith("-") else "asc"
        next_sort = f"-{column.sort}" if direction == "asc" else column.sort
        headers.append({"column": column, "direction": direction, "next_sort": next_sort})
    can_create = has_cap(request.user, Cap.MANAGE_ITEMS)
    create_url = None
    if can_create:
        create_url = reverse("cmdb:item_create" if entry.is_item else "cmdb:record_create",
                             args=[entry.slug])
    search_field = filterset.form["q"] if "q" in filterset.form.fields else None
    other_fields = [f for f in filterset.form if f.name != "q"]
    return render(request, "cmdb/list.html", {
        "entry": entry, "filter": filterset, "search_field": search_field,
        "filter_fields": other_fields, "page_obj": page, "rows": rows, "headers": headers,
        "create_url": create_url, "filtered": filterset.is_bound,
    })


@login_required
def item_list(request: HttpRequest, kind: str) -> HttpResponse:
    common.require_view(request)
    entry = _entry(kind, item=True)
    return _list(request, entry, access.scope(request.user, entry.queryset()))


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    common.require_records(request)
    entry = _entry(kind, item=False)
    return _list(request, entry, entry.queryset())


# --- create and edit -------------------------------------------------------------------------


def _form_page(request: HttpRequest, entry: Entry, obj: models.Model | None,
               cancel_url: str) -> HttpResponse:
    # A new record may start from values in the address (?vendor=3 from a vendor's page).
    initial = {k: v for k, v in request.GET.items()} if obj is None else None
    form = entry.form(request.POST if request.method == "POST" else None, instance=obj,
                      initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.fields_and_m2m()
        try:
            if obj is None:
                saved = item_actions.create(request.user, entry.model, fields, m2m=m2m,
                                            request=request)
                messages.success(request, _("%(item)s created.") % {"item": saved})
            else:
                saved = item_actions.update(request.user, obj, fields, m2m=m2m,
                                            request=request)
                messages.success(request, _("%(item)s saved.") % {"item": saved})
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect(display.url_for(saved) or cancel_url)
    status = 400 if form.errors else 200
    return render(request, "cmdb/form.html", {
        "entry": entry, "form": form, "obj": obj, "cancel_url": cancel_url}, status=status)


@login_required
def item_create(request: HttpRequest, kind: str) -> HttpResponse:
    common.require_view(request)
    common.require_manage(request)
    entry = _entry(kind, item=True)
    return _form_page(request, entry, None, reverse("cmdb:item_list", args=[entry.slug]))


@login_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    common.require_view(request)
    common.require_manage(request)
    entry = _entry(kind, item=False)
    return _form_page(request, entry, None, reverse("cmdb:record_list", args=[entry.slug]))


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    item = common.visible_item(request, pk)
    if not access.can_change(request.user, item):
        raise PermissionDenied
    entry = entry_of(item)
    return _form_page(request, entry, item, item.get_absolute_url())


@login_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    common.require_view(request)
    common.require_manage(request)
    entry = _entry(kind, item=False)
    obj = get_object_or_404(entry.model, pk=pk)
    return _form_page(request, entry, obj, display.url_for(obj) or "")


def entry_of(obj: models.Model) -> Entry:
    from careops.cmdb.views.registry import BY_MODEL

    return BY_MODEL[type(obj)]


# --- delete ----------------------------------------------------------------------------------


def _delete_page(request: HttpRequest, entry: Entry, obj: models.Model, done_url: str,
                 cancel_url: str) -> HttpResponse:
    error = ""
    if request.method == "POST":
        cascade = request.POST.get("cascade") == "yes"
        label = str(obj)
        try:
            item_actions.delete(request.user, obj, cascade=cascade, request=request)
        except item_actions.ItemInUse:
            error = _("%(item)s is still in use. Review what depends on it below.") % {
                "item": label}
        except ProtectedError:
            error = _("%(item)s cannot be deleted while the records below refer to it; "
                      "change or delete them first.") % {"item": label}
        else:
            messages.success(request, _("%(item)s deleted.") % {"item": label})
            return redirect(done_url)
    dependents = item_actions.dependents_of(obj)
    # Plain records (a site's buildings …) are neither detached nor deleted by a cascade.
    blocking = [d for d in dependents if d.item is None and d.removed_with_cascade]
    rv = common.records_visible(request)
    rows = [{"label": d.label, "how": d.how, "removed": d.removed_with_cascade,
             "url": display.url_for(d.item, rv) if d.item is not None else None}
            for d in dependents]
    return render(request, "cmdb/delete.html", {
        "entry": entry, "obj": obj, "dependents": rows, "blocking": bool(blocking),
        "cancel_url": cancel_url, "error": error}, status=409 if error else 200)


@login_required
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    item = common.visible_item(request, pk)
    common.require_manage(request)
    entry = entry_of(item)
    return _delete_page(request, entry, item, reverse("cmdb:item_list", args=[entry.slug]),
                        item.get_absolute_url())


@login_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    common.require_view(request)
    common.require_manage(request)
    entry = _entry(kind, item=False)
    obj = get_object_or_404(entry.model, pk=pk)
    return _delete_page(request, entry, obj, reverse("cmdb:record_list", args=[entry.slug]),
                        display.url_for(obj) or "")


# --- detail ----------------------------------------------------------------------------------


def history(obj: models.Model, extra: Q | None = None) -> list[Any]:
    """The audit records of ``obj`` (newest first), with readable changes."""
    condition = Q(object_type=audit.object_label(obj), object_id=str(obj.pk))
    if extra is not None:
        condition |= extra
    records = AuditRecord.objects.filter(condition).order_by("-id")[:HISTORY_SIZE]
    return display.readable_changes(type(obj), records)


def _item_history(item: ConfigItem) -> list[Any]:
    # Relations are audited as "SOURCE type TARGET" (codes have no spaces) and
    # documents with their item's id in the detail.
    extra = (Q(object_type="cmdb.relation", object_repr__startswith=f"{item.code} ")
             | Q(object_type="cmdb.relation", object_repr__endswith=f" {item.code}")
             | Q(object_type="cmdb.document", detail_json__contains=f'"item":{item.pk},')
             | Q(object_type="cmdb.document", detail_json__contains=f'"item":{item.pk}}}'))
    return history(item, extra)


def _impact(request: HttpRequest, item: ConfigItem) -> dict[str, Any]:
    impact = impact_of(item)
    path_ids: set[int] = set()
    for system_id in impact.systems:
        path_ids.update(impact.path_to(system_id) if system_id != item.pk else [system_id])
    visible = set(access.scope(request.user, ConfigItem.objects.filter(
        pk__in=sorted(path_ids | set(impact.interfaces)))).values_list("pk", flat=True))
    systems_by_pk = BusinessSystem.objects.in_bulk(sorted(impact.systems))
    items_by_pk = ConfigItem.objects.only("pk", "code", "name", "kind").in_bulk(
        sorted(path_ids))
    systems: list[dict[str, Any]] = []
    hidden_systems = 0
    for pk in impact.systems:
        system = systems_by_pk.get(pk)
        if system is None or pk not in visible:
            hidden_systems += 1
            continue
        path = impact.path_to(pk) if pk != item.pk else [pk]
        systems.append({"system": system, "badge": display.criticality_badge(system.criticality),
                        "path": [items_by_pk[p] for p in path if p in items_by_pk]})
    systems.sort(key=lambda s: (s["system"].criticality, s["system"].code))
    interfaces = [i for i in Interface.objects.filter(
        pk__in=sorted(impact.interfaces & visible)).select_related(
            "source_system", "target_system")]
    departments = list(Department.objects.filter(pk__in=sorted(impact.departments)))
    return {
        "systems": systems, "hidden_systems": hidden_systems, "interfaces": interfaces,
        "hidden_interfaces": len(impact.interfaces - visible),
        "departments": departments, "worst": impact.worst_criticality,
        "worst_badge": display.criticality_badge(impact.worst_criticality),
        "patient_safety": impact.patient_safety, "affected": len(impact.items),
    }


def _relations(request: HttpRequest, item: ConfigItem) -> tuple[list[Any], list[Any]]:
    out_rows = list(Relation.objects.filter(source=item).select_related("target"))
    in_rows = list(Relation.objects.filter(target=item).select_related("source"))
    ends = {r.target_id for r in out_rows} | {r.source_id for r in in_rows}
    visible = set(access.scope(request.user, ConfigItem.objects.filter(
        pk__in=sorted(ends))).values_list("pk", flat=True))
    return ([r for r in out_rows if r.target_id in visible],
            [r for r in in_rows if r.source_id in visible])


def _render_item(request: HttpRequest, item: ConfigItem, *,
                 relation_form: RelationForm | None = None,
                 document_form: DocumentForm | None = None, status: int = 200) -> HttpResponse:
    can_change = access.can_change(request.user, item)
    if can_change:
        relation_form = relation_form or RelationForm(user=request.user, item=item)
        document_form = document_form or DocumentForm()
    relations_out, relations_in = _relations(request, item)
    rv = common.records_visible(request)
    return render(request, "cmdb/item_detail.html", {
        "entry": entry_of(item), "obj": item, "fields": display.field_rows(item, rv),
        "status_badge": display.status_badge(item.status),
        "relations_out": relations_out, "relations_in": relations_in,
        "impact": _impact(request, item), "history": _item_history(item),
        "history_type": audit.object_label(item),
        "documents": list(item.documents.select_related("uploaded_by")),
        "can_change": can_change, "can_manage": has_cap(request.user, Cap.MANAGE_ITEMS),
        "can_audit": has_cap(request.user, Cap.VIEW_AUDIT),
        "relation_form": relation_form, "document_form": document_form,
    }, status=status)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    return _render_item(request, common.visible_item(request, pk))


@login_required
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    common.require_records(request)
    entry = _entry(kind, item=False)
    obj = get_object_or_404(entry.queryset(), pk=pk)
    panels = []
    for panel in entry.panels:
        rows = getattr(obj, panel.accessor).all()
        if panel.order_by:
            rows = rows.order_by(*panel.order_by)
        panels.append({"panel": panel, "rows": list(rows)})
    return render(request, "cmdb/record_detail.html", {
        "entry": entry, "obj": obj,
        "fields": display.field_rows(obj, True, skip=[p.accessor for p in entry.panels]),
        "panels": panels, "history": history(obj), "history_type": audit.object_label(obj),
        "can_manage": has_cap(request.user, Cap.MANAGE_ITEMS),
        "can_audit": has_cap(request.user, Cap.VIEW_AUDIT),
    })


# --- relations -------------------------------------------------------------------------------


@login_required
@require_POST
def relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    item = common.visible_item(request, pk)
    if not access.can_change(request.user, item):
        raise PermissionDenied
    form = RelationForm(request.POST, user=request.user, item=item)
    if form.is_valid():
        other = form.cleaned_data["other"]
        source, target = (item, other) if form.cleaned_data["direction"] == "out" else (
            other, item)
        try:
            relation = relation_actions.add(request.user, source, form.cleaned_data["type"],
                                            target, note=form.cleaned_data["note"],
                                            request=request)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Relation added: %(relation)s.") % {
                "relation": f"{relation.source.code} {relation.get_type_display()} "
                            f"{relation.target.code}"})
            return redirect(item.get_absolute_url() + "#relations")
    return _render_item(request, item, relation_form=form, status=400)


@login_required
@require_POST
def relation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    common.require_view(request)
    relation = get_object_or_404(Relation.objects.select_related("source", "target"), pk=pk)
    if not access.can_view(request.user, relation.source) or not access.can_view(
            request.user, relation.target):
        raise Http404
    back = relation.target if request.POST.get("from") == str(relation.target_id) else \
        relation.source
    label = f"{relation.source.code} {relation.get_type_display()} {relation.target.code}"
    relation_actions.remove(request.user, relation, request=request)
    messages.success(request, _("Relation removed: %(relation)s.") % {"relation": label})
    return redirect(back.get_absolute_url() + "#relations")
