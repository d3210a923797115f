"""Fixtures shared by every test.

Users are named after their part (healthchecks style):
alice = hospital administrator, bob = vendor engineer of alice's hospital,
charlie = an outsider (a department user with no systems), plus one account per
platform administrator role.

Tests that need a real server call ``require_service("postgres")`` etc.: outside
CI they skip with the reason when the server is absent; in CI (CI=true) they fail.

``CAREOPS_TEST_TODAY=2027-01-04`` (or a full ISO 8601 instant) runs the whole session with
Python's clock moved there (time-machine, ticking on), to find tests that would break when
the real date gets there. A date alone means 10:00 in Beijing. Tests marked ``real_clock``
compare Python's time with a clock outside the process (the database's triggers, a
VictoriaMetrics, an Alertmanager, a node_exporter): they are skipped then.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from collections.abc import Callable
from typing import Any

import pytest

from careops.core.choices import Role

PASSWORD = "Correct-Horse-42"  # noqa: S105 (the test users' password)
TODAY_VARIABLE = "CAREOPS_TEST_TODAY"
_TRAVEL = pytest.StashKey[dt.datetime]()


def travel_target(text: str) -> dt.datetime:
    """The instant ``CAREOPS_TEST_TODAY`` names: a date alone is 10:00 in Beijing."""
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(10),
                                       dt.timezone(dt.timedelta(hours=8)))
        target = dt.datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"{TODAY_VARIABLE}={text!r}: not an ISO 8601 date or "
                                "date and time") from None
    if target.tzinfo is None:
        raise pytest.UsageError(f"{TODAY_VARIABLE}={text!r}: give the UTC offset")
    return target


def pytest_configure(config: pytest.Config) -> None:
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if not text:
        return
    import time_machine  # a test dependency (pyproject's dev extra)

    target = travel_target(text)
    traveller = time_machine.travel(target, tick=True)
    traveller.start()  # for the whole session, in each xdist worker alike
    config.add_cleanup(traveller.stop)
    config.stash[_TRAVEL] = target


def pytest_report_header(config: pytest.Config) -> str | None:
    target = config.stash.get(_TRAVEL, None)
    return None if target is None else f"{TODAY_VARIABLE}: the clock starts at {target.isoformat()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.stash.get(_TRAVEL, None)
    if target is None:
        return
    skip = pytest.mark.skip(reason=f"compares with a clock {TODAY_VARIABLE} does not move")
    for item in items:
        if item.get_closest_marker("real_clock") or item.get_closest_marker("browser"):
            item.add_marker(skip)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


SERVICES: dict[str, Callable[[], bool]] = {
    "postgres": lambda: _port_open("127.0.0.1", 5432),
    "mariadb": lambda: _port_open("127.0.0.1", 3306),
    "redis": lambda: _port_open("127.0.0.1", 6379),
    "chromium": lambda: shutil.which("chromium") is not None,
    "node_exporter": lambda: shutil.which("prometheus-node-exporter") is not None,
    "sshd": lambda: shutil.which("sshd") is not None or os.path.exists("/usr/sbin/sshd"),
    "dovecot": lambda: os.path.exists("/usr/sbin/dovecot"),
    "victoriametrics": lambda: shutil.which("victoria-metrics") is not None,
    "prometheus": lambda: shutil.which("prometheus") is not None,
    "alertmanager": lambda: shutil.which("prometheus-alertmanager") is not None,
}


def require_service(name: str) -> None:
    if SERVICES[name]():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{name} is required in CI but is not available")
    pytest.skip(f"{name} is not available on this machine")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from careops.core.models import User

    def make(username: str, role: str = Role.DEPARTMENT_USER, **fields: Any) -> Any:
        user = User(username=username, role=role, **fields)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    return make_user("alice", Role.HOSPITAL_ADMIN, name="Alice 王")


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    return make_user("bob", Role.VENDOR_ENGINEER, name="Bob 李")


@pytest.fixture
def charlie(make_user: Callable[..., Any]) -> Any:
    return make_user("charlie", Role.DEPARTMENT_USER, name="Charlie 张")


@pytest.fixture
def sysadmin(make_user: Callable[..., Any]) -> Any:
    return make_user("sysadmin", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(make_user: Callable[..., Any]) -> Any:
    return make_user("secadmin", Role.SECURITY_ADMIN)


@pytest.fixture
def auditadmin(make_user: Callable[..., Any]) -> Any:
    return make_user("auditadmin", Role.AUDIT_ADMIN)


@pytest.fixture
def auditor(make_user: Callable[..., Any]) -> Any:
    return make_user("dora", Role.AUDITOR)


@pytest.fixture(autouse=True)
def _no_revealed_secrets_between_tests() -> Any:
    """Secrets revealed for reuse are kept per process: not from one test to the next."""
    yield
    from careops.core import secrets

    secrets.forget_revealed()


@pytest.fixture
def api(db: Any) -> Callable[[Any], Any]:
    """An API client for ``user`` that authenticates with his token, as scripts do."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client_for(user: Any) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def verified_client(client: Any) -> Callable[[Any], Any]:
    """A test client logged in as ``user`` with the second factor already passed."""

    def login(user: Any) -> Any:
        client.force_login(user)
        session = client.session
        # django-otp keeps the verified device in the session; tests that exercise the
        # real second factor go through the login views instead.
        from django_otp.plugins.otp_static.models import StaticDevice

        device, _ = StaticDevice.objects.get_or_create(user=user, name="test")
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture(autouse=True, scope="session")
def _audit_triggers_survive_flush() -> Any:
    """Transactional tests end with ``flush``, which the audit triggers would refuse
    (careops.core.dbtriggers): drop them for the flush and put them back after it."""
    from django.core.management.commands import flush

    from careops.core import dbtriggers

    original = flush.sql_flush

    def sql_flush(style: Any, connection: Any, *args: Any, **kwargs: Any) -> list[str]:
        statements = original(style, connection, *args, **kwargs)
        if not statements:
            return statements
        return [*dbtriggers.drop_statements(connection.vendor), *statements,
                *dbtriggers.create_statements(connection.vendor)]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


@pytest.fixture
def english(settings: Any) -> Any:
    """Run the test, and the requests it makes, in English (the default is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
