"""What a collector is given and what it returns, and :func:`run`, the one way to run one.

A collector is a plain function ``collect(spec) -> CollectResult`` that runs ONE check
and returns samples. It does not touch the database: the scheduler resolves the
credential from the secret store, calls :func:`run` in its thread pool and stores the
samples. A collector may raise :class:`CollectError`; :func:`run` never raises.

A failed probe is still data: :func:`run` answers a failure with the samples a rule
can see (``probe_success 0``, ``up 0`` …, see ``failure_samples``) besides the status.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import translation
from django.utils.translation import gettext as _

from careops.logic.promtext import Sample
from careops.monitoring.choices import CheckStatus

logger = logging.getLogger("careops.monitoring.collect")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_ERROR_CHARS = 300
# How long run() waits past a check's timeout for the collector to notice it.
GRACE_S = 1.0

# Kinds whose samples follow blackbox_exporter (probe_success …) and those that follow a
# scrape (up …); the failure samples of each.
PROBE_KINDS = frozenset({"ping", "tcp", "http", "soap", "dns", "mllp"})
UP_METRIC = {"scrape": "up", "ssh": "up", "postgres": "pg_up", "mysql": "mysql_up"}


@dataclass(frozen=True)
class Credential:
    username: str
    password: str = ""
    private_key: str = ""  # OpenSSH/PEM text

    def __repr__(self) -> str:  # never show the secret in a log or a traceback
        return f"Credential(username={self.username!r}, password=***, private_key=***)"


@dataclass(frozen=True)
class CheckSpec:
    kind: str  # choices.CheckKind value
    target: str  # host:port, address or URL
    params: Mapping[str, Any] = field(default_factory=dict)  # kind-specific (docs)
    timeout_s: float = 10.0
    credential: Credential | None = None
    state: Mapping[str, Any] = field(default_factory=dict)  # what the last run left


@dataclass
class CollectResult:
    samples: list[Sample]  # timestamp_ms None = "now"
    status: str = CheckStatus.OK.value  # ok | failed | rejected | timeout
    error: str = ""  # short reason, never a secret, never the target's body
    state: dict[str, Any] = field(default_factory=dict)  # kept for the next run


class CollectError(Exception):
    """The check did not pass: ``status`` (failed, rejected, timeout) and a short reason.
    ``field`` is "target" when the check's target is what is wrong (see :func:`bad_target`),
    so saving a check can say which field to correct."""

    def __init__(self, status: str, reason: str, *, field: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = short(reason)
        self.field = field


def failed(reason: str) -> CollectError:
    return CollectError(CheckStatus.FAILED.value, reason)


def rejected(reason: str) -> CollectError:
    return CollectError(CheckStatus.REJECTED.value, reason)


def timed_out(reason: str) -> CollectError:
    return CollectError(CheckStatus.TIMEOUT.value, reason)


def bad_target(reason: str) -> CollectError:
    """The check's target cannot be parsed: failed, about the target field."""
    return CollectError(CheckStatus.FAILED.value, reason, field="target")


def short(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


_USERINFO_RE = re.compile(r"(?<=://)[^/@\s]*@")


def safe_target(target: str) -> str:
    """``target`` without a ``user:password@`` part, for logs and errors."""
    return _USERINFO_RE.sub("", target)


def shown_target(target: str) -> str:
    """A target as a reason may show it: short, and without anything before an ``@``
    (a ``user:password@`` never belongs in a target; the credential holds it)."""
    text = safe_target(target) if "://" in target else target.rsplit("@", 1)[-1]
    return short(text, 80)


# --- Limits and params ------------------------------------------------------------

def max_body_bytes() -> int:
    """CAREOPS_SCRAPE_MAX_BYTES: the largest body a scrape or HTTP probe reads."""
    from django.conf import settings

    if settings.configured:
        return int(getattr(settings, "CAREOPS_SCRAPE_MAX_BYTES", DEFAULT_MAX_BYTES))
    from careops.conf import env_int

    return env_int("CAREOPS_SCRAPE_MAX_BYTES", DEFAULT_MAX_BYTES, minimum=1024)


def param_int(params: Mapping[str, Any], name: str, default: int, *, minimum: int = 0,
              maximum: int | None = None) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise failed(_("Parameter %(name)s must be a whole number.") % {"name": name})
    try:
        number = int(value)
    except ValueError:
        raise failed(_("Parameter %(name)s must be a whole number.") % {"name": name}) from None
    if number < minimum or (maximum is not None and number > maximum):
        raise failed(_("Parameter %(name)s must be between %(low)s and %(high)s.") % {
            "name": name, "low": minimum, "high": maximum if maximum is not None else "∞"})
    return number


def param_bool(params: Mapping[str, Any], name: str, default: bool) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "0", "off", ""):
        return False
    raise failed(_("Parameter %(name)s must be true or false.") % {"name": name})


def param_str(params: Mapping[str, Any], name: str, default: str = "") -> str:
    value = params.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise failed(_("Parameter %(name)s must be text.") % {"name": name})
    return value


def param_str_list(params: Mapping[str, Any], name: str) -> list[str]:
    value = params.get(name) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise failed(_("Parameter %(name)s must be a list of texts.") % {"name": name})
    return list(value)


# --- Targets ----------------------------------------------------------------------

_HOST_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,252})\Z")


def valid_host(host: str) -> bool:
    """A host name or an IPv4/IPv6 address; nothing a command line could take for an
    option (``-…``) or a shell could interpret."""
    if not host or host.startswith("-"):
        return False
    if ":" in host:
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except (OSError, ValueError):  # ValueError: a NUL in it
            return False
        return True
    return _HOST_RE.match(host) is not None


def host_port(target: str, default_port: int | None) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or (with a default port) ``host``; CollectError (about
    the target) if not."""
    text = target.strip()
    shown = {"target": shown_target(text)}
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise bad_target(_("The target %(target)s is not host:port.") % shown)
        host, rest = text[1:end], text[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise bad_target(_("The target %(target)s is not host:port.") % shown)
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not port_text:
        if default_port is None:
            raise bad_target(_("The target %(target)s names no port.") % shown)
        port = default_port
    else:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise bad_target(_("The target %(target)s has no valid port.") % shown)
        port = int(port_text)
    if not valid_host(host):
        raise bad_target(_("The target %(target)s is not a host name or address.") % shown)
    return host, port


# --- Deadlines --------------------------------------------------------------------

class _Closeable(Protocol):
    def close(self) -> Any: ...


class Deadline:
    """The end of one check's time. Sockets and processes registered with :meth:`watch`
    are closed (or killed) when :meth:`expire` is called, so a read blocked on a peer that
    trickles bytes returns at once."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.started = time.monotonic()
        self.end = self.started + timeout_s
        self._watched: list[Callable[[], Any]] = []
        self._lock = threading.Lock()
        self.expired = False

    def remaining(self) -> float:
        """Seconds left; raises the timeout CollectError when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise timed_out(self.reason())
        return left

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def reason(self) -> str:
        return _("No answer within %(seconds)s s.") % {"seconds": f"{self.timeout_s:g}"}

    def watch(self, thing: Any) -> None:
        """Close ``thing`` (a socket, or anything with ``kill()``/``close()``) at expiry."""
        if isinstance(thing, socket.socket):
            def stop() -> None:
                try:
                    thing.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                thing.close()
        elif hasattr(thing, "kill"):
            stop = thing.kill
        else:
            stop = thing.close
        with self._lock:
            if self.expired:
                stop()
                raise timed_out(self.reason())
            self._watched.append(stop)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            watched, self._watched = self._watched, []
        for stop in watched:
            try:
                stop()
            except Exception:  # noqa: S110 - best effort: it is being abandoned
                pass

    def over(self) -> bool:
        return self.expired or time.monotonic() >= self.end


_local = threading.local()


def deadline_for(spec: CheckSpec) -> Deadline:
    """The deadline :func:`run` set for this thread's check, or a new one."""
    current = getattr(_local, "deadline", None)
    if isinstance(current, Deadline):
        return current
    return Deadline(spec.timeout_s)


# --- Running ----------------------------------------------------------------------

def failure_samples(kind: str, duration_s: float) -> list[Sample]:
    """What a failed check of ``kind`` still tells the rules and charts."""
    if kind in PROBE_KINDS:
        return [Sample("probe_success", {}, 0.0), Sample("probe_duration_seconds", {},
                                                         round(duration_s, 6))]
    up = UP_METRIC.get(kind)
    if up is None:
        return []
    samples = [Sample(up, {}, 0.0)]
    if up == "up":
        samples.append(Sample("scrape_duration_seconds", {}, round(duration_s, 6)))
    return samples


def _not_available() -> CollectResult:
    return CollectResult([], CheckStatus.FAILED.value, _("collector not available"))


def run(spec: CheckSpec) -> CollectResult:
    """Run the check ``spec`` with its collector. Never raises; returns within the
    check's timeout plus about a second, whatever the target does."""
    from careops.monitoring.collectors import get_collector

    try:
        collector = get_collector(spec.kind)
    except Exception:
        logger.exception("the %s collector cannot be loaded", spec.kind)
        collector = None
    if collector is None:
        return _not_available()
    if not (isinstance(spec.timeout_s, int | float) and 0 < spec.timeout_s <= 3600):
        return CollectResult(failure_samples(spec.kind, 0.0), CheckStatus.FAILED.value,
                             _("The timeout must be between 0 and 3600 seconds."))
    deadline = Deadline(float(spec.timeout_s))
    language = translation.get_language()
    box: list[CollectResult] = []

    def work() -> None:
        _local.deadline = deadline
        try:
            with translation.override(language):
                box.append(_call(collector, spec, deadline))
        finally:
            _local.deadline = None

    worker = threading.Thread(target=work, name=f"collect-{spec.kind}", daemon=True)
    worker.start()
    worker.join(spec.timeout_s + 0.05)
    if worker.is_alive():
        deadline.expire()  # close its sockets: the collector returns its own timeout
        worker.join(GRACE_S)
    if box:
        result = box[0]
    else:
        result = CollectResult(failure_samples(spec.kind, deadline.elapsed()),
                               CheckStatus.TIMEOUT.value, deadline.reason())
    if result.status != CheckStatus.OK.value:
        level = logging.INFO if result.status == CheckStatus.FAILED.value else logging.WARNING
        logger.log(level, "%s check of %s: %s: %s", spec.kind, safe_target(spec.target),
                   result.status, result.error)
    return result


def _call(collector: Callable[[CheckSpec], CollectResult], spec: CheckSpec,
          deadline: Deadline) -> CollectResult:
    try:
        result = collector(spec)
    except CollectError as exc:
        status = exc.status
        if deadline.expired and status == CheckStatus.FAILED.value:
            status = CheckStatus.TIMEOUT.value  # its socket was closed under it
            exc.reason = deadline.reason()
        return CollectResult(failure_samples(spec.kind, deadline.elapsed()), status,
                             exc.reason, state=dict(spec.state))
    except Exception as exc:
        if deadline.expired:
            return CollectResult(failure_samples(spec.kind, deadline.elapsed()),
                                 CheckStatus.TIMEOUT.value, deadline.reason(),
                                 state=dict(spec.state))
        logger.exception("%s collector crashed on %s", spec.kind, safe_target(spec.target))
        return CollectResult(failure_samples(spec.kind, deadline.elapsed()),
                             CheckStatus.FAILED.value,
                             _("Collector error: %(type)s") % {"type": type(exc).__name__},
                             state=dict(spec.state))
    result.error = short(result.error)
    return result
