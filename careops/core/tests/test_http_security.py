"""HTTP protections: CSP without inline script, clickjacking, cookies, CSRF, HTTPS settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from careops.core.tests.support.security import enrol, password_login

pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[3]
CAREOPS = ROOT / "careops"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)


def csp(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def problems(html: str) -> list[str]:
    found = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style attribute", STYLE_ATTRIBUTE),
                          ("event handler attribute", EVENT_ATTRIBUTE),
                          ("<style> block", STYLE_BLOCK)):
        found += [f"{name}: {m.group(0).strip()}" for m in pattern.finditer(html)]
    return found


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    templates = [p for p in CAREOPS.rglob("templates/**/*.html")]
    assert len(templates) >= 10
    offenders = {str(p.relative_to(ROOT)): problems(p.read_text(encoding="utf-8"))
                 for p in templates}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_catches_what_it_looks_for() -> None:
    assert problems('<script>alert(1)</script>')
    assert problems('<div style="color:red">')
    assert problems('<button onclick="x()">')
    assert not problems('<script src="/static/careops/app.js" defer></script>')
    assert not problems('<div data-confirm="Delete?" class="x">')


def test_every_page_sends_a_strict_content_security_policy(client: Client, db: Any) -> None:
    directives = csp(client.get("/login/"))
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in client.get("/login/")["Content-Security-Policy"]
    assert "unsafe-eval" not in client.get("/login/")["Content-Security-Policy"]


def test_it_forbids_framing_and_sniffing(client: Client, db: Any) -> None:
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_rendered_security_pages_pass_the_same_scan(
        verified_client: Any, charlie: Any, secadmin: Any) -> None:
    client = verified_client(charlie)
    pages = [client.get(p).content.decode() for p in
             ("/account/", "/account/password/", "/account/two-factor/")]
    admin = verified_client(secadmin)
    pages += [admin.get(p).content.decode() for p in
              ("/security/lockouts/", "/security/secrets/", "/security/secrets/new/",
               f"/security/users/{charlie.pk}/")]
    for html in pages:
        assert problems(html) == []
    assert "<svg" in pages[2]   # the QR code is inline SVG, allowed by the policy


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(charlie: Any) -> None:
    client = Client()
    page = client.get("/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = password_login(client, "charlie")
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["secure"]         # plain HTTP by default (CAREOPS_HTTPS=false)
    assert session["max-age"] == ""      # ends with the browser, idle limit on the server


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_cookies_are_secure_under_https(charlie: Any) -> None:
    client = Client()
    assert client.get("/login/").cookies["csrftoken"]["secure"]
    assert password_login(client, "charlie").cookies["sessionid"]["secure"]


def _settings_with(env_extra: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREOPS_", "DJANGO_"))}
    env.update({"CAREOPS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "careops.settings",
                "PYTHONPATH": str(ROOT), **env_extra})
    code = ("import json; from django.conf import settings as s; print(json.dumps({k: "
            "getattr(s, k, None) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
            "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'LANGUAGE_COOKIE_SECURE', "
            "'SESSION_COOKIE_AGE')}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def test_https_setting_makes_cookies_secure_and_turns_on_hsts(tmp_path: Path) -> None:
    plain = _settings_with({}, tmp_path)
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["SECURE_HSTS_SECONDS"]
    https = _settings_with({"CAREOPS_HTTPS": "true"}, tmp_path)
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["LANGUAGE_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] >= 31536000
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_idle_timeout_is_configurable(tmp_path: Path) -> None:
    assert _settings_with({}, tmp_path)["SESSION_COOKIE_AGE"] == 30 * 60
    assert _settings_with({"CAREOPS_SESSION_IDLE_MINUTES": "10"},
                          tmp_path)["SESSION_COOKIE_AGE"] == 600


@pytest.mark.parametrize("path", ["/login/", "/login/verify/"])
def test_login_forms_need_the_csrf_token(charlie: Any, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": "charlie", "password": "x", "code": "123456"})
    assert response.status_code == 403


def test_account_changes_need_the_csrf_token(charlie: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(charlie)
    for path in ("/account/password/", "/account/api-token/", "/account/two-factor/"):
        assert client.post(path, {}).status_code == 403, path


def test_the_verify_page_does_not_reveal_the_user_with_a_password_only(
        charlie: Any) -> None:
    enrol(charlie)
    client = Client()
    page = client.post("/login/", {"username": "charlie", "password": "Wrong-1234"},
                       follow=True)
    assert b"login/verify" not in page.content
