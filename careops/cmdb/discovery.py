"""Discovery: read a host's OS, CPU, memory and disks from its node_exporter endpoint or
over SSH. Nothing is saved here: callers show :func:`careops.logic.discovery.diff` and
apply the fields the user picks with ``careops.cmdb.actions.discovery.apply_discovery``.

- node_exporter: HTTP GET of the host's monitoring endpoint with job "node" (or
  "windows" for windows_exporter), or an explicit URL; 5 s timeout; no proxy.
- SSH: the host's credential from the secret store (an unencrypted private key, or a
  password, with the secret's user name), to the first address (or the host name) on
  ``ssh_port``. Five read-only commands (``SSH_COMMANDS``), no root needed.

Host keys are trusted on first use: the key seen at the first successful SSH discovery
is pinned to the host (``SshHostKey``, audited). Later connections must present the
same key, checked during the key exchange — before any credential is sent; a different
key stops discovery with the stored and offered fingerprints. After a legitimate change
(reinstall), a user who may change the host forgets the pinned key and discovers again.

Errors are :class:`DiscoveryError` with a one-line reason that never contains the secret.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import socket
import urllib.error
import urllib.request
from collections.abc import Coroutine
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from careops.cmdb.choices import OsFamily
from careops.cmdb.models import Host, SshHostKey
from careops.core import access, logredact, secrets
from careops.core.models.secrets import SecretKind
from careops.logic import promtext
from careops.logic.discovery import (
    FIELDS,
    SSH_COMMANDS,
    Facts,
    FactsError,
    facts_from_metrics,
    facts_from_ssh,
)
from careops.logic.discovery import diff as logic_diff

HTTP_TIMEOUT = 5.0
SSH_CONNECT_TIMEOUT = 5.0
SSH_COMMAND_TIMEOUT = 15.0
MAX_METRICS_BYTES = 16 * 1024 * 1024
EXPORTER_JOBS = ("node", "windows")

T = TypeVar("T")


class DiscoveryError(Exception):
    """Discovery failed; ``str()`` is a one-line reason fit for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(logredact.redact(" ".join(str(message).split())))


# --- node_exporter ----------------------------------------------------------------


def _endpoint_host(target: str) -> str:
    host = target.rsplit(":", 1)[0] if target.count(":") == 1 or target.startswith("[") \
        else target
    return host.strip("[]").lower()


def exporter_url(host: Host) -> str:
    """The metrics URL of the host's node (or windows) exporter endpoint.

    The endpoint must be on the host itself (one of its addresses or its host name):
    discovery must not become a way to make the server fetch other intranet addresses.
    """
    own = {str(a).lower() for a in host.addresses or []} | {host.hostname.lower()}
    for job in EXPORTER_JOBS:
        for endpoint in host.monitoring_endpoints or []:
            if isinstance(endpoint, dict) and endpoint.get("job") == job:
                if _endpoint_host(str(endpoint["target"])) not in own:
                    raise DiscoveryError(
                        _("The %(job)s endpoint %(target)s is not on %(host)s (its addresses "
                          "or host name).") % {"job": job, "target": endpoint["target"],
                                               "host": host.code})
                path = str(endpoint.get("path") or "/metrics")
                return f"http://{endpoint['target']}/{path.lstrip('/')}"
    raise DiscoveryError(_("%(host)s has no monitoring endpoint with job \"node\"; add one "
                           "(e.g. %(example)s) or use SSH.")
                         % {"host": host.code, "example": "10.1.2.3:9100"})


def fetch_metrics(url: str, *, timeout: float = HTTP_TIMEOUT) -> str:
    if not url.startswith(("http://", "https://")):
        raise DiscoveryError(_("%(url)s is not an http:// or https:// URL.") % {"url": url})
    request = urllib.request.Request(url, headers={  # noqa: S310 (scheme checked above)
        "Accept": "text/plain;version=0.0.4;q=1,*/*;q=0.1",
        "User-Agent": "CareOps-discovery"})
    # Exporters sit on the hospital network: never through an HTTP proxy, and never on to
    # wherever a redirect points.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_METRICS_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise DiscoveryError(_("%(url)s answered HTTP %(code)s %(reason)s.")
                             % {"url": url, "code": exc.code, "reason": exc.reason}) from None
    except urllib.error.URLError as exc:
        raise DiscoveryError(_network_reason(exc.reason, url, timeout)) from None
    except (TimeoutError, OSError) as exc:
        raise DiscoveryError(_network_reason(exc, url, timeout)) from None
    if len(body) > MAX_METRICS_BYTES:
        raise DiscoveryError(_("The answer of %(url)s is larger than %(size)s MiB.")
                             % {"url": url, "size": MAX_METRICS_BYTES // (1024 * 1024)})
    return body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx code


def _network_reason(reason: Any, where: str, timeout: float) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return _("Connection refused by %(where)s.") % {"where": where}
    if isinstance(reason, TimeoutError | socket.timeout):
        return _("No answer from %(where)s within %(seconds)s s.") % {
            "where": where, "seconds": f"{timeout:g}"}
    if isinstance(reason, socket.gaierror):
        return _("Cannot resolve the address of %(where)s.") % {"where": where}
    text = str(getattr(reason, "strerror", None) or reason)
    return _("Cannot connect to %(where)s: %(reason)s.") % {"where": where, "reason": text}


def discover_node_exporter(host: Host, *, url: str | None = None,
                           timeout: float = HTTP_TIMEOUT) -> Facts:
    url = url or exporter_url(host)
    text = fetch_metrics(url, timeout=timeout)
    try:
        samples = list(promtext.samples(text))
        return facts_from_metrics(samples, source=url)
    except promtext.ParseError as exc:
        # The line number and the reason only: the answer's own text is not echoed.
        raise DiscoveryError(_("%(url)s did not return Prometheus metrics (line %(line)s: "
                               "%(reason)s).")
                             % {"url": url, "line": exc.line_number, "reason": exc.reason}
                             ) from None
    except FactsError as exc:
        raise DiscoveryError(f"{url}: {exc}") from None


# --- SSH --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SshTarget:
    address: str
    port: int
    username: str
    password: str | None = None
    private_key: str | None = None
    pinned_key: str | None = None  # the OpenSSH public key line pinned to the host

    @property
    def where(self) -> str:
        return f"{self.address}:{self.port}"

    def __repr__(self) -> str:  # never show the credential
        return f"SshTarget({self.username}@{self.where})"


@dataclasses.dataclass(frozen=True)
class SshResult:
    outputs: dict[str, str]
    warnings: list[str]
    host_key: str  # the OpenSSH public key line the server presented
    algorithm: str
    fingerprint: str


class HostKeyChanged(DiscoveryError):
    pass


def ssh_address(host: Host) -> str:
    return str(host.addresses[0]).strip() if host.addresses else host.hostname


def ssh_target(host: Host, *, actor: Any = None) -> SshTarget:
    """Where and as whom to log in; reveals the credential (an audited use)."""
    secret = host.credential
    if secret is None:
        raise DiscoveryError(_("%(host)s has no credential; choose one from the secret store "
                               "on the host's form.") % {"host": host.code})
    if secret.kind not in (SecretKind.SSH_KEY, SecretKind.PASSWORD):
        raise DiscoveryError(_("The credential %(name)s is not an SSH private key or a "
                               "password.") % {"name": secret.name})
    if not secret.username:
        raise DiscoveryError(_("The credential %(name)s has no user name to log in with.")
                             % {"name": secret.name})
    address = ssh_address(host)
    if not address:
        raise DiscoveryError(_("%(host)s has no address or host name.") % {"host": host.code})
    try:
        value = secrets.reveal(secret, purpose="discovery", actor=actor)
    except secrets.SecretUnreadable:
        raise DiscoveryError(_("The credential %(name)s cannot be decrypted with the "
                               "configured key.") % {"name": secret.name}) from None
    pinned = SshHostKey.objects.filter(host=host).values_list("public_key", flat=True).first()
    if secret.kind == SecretKind.SSH_KEY:
        return SshTarget(address, host.ssh_port, secret.username, private_key=value,
                         pinned_key=pinned)
    return SshTarget(address, host.ssh_port, secret.username, password=value,
                     pinned_key=pinned)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code, even inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _ssh_session(target: SshTarget) -> SshResult:
    import asyncssh

    pinned = asyncssh.import_public_key(target.pinned_key) if target.pinned_key else None

    class Client(asyncssh.SSHClient):
        offered: Any = None

        def validate_host_public_key(self, host: str, addr: str, port: int,
                                     key: Any) -> bool:
            Client.offered = key
            return pinned is None or key.public_data == pinned.public_data

    client_keys: list[Any] = []
    if target.private_key is not None:
        try:
            client_keys = [asyncssh.import_private_key(target.private_key)]
        except (asyncssh.KeyImportError, ValueError):
            raise DiscoveryError(_("The credential is not a readable private key (OpenSSH or "
                                   "PEM format, without passphrase).")) from None
    options: dict[str, Any] = {
        "port": target.port, "username": target.username, "password": target.password,
        "client_keys": client_keys, "agent_path": None, "config": None,
        "known_hosts": ([], [], []), "client_factory": Client,
        "connect_timeout": SSH_CONNECT_TIMEOUT, "preferred_auth": (
            "publickey" if target.private_key is not None else "password,keyboard-interactive"),
    }
    if pinned is not None:
        # Ask for the pinned key's type, so the server cannot offer another one instead.
        options["server_host_key_algs"] = [a.decode() for a in pinned.sig_algorithms]
    where = target.where
    try:
        async with asyncssh.connect(target.address, **options) as conn:
            jobs = [conn.run(command, check=False, timeout=SSH_COMMAND_TIMEOUT)
                    for command in SSH_COMMANDS.values()]
            results = await asyncio.gather(*jobs, return_exceptions=True)
            key = conn.get_server_host_key()
    except asyncssh.HostKeyNotVerifiable:
        raise _changed_key(target, Client.offered) from None
    except asyncssh.KeyExchangeFailed as exc:
        if pinned is not None:
            raise _changed_key(target, None) from None
        raise DiscoveryError(_("Key exchange with %(where)s failed: %(reason)s")
                             % {"where": where, "reason": exc.reason}) from None
    except asyncssh.PermissionDenied:
        raise DiscoveryError(_("Authentication failed for %(user)s at %(where)s: the server "
                               "refused the credential.")
                             % {"user": target.username, "where": where}) from None
    except asyncssh.DisconnectError as exc:
        raise DiscoveryError(_("%(where)s closed the SSH connection: %(reason)s")
                             % {"where": where, "reason": exc.reason}) from None
    except TimeoutError:
        raise DiscoveryError(_network_reason(TimeoutError(), where,
                                             SSH_CONNECT_TIMEOUT)) from None
    except OSError as exc:
        raise DiscoveryError(_network_reason(exc, where, SSH_CONNECT_TIMEOUT)) from None
    except asyncssh.Error as exc:
        raise DiscoveryError(_("SSH error with %(where)s: %(reason)s")
                             % {"where": where, "reason": exc.reason}) from None
    outputs: dict[str, str] = {}
    warnings: list[str] = []
    for (name, command), result in zip(SSH_COMMANDS.items(), results, strict=True):
        if isinstance(result, BaseException):
            warnings.append(_("%(command)s did not finish: %(reason)s")
                            % {"command": command, "reason": result})
            continue
        stdout = str(result.stdout or "")
        if result.exit_status not in (0, None) and not stdout.strip():
            stderr = str(result.stderr or "").strip().splitlines()
            warnings.append(_("%(command)s failed: %(reason)s") % {
                "command": command, "reason": stderr[0] if stderr else result.exit_status})
            continue
        outputs[name] = stdout
    if key is None:  # GSS key exchange: no host key to pin
        raise DiscoveryError(_("%(where)s presented no host key to check.") % {"where": where})
    return SshResult(outputs, warnings, key.export_public_key("openssh").decode().strip(),
                     key.get_algorithm(), key.get_fingerprint("sha256"))


def _changed_key(target: SshTarget, offered: Any) -> HostKeyChanged:
    import asyncssh

    stored = asyncssh.import_public_key(target.pinned_key or "")
    seen = offered.get_fingerprint("sha256") if offered is not None else _("another key type")
    return HostKeyChanged(_(
        "The SSH host key of %(where)s has changed: pinned %(stored)s, offered %(offered)s. "
        "Nothing was sent. If the host was reinstalled, check the new key and forget the "
        "pinned one; otherwise someone may be intercepting the connection.") % {
        "where": target.where, "stored": stored.get_fingerprint("sha256"), "offered": seen})


def discover_ssh(host: Host, *, actor: Any = None) -> Facts:
    from careops.cmdb.actions.discovery import pin_host_key

    target = ssh_target(host, actor=actor)
    result = _run(_ssh_session(target))
    source = f"{target.username}@{target.where}"
    if target.pinned_key is None:
        pin_host_key(actor, host, public_key=result.host_key, algorithm=result.algorithm,
                     fingerprint=result.fingerprint, address=target.where)
    try:
        facts = facts_from_ssh(result.outputs, source=source)
    except FactsError as exc:
        raise DiscoveryError(f"{source}: {exc}") from None
    if result.warnings:
        facts = dataclasses.replace(facts, warnings=(*result.warnings, *facts.warnings))
    return facts


# --- Entry point ------------------------------------------------------------------


def discover(host: Host, method: str = "node_exporter", *, url: str | None = None,
             actor: Any = None) -> Facts:
    """The facts of ``host`` by ``method`` ("node_exporter" or "ssh"). ``actor`` (None for
    the command line) must be allowed to change the host."""
    if actor is not None and not access.can_change(actor, host):
        raise PermissionDenied(_("You may not change %(item)s.") % {"item": host})
    if method == "node_exporter":
        return discover_node_exporter(host, url=url)
    if method == "ssh":
        return discover_ssh(host, actor=actor)
    raise DiscoveryError(_("Unknown discovery method %(method)s; use node_exporter or ssh.")
                         % {"method": method})


# --- Showing the differences ------------------------------------------------------


def display_value(name: str, value: Any) -> str:
    """A field's value as people read it (the OS family's label, disk sizes …)."""
    if value is None or value == "" or value == []:
        return "—"
    if name == "os_family":
        return str(OsFamily(value).label) if value in OsFamily.values else str(value)
    if name == "memory_mb":
        return _("%(mib)s MiB (%(gib)s GiB)") % {"mib": value, "gib": f"{value / 1024:.1f}"}
    if name == "disks" and isinstance(value, list):
        parts = []
        for disk in value:
            if not isinstance(disk, dict):
                continue
            extra = ", ".join(str(disk[k]) for k in ("fstype", "device") if disk.get(k))
            size = f"{disk.get('mount')} {disk.get('size_gb')} GB"
            parts.append(f"{size} ({extra})" if extra else size)
        return "; ".join(parts) or "—"
    return str(value)


def diff_rows(host: Host, facts: Facts) -> list[dict[str, Any]]:
    """One row per discovered field: label, stored and found values, whether they differ."""
    current = {name: getattr(host, name) for name in FIELDS}
    rows = []
    for row in logic_diff(current, facts):
        rows.append({
            "field": row.field,
            "label": str(getattr(Host._meta.get_field(row.field), "verbose_name", row.field)),
            "current": row.current,
            "discovered": row.discovered,
            "changed": row.changed,
            "current_display": display_value(row.field, row.current),
            "discovered_display": display_value(row.field, row.discovered),
        })
    return rows
