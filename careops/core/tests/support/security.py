"""Helpers for the login-security tests: a movable clock, TOTP codes, logging in."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone
from django_otp.oath import TOTP

from conftest import PASSWORD

_real_now = timezone.now
# Modules that imported ``now`` by name (django-axes) besides django.utils.timezone itself.
_NOW_TARGETS = ("django.utils.timezone.now", "axes.attempts.now", "axes.handlers.proxy.now")


@contextmanager
def travel(delta: dt.timedelta) -> Iterator[None]:
    """Run with the clock of Django and django-axes moved forward by ``delta``."""
    def shifted() -> dt.datetime:
        return _real_now() + delta

    with ExitStack() as stack:
        for target in _NOW_TARGETS:
            stack.enter_context(mock.patch(target, shifted))
        yield


def totp_code(device: Any, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(client: Any, username: str, password: str = PASSWORD,
                   **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def enrol(user: Any) -> Any:
    """Give ``user`` a confirmed authenticator (as the setup page would). Returns it."""
    from careops.core.actions import security as actions

    device = actions.start_two_factor(user)
    codes = actions.confirm_two_factor(user, device, totp_code(device))
    device.refresh_from_db()
    device.recovery_codes = codes
    # The enrolment used the current code; later logins in the test use fresh ones.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return device
