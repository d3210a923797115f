"""Every page of the core app renders for the roles that may see it, refuses the others,
has a title, and speaks Chinese throughout the shell by default."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from careops.core import audit
from careops.core.choices import Role

# The roles of the test users, by name.
USERS = {
    "alice": Role.HOSPITAL_ADMIN,
    "ian": Role.IT_ENGINEER,
    "bob": Role.VENDOR_ENGINEER,
    "charlie": Role.DEPARTMENT_USER,
    "dora": Role.AUDITOR,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
    "auditadmin": Role.AUDIT_ADMIN,
}
EVERYONE = frozenset(USERS)
CALENDAR_KEEPERS = frozenset({"alice", "sysadmin"})
ACCOUNT_KEEPERS = frozenset({"sysadmin", "secadmin"})
AUDIT_READERS = frozenset({"dora", "auditadmin"})

# (url name, arguments, who gets the page; everyone else gets 403)
PAGES: list[tuple[str, tuple[Any, ...], frozenset[str]]] = [
    ("core:home", (), EVERYONE),
    ("core:profile", (), EVERYONE),
    ("core:password_change", (), EVERYONE),
    ("core:two_factor_setup", (), EVERYONE),
    ("core:calendar_list", (), EVERYONE),
    ("core:calendar_detail", ("cn-5x8",), EVERYONE),
    ("core:calendar_create", (), CALENDAR_KEEPERS),
    ("core:calendar_edit", ("cn-5x8",), CALENDAR_KEEPERS),
    ("core:holiday_list", (), EVERYONE),
    ("core:holiday_year", (2027,), EVERYONE),
    ("core:channel_list", (), CALENDAR_KEEPERS),
    ("core:channel_create", (), CALENDAR_KEEPERS),
    ("core:channel_detail", ("channel",), CALENDAR_KEEPERS),
    ("core:channel_edit", ("channel",), CALENDAR_KEEPERS),
    ("core:user_list", (), ACCOUNT_KEEPERS),
    ("core:user_create", (), frozenset({"sysadmin"})),
    ("core:user_detail", ("charlie",), ACCOUNT_KEEPERS),
    ("core:role_list", (), ACCOUNT_KEEPERS | AUDIT_READERS),
    ("core:lockout_list", (), frozenset({"secadmin"})),
    ("core:security_user", ("charlie",), frozenset({"secadmin"})),
    ("core:secret_list", (), frozenset({"secadmin"})),
    ("core:secret_create", (), frozenset({"secadmin"})),
    ("core:secret_replace", ("secret",), frozenset({"secadmin"})),
    ("core:audit_list", (), AUDIT_READERS),
    ("core:audit_detail", ("record",), AUDIT_READERS),
]

# Labels of the shell and of common pages, in Chinese; their English text must not show.
SHELL_ZH = {"首页": "Home", "退出登录": "Log out", "我的账号": "My account",
            "修改密码": "Change password"}
TITLE = re.compile(r"<title>\s*(.+?)\s*·", re.S)


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    from careops.core import secrets
    from careops.core.actions import calendars as calendar_actions
    from careops.core.actions import notifications as channel_actions
    from careops.logic.holidays import DayKind, HolidayEntry

    users = {name: make_user(name, role) for name, role in USERS.items()}
    channel = channel_actions.create_channel(
        users["sysadmin"], name="信息科值班群", kind="wecom",
        values={"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    calendar_actions.save_holiday_year(
        2027, [HolidayEntry(dt.date(2027, 2, 8), DayKind.HOLIDAY, "春节")],
        actor=users["sysadmin"])
    secret = secrets.set_secret("his-db", "s3cret", actor=users["secadmin"])
    record = audit.record("export", actor=users["dora"], object_type="test")
    return {**users, "channel": channel, "secret": secret, "record": record}


def _url(world: dict[str, Any], name: str, args: tuple[Any, ...]) -> str:
    return reverse(name, args=[getattr(world.get(a), "pk", a) if isinstance(a, str) else a
                               for a in args])


@pytest.mark.parametrize("username", sorted(USERS))
def test_it_shows_each_page_to_its_roles_in_chinese(verified_client: Any, world: dict[str, Any],
                                                   username: str) -> None:
    client = verified_client(world[username])
    for name, args, allowed in PAGES:
        url = _url(world, name, args)
        response = client.get(url)
        expected = 200 if username in allowed else 403
        assert response.status_code == expected, (username, url, response.status_code)
        page = response.content.decode()
        title = TITLE.search(page)
        assert title and title.group(1).strip(), (username, url, "no <title>")
        for chinese, english in SHELL_ZH.items():
            assert chinese in page, (username, url, chinese)
            assert f">{english}<" not in page, (username, url, english)


def test_it_marks_the_current_section_in_the_menu(verified_client: Any,
                                                   world: dict[str, Any]) -> None:
    page = verified_client(world["sysadmin"]).get(
        reverse("core:calendar_detail", args=["cn-5x8"])).content.decode()
    active = re.findall(r'<li class="nav-item active">\s*<a class="nav-link" href="([^"]+)"', page)
    assert active == [reverse("core:calendar_list")]
    assert 'class="breadcrumb"' in page


def test_it_links_a_favicon_and_no_inline_script_or_style(verified_client: Any,
                                                          world: dict[str, Any]) -> None:
    from django.test import Client

    client = verified_client(world["alice"])
    pages = [client.get(url) for url in ("/", reverse("core:calendar_detail", args=["cn-5x8"]))]
    pages.append(Client().get(reverse("core:login")))
    for response in pages:
        url = response.request["PATH_INFO"]
        assert response.status_code == 200, url
        page = response.content.decode()
        assert 'rel="icon"' in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page and " onclick=" not in page, url


def test_it_speaks_english_on_request(verified_client: Any, world: dict[str, Any],
                                      english: Any) -> None:
    page = verified_client(world["alice"]).get("/").content.decode()
    assert "Log out" in page and "退出登录" not in page


def test_it_shows_a_branded_403_with_a_way_back(verified_client: Any,
                                                world: dict[str, Any]) -> None:
    response = verified_client(world["bob"]).get(reverse("core:audit_list"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>" in page and reverse("core:home") in page and "退出登录" in page
