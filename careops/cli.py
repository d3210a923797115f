"""The ``careops`` console command: Django's manage.py with one-line start-up errors."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careops.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from careops.conf import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"careops: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(["careops", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
