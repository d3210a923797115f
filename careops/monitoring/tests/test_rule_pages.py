"""Pages of alert rules: /monitoring/rules/ and the edit form with its preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careops.monitoring import evaluate
from careops.monitoring.actions import rules as actions
from careops.monitoring.models import Rule
from careops.monitoring.storage.memory import MemoryStore

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FORM = {"name": "Disk almost full", "code": "disk-almost-full", "kind": "threshold",
        "expr": "disk_used_percent", "operator": ">", "threshold": "95", "for_s": "0",
        "interval_s": "60", "params": "", "severity": "critical", "item_kind": "",
        "item": "", "summary": "{item}: {value}%", "enabled": "on"}


def test_it_lists_rules_with_severity_colours(verified_client: Any, alice: Any) -> None:
    actions.load_default_rules()
    client = verified_client(alice)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/monitoring/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="rule-host-down"' in html and "bg-red-lt" in html
    assert len(ctx) < 15
    only = client.get("/monitoring/rules/", {"severity": "critical"}).content.decode()
    assert 'data-testid="rule-host-down"' in only and 'data-testid="rule-cpu-high"' not in only


def test_it_shows_the_list_to_readers_without_edit_links(verified_client: Any,
                                                        charlie: Any) -> None:
    client = verified_client(charlie)
    assert client.get("/monitoring/rules/").status_code == 200
    assert b"rule-create" not in client.get("/monitoring/rules/").content
    assert client.get("/monitoring/rules/new/").status_code == 403


def test_it_creates_a_rule_from_the_form(verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    response = client.post("/monitoring/rules/new/", FORM)
    assert response.status_code == 302
    rule = Rule.objects.get(code="disk-almost-full")
    assert rule.threshold == 95 and rule.severity == "critical"
    edit = client.post(f"/monitoring/rules/{rule.pk}/", {**FORM, "threshold": "97"})
    assert edit.status_code == 302 and Rule.objects.get().threshold == 97
    client.post(f"/monitoring/rules/{rule.pk}/toggle/")
    assert not Rule.objects.get().enabled
    client.post(f"/monitoring/rules/{rule.pk}/delete/")
    assert not Rule.objects.exists()


def test_it_shows_an_expression_error_on_the_field(verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    response = client.post("/monitoring/rules/new/", {**FORM, "expr": "disk_used_percent >"})
    assert response.status_code == 400
    assert "Invalid expression at position 20" in response.content.decode()
    bad_params = client.post("/monitoring/rules/new/", {**FORM, "kind": "rate",
                                                         "params": "{\"window\": 1}"})
    assert "window is not a parameter" in bad_params.content.decode()
    assert not Rule.objects.exists()


def test_it_previews_the_form_with_htmx(verified_client: Any, alice: Any,
                                        monkeypatch: Any) -> None:
    store = MemoryStore()
    now_ms = int(timezone.now().timestamp() * 1000)
    start = now_ms - now_ms % 60_000 - 3 * 86_400_000
    values = [90.0] * 60 + [99.0] * 30 + [90.0] * 60
    store.add({"__name__": "disk_used_percent", "careops_item": "SRV-HIS",
               "mountpoint": "/data"}, [(start + i * 60_000, v) for i, v in enumerate(values)])
    monkeypatch.setattr(evaluate, "get_default_store", lambda: store)
    client = verified_client(alice)
    response = client.post("/monitoring/rules/preview/", FORM, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 firing interval in the last 7 days." in html
    assert "careops_item=SRV-HIS, mountpoint=/data" in html and "rule-preview-data" in html
    assert "<td>99</td>" in html
    broken = client.post("/monitoring/rules/preview/", {**FORM, "expr": "rate(x)"})
    assert "rule-preview-errors" in broken.content.decode()
    assert "position 6" in broken.content.decode()
    assert not Rule.objects.exists()


def _parse_error(text: str) -> Any:
    from careops.logic import promql

    try:
        promql.parse(text)
    except promql.ExprError as exc:
        return exc
    raise AssertionError(text)


def test_it_translates_the_parsers_message_with_its_phrases() -> None:
    from django.utils import translation

    for text in ("100 * up /", "rate(up)", "up{job=}", "sum(up, 1)", "rate(up[5m]"):
        exc = _parse_error(text)
        assert (exc.template % exc.params if exc.params else exc.template) == exc.reason
        assert exc.reason in actions.expr_error_message(exc)  # English: as it was
    exc = _parse_error("rate(up)")
    with translation.override("zh-hans"):
        message = actions.expr_error_message(exc)
    # neither the reason nor its phrase ("an instant vector") stays English
    assert exc.reason not in message and "instant vector" not in message, message
