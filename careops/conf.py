"""Typed helpers that read settings from environment variables.

Pure Python (no Django): ``careops.settings`` calls these at import time. Every
helper raises :class:`ConfigError` with a message that names the variable, so
start-up can stop with one line instead of a traceback.

A variable ``NAME`` may also be given as ``NAME_FILE``: the path of a file whose
content (stripped of trailing newlines) is the value. Giving both is an error.
"""

from __future__ import annotations

import os
import secrets
import stat
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is missing, malformed or unusable. ``str()`` is one line."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """The raw value of ``name`` or of the file named by ``name_FILE``."""
    env = os.environ if environ is None else environ
    file_name = f"{name}_FILE"
    if name in env and file_name in env:
        raise ConfigError(name, f"set either {name} or {file_name}, not both")
    if file_name in env:
        path = env[file_name]
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(file_name, f"cannot read {path!r}: {exc.strerror}") from None
    return env.get(name, default)


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    raw = env_str(name, None, environ=environ)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(name, f"expected true or false, got {raw!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    raw = env_str(name, None, environ=environ)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(name, f"must be at most {maximum}, got {value}")
    return value


def env_fractions(
    name: str,
    default: Sequence[float],
    *,
    environ: Mapping[str, str] | None = None,
) -> tuple[float, ...]:
    """Comma-separated fractions strictly between 0 and 1 with at most two decimals
    (``"0.75,0.9"``), sorted and without repeats."""
    raw = env_str(name, None, environ=environ)
    if raw is None or raw.strip() == "":
        return tuple(sorted(set(default)))
    values: set[float] = set()
    for part in raw.split(","):
        text = part.strip()
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(name, f"expected numbers like 0.75,0.9, got {text!r}") from None
        if not 0 < value < 1:
            raise ConfigError(name, f"{text} is not between 0 and 1")
        if round(value, 2) != value:
            raise ConfigError(name, f"{text} has more than two decimals")
        values.add(value)
    return tuple(sorted(values))


def env_choice(
    name: str, default: str, choices: Sequence[str], *, environ: Mapping[str, str] | None = None
) -> str:
    raw = env_str(name, None, environ=environ)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    lowered = {c.lower(): c for c in choices}
    if value.lower() not in lowered:
        raise ConfigError(name, f"expected one of {', '.join(choices)}, got {raw!r}")
    return lowered[value.lower()]


def env_timezone(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    raw = env_str(name, None, environ=environ)
    value = default if raw is None or raw.strip() == "" else raw.strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(name, f"unknown time zone {value!r}") from None
    return value


def env_url(
    name: str,
    default: str | None,
    schemes: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """A URL whose scheme is one of ``schemes`` (compared without ``+driver``)."""
    raw = env_str(name, None, environ=environ)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    parts = urlsplit(value)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in schemes:
        expected = ", ".join(f"{s}://" for s in schemes)
        raise ConfigError(
            name, f"expected a URL starting with {expected}, got scheme {parts.scheme!r}"
        )
    if scheme != "sqlite" and not parts.hostname and not parts.path:
        raise ConfigError(name, "the URL names no host")
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(name, "the URL has an invalid port") from None
    return value


def read_or_create_secret(path: Path, nbytes: int = 48) -> str:
    """Return the secret kept in ``path``, creating it (mode 0600) on first use."""
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(str(path), f"permissions {mode:o} are too open; expected 600")
        value = path.read_text(encoding="ascii").strip()
        if not value:
            raise ConfigError(str(path), "the file is empty")
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
