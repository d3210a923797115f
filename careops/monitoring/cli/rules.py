"""``careops monitoring load-rules`` and ``eval-rules``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from careops.core.models import User


def _actor(username: str | None) -> Any:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    return user


class LoadRules:
    NAME = "load-rules"
    HELP = ("Create the shipped default alert rules and update the unedited ones; rules "
            "edited since they were loaded are kept.")

    @staticmethod
    def add_arguments(parser: CommandParser) -> None:
        parser.add_argument("--as", dest="actor", help="the user recorded in the audit trail "
                                                         "(default: the system)")
        parser.add_argument("--file", type=Path, help="another rules file (YAML)")

    @staticmethod
    def run(command: Any, options: dict[str, Any]) -> None:
        from careops.monitoring.actions.rules import load_default_rules

        try:
            report = load_default_rules(_actor(options.get("actor")), path=options.get("file"))
        except (PermissionDenied, ValidationError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        command.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, unchanged "
            f"{len(report.unchanged)}, kept as edited {len(report.kept_edited)}"
            + (f": {', '.join(report.kept_edited)}" if report.kept_edited else ""))


class EvalRules:
    NAME = "eval-rules"
    HELP = "Evaluate the enabled rules that are due, now, and print the alert signals."

    @staticmethod
    def add_arguments(parser: CommandParser) -> None:
        pass

    @staticmethod
    def run(command: Any, options: dict[str, Any]) -> None:
        from careops.monitoring.evaluate import evaluate_rules

        for signal in evaluate_rules(timezone.now()):
            command.stdout.write(f"{signal.status:8} {signal.severity:8} {signal.name} "
                                 f"{dict(signal.labels)} {signal.summary}")
