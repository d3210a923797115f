"""What the PostgreSQL and MySQL/MariaDB probes share: target and parameter parsing,
failure results, and keeping secrets out of reasons. No Django needed (messages are
translated when Django is configured)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import CheckSpec, CollectError, CollectResult

MAX_REASON = 300


def _(text: str) -> str:
    """gettext when Django's settings are configured, the text itself otherwise."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(text)
    except ImportError:  # pragma: no cover - Django is a dependency
        pass
    return text


def failed(reason: str) -> CollectError:
    return CollectError("failed", reason)


def timed_out(timeout_s: float) -> CollectError:
    return CollectError("timeout", _("No answer within %(seconds)s s.")
                        % {"seconds": f"{timeout_s:g}"})


def bad_target(reason: str) -> CollectError:
    return CollectError("failed", reason, field="target")


def host_port(target: str, default_port: int) -> tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port``; CollectError (about the target) if not."""
    text = target.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or (text[end + 1:] and not text[end + 1:].startswith(":")):
            raise bad_target(_("The target is not host:port."))
        host, port_text = text[1:end], text[end + 2:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise bad_target(_("The target has no valid port."))
        port = int(port_text)
    else:
        port = default_port
    if not host or host.startswith("-") or any(c.isspace() or c in "/?#@'\"=" for c in host):
        raise bad_target(_("The target is not a host name or address."))
    return host, port


def param_seconds(params: Mapping[str, Any], name: str, default: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool):
        value = math.nan
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise failed(_("Parameter %(name)s must be a number of seconds.") % {"name": name})
    return number


def param_name(params: Mapping[str, Any], name: str, default: str) -> str:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or len(value) > 63 or "\x00" in value:
        raise failed(_("Parameter %(name)s must be a name of at most 63 characters.")
                     % {"name": name})
    return value


def short(text: str, secret: str = "") -> str:
    line = " ".join(str(text).split())
    if secret:
        line = line.replace(secret, "***")
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def failure(up_metric: str, error: CollectError, spec: CheckSpec, started: float,
            secret: str = "") -> CollectResult:
    """The result of a probe that did not get its answer: ``<up> 0`` and the reason."""
    samples = [Sample(up_metric, {}, 0.0),
               Sample("careops_probe_duration_seconds", {},
                      round(time.monotonic() - started, 6))]
    return CollectResult(samples, error.status, short(error.reason, secret),
                         state=dict(spec.state))


def run_probe(up_metric: str, spec: CheckSpec,
              body: Callable[[CheckSpec, Budget], CollectResult]) -> CollectResult:
    """Run a database probe's ``body`` within the check's time; a CollectError becomes
    ``<up> 0`` with its reason (the password never in it)."""
    secret = spec.credential.password if spec.credential else ""
    started = time.monotonic()
    try:
        budget = Budget(spec.timeout_s)
    except CollectError as exc:
        return failure(up_metric, exc, spec, started)
    try:
        return body(spec, budget)
    except CollectError as exc:
        return failure(up_metric, exc, spec, budget.started, secret)


class Budget:
    """The check's time: what is left, in seconds, or the timeout error."""

    def __init__(self, timeout_s: float) -> None:
        if not (isinstance(timeout_s, int | float) and 0 < timeout_s <= 3600):
            raise failed(_("The timeout must be between 0 and 3600 seconds."))
        self.timeout_s = float(timeout_s)
        self.started = time.monotonic()

    def left(self) -> float:
        remaining = self.timeout_s - (time.monotonic() - self.started)
        if remaining <= 0:
            raise timed_out(self.timeout_s)
        return remaining
