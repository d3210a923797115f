"""``ssh``: agentless Linux collection over SSH (asyncssh), for servers where no agent
may be installed. One SSH session runs one POSIX sh script (careops.logic.sshcollect)
that needs no root; its output becomes node_exporter-named samples.

target  ``host:port`` (port 22 by default).
credential  required: user name and password, or a private key (OpenSSH/PEM, no
        passphrase), from the secret store.
params  ``known_host``: the pinned host key, one OpenSSH line ("ssh-ed25519 AAAA…", a
        known_hosts line is accepted too); required unless ``accept_unknown_host_key`` is
        true (then any key is accepted and the one offered is left in the result's state
        as ``host_key`` for pinning). ``logs``: log file paths to watch; ``pattern``: the
        extended regular expression of an error line (default "error|fatal|panic|fail",
        case-insensitive); ``log_max_bytes``: the most read of one file per run (1 MiB).

Samples: see careops.logic.sshcollect, plus ``up`` and ``scrape_duration_seconds``. Log
files are read from where the last run stopped (``state["logs"]``: inode and offset per
path); a new inode or a shorter file is a rotation and is read from its start; the first
run only notes the end. ``state["log_examples"]``: up to five new matching lines per file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from careops.logic import sshcollect
from careops.logic.promtext import Sample
from careops.monitoring.collectors.base import (
    CheckSpec,
    CollectError,
    CollectResult,
    Deadline,
    deadline_for,
    failed,
    host_port,
    param_bool,
    param_int,
    param_str,
    param_str_list,
    rejected,
    timed_out,
)

MAX_OUTPUT = 4 * 1024 * 1024
COMMAND = "env LC_ALL=C sh -s"  # the script comes on stdin: any login shell runs this
PARAMS = frozenset({"known_host", "accept_unknown_host_key", "logs", "pattern",
                    "log_max_bytes"})


@dataclass(frozen=True)
class SshOptions:
    host: str
    port: int
    pinned: Any  # the pinned host key (asyncssh.SSHKey), None when any key is accepted
    logs: tuple[str, ...]
    pattern: str
    log_bytes: int


def pinned_key(line: str) -> Any:
    """The public key of an OpenSSH line or a known_hosts line; CollectError if none."""
    import asyncssh

    text = line.strip()
    candidates = [text]
    if " " in text:
        candidates.append(text.split(None, 1)[1])  # "host ssh-ed25519 AAAA…"
    for candidate in candidates:
        try:
            return asyncssh.import_public_key(candidate)
        except (asyncssh.KeyImportError, ValueError):
            continue
    raise failed(_("Parameter known_host is not an OpenSSH public key line."))


def prepare(spec: CheckSpec) -> SshOptions:
    """The target and params of an SSH check, parsed; CollectError if wrong. No I/O; the
    credential is checked by collect()."""
    host, port = host_port(spec.target, 22)
    known = param_str(spec.params, "known_host")
    accept_any = param_bool(spec.params, "accept_unknown_host_key", False)
    if not known and not accept_any:
        raise failed(_("No pinned host key: set known_host (the CMDB pins it at the first "
                       "discovery) or accept_unknown_host_key. Nothing was sent."))
    pinned = pinned_key(known) if known else None
    logs = param_str_list(spec.params, "logs")
    if any(not path.startswith("/") or "\n" in path or "\x00" in path for path in logs):
        raise failed(_("Parameter logs must list absolute file paths."))
    pattern = param_str(spec.params, "pattern", sshcollect.DEFAULT_PATTERN)
    pattern = pattern or sshcollect.DEFAULT_PATTERN
    if "\n" in pattern or "\x00" in pattern:
        raise failed(_("Parameter pattern must be one line."))
    log_bytes = param_int(spec.params, "log_max_bytes", sshcollect.DEFAULT_LOG_BYTES,
                          minimum=1024, maximum=64 * 1024 * 1024)
    return SshOptions(host, port, pinned, tuple(logs), pattern, log_bytes)


def collect(spec: CheckSpec) -> CollectResult:
    deadline = deadline_for(spec)
    options = prepare(spec)
    credential = spec.credential
    if credential is None or not credential.username:
        raise failed(_("The SSH check has no credential with a user name."))
    if not credential.password and not credential.private_key:
        raise failed(_("The SSH credential has neither a password nor a private key."))
    host, port, pinned = options.host, options.port, options.pinned
    previous = spec.state.get("logs") if isinstance(spec.state, Mapping) else None
    requests = sshcollect.log_requests(options.logs,
                                       previous if isinstance(previous, Mapping) else None)
    script = sshcollect.build_script(requests, options.pattern, options.log_bytes)

    output, local_time, offered = _run(_session(host, port, spec, pinned, script, deadline),
                                       deadline)
    collected = sshcollect.collect(output, local_time=local_time, logs=requests)
    if not any(s.name.startswith("node_") for s in collected.samples):
        raise rejected(_("The host's answer has none of the expected sections (is it Linux "
                         "with /proc?)."))
    samples = [*collected.samples, Sample("up", {}, 1.0),
               Sample("scrape_duration_seconds", {}, round(deadline.elapsed(), 6))]
    state: dict[str, Any] = {"logs": sshcollect.log_state(collected.logs)}
    examples = {log.path: log.examples for log in collected.logs if log.examples}
    if examples:
        state["log_examples"] = examples
    if offered:
        state["host_key"] = offered
    return CollectResult(samples, state=state)


def _run(coroutine: Any, deadline: Deadline) -> tuple[str, float | None, str]:
    async def bounded() -> tuple[str, float | None, str]:
        try:
            return await asyncio.wait_for(coroutine, deadline.remaining())
        except TimeoutError:
            raise timed_out(deadline.reason()) from None

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(bounded())
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, bounded()).result()


async def _session(host: str, port: int, spec: CheckSpec, pinned: Any, script: str,
                   deadline: Deadline) -> tuple[str, float | None, str]:
    import asyncssh

    offered_keys: list[Any] = []

    class Client(asyncssh.SSHClient):
        def validate_host_public_key(self, host: str, addr: str, port: int,
                                     key: Any) -> bool:
            offered_keys.append(key)
            return pinned is None or bool(key.public_data == pinned.public_data)

    credential = spec.credential
    assert credential is not None
    client_keys: list[Any] = []
    if credential.private_key:
        try:
            client_keys = [asyncssh.import_private_key(credential.private_key)]
        except (asyncssh.KeyImportError, ValueError):
            raise failed(_("The credential is not a readable private key (OpenSSH or PEM "
                           "format, without passphrase).")) from None
    options: dict[str, Any] = {
        "port": port, "username": credential.username,
        "password": credential.password or None, "client_keys": client_keys,
        "agent_path": None, "config": None, "known_hosts": ([], [], []),
        "client_factory": Client, "connect_timeout": max(deadline.remaining(), 0.1),
        "preferred_auth": "publickey" if client_keys else "password,keyboard-interactive",
    }
    if pinned is not None:  # ask for the pinned key's type, so no other can be offered
        options["server_host_key_algs"] = [a.decode() for a in pinned.sig_algorithms]
    where = f"{host}:{port}"
    try:
        async with asyncssh.connect(host, **options) as conn:
            server_key = conn.get_server_host_key()
            output, local_time = await _execute(conn, script, deadline)
    except CollectError:
        raise
    except asyncssh.HostKeyNotVerifiable:
        seen = offered_keys[-1].get_fingerprint("sha256") if offered_keys else "?"
        raise failed(_("The SSH host key of %(where)s is not the pinned one (offered "
                       "%(offered)s). Nothing was sent.")
                     % {"where": where, "offered": seen}) from None
    except asyncssh.KeyExchangeFailed as exc:
        if pinned is not None:
            raise failed(_("%(where)s offered no key of the pinned type. Nothing was sent.")
                         % {"where": where}) from None
        raise failed(_("Key exchange with %(where)s failed: %(reason)s")
                     % {"where": where, "reason": exc.reason}) from None
    except asyncssh.PermissionDenied:
        raise failed(_("Authentication failed for %(user)s at %(where)s.")
                     % {"user": credential.username, "where": where}) from None
    except asyncssh.DisconnectError as exc:
        raise failed(_("%(where)s closed the SSH connection: %(reason)s")
                     % {"where": where, "reason": exc.reason}) from None
    except (TimeoutError, asyncssh.misc.ChannelOpenError) as exc:
        if isinstance(exc, asyncssh.misc.ChannelOpenError):
            raise failed(_("%(where)s refused the SSH session: %(reason)s")
                         % {"where": where, "reason": exc.reason}) from None
        raise timed_out(deadline.reason()) from None
    except ConnectionRefusedError:
        raise failed(_("%(where)s refused the connection.") % {"where": where}) from None
    except OSError as exc:
        if deadline.over():
            raise timed_out(deadline.reason()) from None
        raise failed(_("Network error with %(where)s: %(reason)s") % {
            "where": where, "reason": exc.strerror or type(exc).__name__}) from None
    except asyncssh.Error as exc:
        raise failed(_("SSH error with %(where)s: %(reason)s")
                     % {"where": where, "reason": exc.reason}) from None
    offered = ""
    if pinned is None and server_key is not None:
        offered = server_key.export_public_key("openssh").decode().strip()
    return output, local_time, offered


async def _execute(conn: Any, script: str, deadline: Deadline) -> tuple[str, float | None]:
    """Run the script; read its output, noting when the remote date line arrived."""
    process = await conn.create_process(COMMAND, encoding=None)
    sent_at = time.time()
    process.stdin.write(script.encode("utf-8"))
    process.stdin.write_eof()
    buffer = bytearray()
    date_at: float | None = None
    date_mark = (sshcollect.MARK + "date\n").encode()
    while True:
        chunk = await process.stdout.read(65536)
        if not chunk:
            break
        buffer += chunk
        if date_at is None:
            start = buffer.find(date_mark)
            if start >= 0 and buffer.find(b"\n", start + len(date_mark)) >= 0:
                date_at = time.time()
        if len(buffer) > MAX_OUTPUT:
            process.close()
            raise rejected(_("The host's answer is larger than %(limit)s bytes.")
                           % {"limit": MAX_OUTPUT})
    await process.wait_closed()
    local = (sent_at + date_at) / 2 if date_at is not None else None
    return buffer.decode("utf-8", errors="replace"), local
