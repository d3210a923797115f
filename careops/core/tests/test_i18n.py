"""Chinese first, English on request; times shown in Asia/Shanghai, stored in UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone


def test_it_speaks_chinese_by_default(client: Any, db: Any) -> None:
    response = client.get("/login/")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_it_switches_to_english_and_back(verified_client: Any, alice: Any) -> None:
    client = verified_client(alice)
    assert "首页" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Home" in page and "首页" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "首页" in client.get("/").content.decode()


def test_it_stores_utc_and_shows_shanghai_time(db: Any) -> None:
    from django.db import connection

    from careops.core import audit

    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    rec = audit.record("export", username="alice", object_type="test")
    with connection.cursor() as cursor:
        cursor.execute("SELECT at FROM core_auditrecord WHERE id = %s", [rec.pk])
        raw = cursor.fetchone()[0]
    if isinstance(raw, str):  # SQLite keeps the text Django wrote: UTC, no offset
        raw = dt.datetime.fromisoformat(raw)
    stored = raw.replace(tzinfo=None) if raw.tzinfo is None else raw.astimezone(dt.UTC).replace(
        tzinfo=None)
    assert stored == rec.at.astimezone(dt.UTC).replace(tzinfo=None)
    local = timezone.localtime(rec.at)
    assert local.utcoffset() == dt.timedelta(hours=8)
    assert local.replace(tzinfo=None) - stored == dt.timedelta(hours=8)


def test_it_ignores_the_browser_language(client: Any, db: Any) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


def test_it_follows_the_configured_language(client: Any, db: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_error_pages_keep_the_shell_and_speak_chinese(verified_client: Any, make_user: Any,
                                                      client: Any, db: Any) -> None:
    from careops.core.choices import Role

    sysadmin = make_user("sam", Role.SYSTEM_ADMIN)
    page = verified_client(sysadmin).get("/audit/")
    assert page.status_code == 403
    html = page.content.decode()
    assert 'data-testid="error-403"' in html and "角色" in html
    assert 'data-testid="main-nav"' in html
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert 'data-testid="error-404"' in missing.content.decode()
    assert client.get("/favicon.ico")["Location"].endswith("careops/favicon.svg")
