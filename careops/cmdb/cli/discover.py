"""``careops cmdb discover CODE [--ssh] [--url URL] [--apply [FIELD …]] [--as USER]``

Shows, field by field, what the host's node_exporter (or SSH, with ``--ssh``) reports
next to the record. ``--apply`` saves every field that differs, or only the fields
named after it; the change is audited under the account given with ``--as``.
``--forget-host-key`` drops the pinned SSH host key first (after a reinstall).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser

from careops.cmdb import discovery
from careops.cmdb.actions.discovery import apply_discovery, forget_host_key
from careops.cmdb.models import Host
from careops.logic.discovery import FIELDS

NAME = "discover"
HELP = "fill a host's OS, CPU, memory and disks from node_exporter or SSH"


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("code", help="the host's code")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--ssh", action="store_true",
                     help="log in over SSH with the host's credential")
    how.add_argument("--url", help="read this metrics URL instead of the host's endpoint")
    parser.add_argument("--apply", nargs="*", metavar="FIELD", choices=FIELDS,
                        help="save the differing fields, or only these: " + ", ".join(FIELDS))
    parser.add_argument("--as", dest="username", metavar="USER",
                        help="the account the change (and the credential use) is recorded "
                             "under; needed with --apply and --forget-host-key")
    parser.add_argument("--forget-host-key", action="store_true",
                        help="forget the pinned SSH host key before connecting")


def _actor(username: str | None, needed_for: str) -> Any:
    from careops.core.models import User

    if not username:
        if needed_for:
            raise _fail(f"{needed_for} needs --as USER: the account the change is recorded "
                        "under")
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _fail(f"no active user {username!r}")
    return user


def run(command: Any, options: dict[str, Any]) -> None:
    host = Host.objects.select_related("credential").filter(code=options["code"]).first()
    if host is None:
        raise _fail(f"no host with code {options['code']!r}")
    needed = ("--apply" if options["apply"] is not None
              else "--forget-host-key" if options["forget_host_key"] else "")
    actor = _actor(options["username"], needed)
    try:
        if options["forget_host_key"] and forget_host_key(actor, host):
            command.stdout.write(f"forgot the pinned SSH host key of {host.code}")
        method = "ssh" if options["ssh"] else "node_exporter"
        facts = discovery.discover(host, method, url=options["url"], actor=actor)
    except discovery.DiscoveryError as exc:
        raise _fail(str(exc)) from None
    except PermissionDenied as exc:
        raise _fail(str(exc) or "permission denied") from None
    rows = discovery.diff_rows(host, facts)
    command.stdout.write(f"{host.code}: discovered by {facts.method} from {facts.source}")
    for warning in facts.warnings:
        command.stderr.write(f"warning: {warning}")
    width = max(len(row["label"]) for row in rows)
    for row in rows:
        mark = "*" if row["changed"] else " "
        command.stdout.write(f"{mark} {row['label']:<{width}}  {row['current_display']}"
                             f"  ->  {row['discovered_display']}")
    if options["apply"] is None:
        if any(row["changed"] for row in rows):
            command.stdout.write("(* differs; nothing saved: add --apply to save)")
        return
    fields = options["apply"] or [row["field"] for row in rows if row["changed"]]
    if not fields:
        command.stdout.write("nothing differs; nothing saved")
        return
    try:
        apply_discovery(actor, host, facts, fields)
    except ValidationError as exc:
        raise _fail(" ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise _fail(str(exc) or "permission denied") from None
    command.stdout.write(f"saved {', '.join(fields)}")
