"""Settings from the environment: typed helpers and one-line start-up errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.conf import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_str,
    env_timezone,
    env_url,
    read_or_create_secret,
)


def test_it_reads_a_value_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret-value\n")
    assert env_str("X", environ={"X_FILE": str(secret)}) == "s3cret-value"


def test_it_refuses_both_value_and_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="X: set either X or X_FILE"):
        env_str("X", environ={"X": "a", "X_FILE": str(tmp_path / "k")})


def test_it_names_an_unreadable_file() -> None:
    with pytest.raises(ConfigError, match="X_FILE: cannot read"):
        env_str("X", environ={"X_FILE": "/nonexistent/file"})


@given(st.sampled_from(["1", "true", "YES", "On"]))
def test_it_reads_true_spellings(raw: str) -> None:
    assert env_bool("B", False, environ={"B": raw}) is True


@given(st.text().filter(lambda s: s.strip().lower() not in
                        {"1", "true", "yes", "on", "0", "false", "no", "off", ""}))
def test_it_rejects_other_booleans(raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        env_bool("B", False, environ={"B": raw})
    assert str(info.value).startswith("B: ")
    assert "\n" not in str(info.value).replace(raw, "")


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_it_reads_integers_within_bounds(value: int) -> None:
    if 1 <= value <= 100:
        assert env_int("N", 5, minimum=1, maximum=100, environ={"N": str(value)}) == value
    else:
        with pytest.raises(ConfigError, match=r"^N: must be at"):
            env_int("N", 5, minimum=1, maximum=100, environ={"N": str(value)})


def test_it_rejects_a_non_number() -> None:
    with pytest.raises(ConfigError, match="N: expected a whole number, got 'five'"):
        env_int("N", 5, environ={"N": "five"})


def test_it_checks_time_zones_and_choices() -> None:
    assert env_timezone("TZ", "Asia/Shanghai", environ={}) == "Asia/Shanghai"
    assert env_timezone("TZ", "Asia/Shanghai", environ={"TZ": "UTC"}) == "UTC"
    with pytest.raises(ConfigError, match="TZ: unknown time zone 'Mars/Olympus'"):
        env_timezone("TZ", "UTC", environ={"TZ": "Mars/Olympus"})
    assert env_choice("L", "zh-hans", ["zh-hans", "en"], environ={"L": "EN"}) == "en"
    with pytest.raises(ConfigError, match="L: expected one of zh-hans, en"):
        env_choice("L", "zh-hans", ["zh-hans", "en"], environ={"L": "fr"})


def test_it_checks_url_schemes() -> None:
    schemes = ["postgres", "mysql", "sqlite"]
    assert env_url("U", None, schemes, environ={"U": "postgres://u@db:5432/x"})
    assert env_url("U", None, schemes, environ={"U": "mysql+pymysql://u@db/x"})
    with pytest.raises(ConfigError, match="U: expected a URL starting with"):
        env_url("U", None, schemes, environ={"U": "oracle://db/x"})
    with pytest.raises(ConfigError, match="U: the URL has an invalid port"):
        env_url("U", None, schemes, environ={"U": "postgres://db:99999/x"})


def test_it_creates_a_secret_file_once_with_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = read_or_create_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_secret(path) == first
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="too open"):
        read_or_create_secret(path)


def _careops(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("CAREOPS_", "DATABASE_URL", "REDIS_URL", "PYTEST"))}
    base["CAREOPS_VAR_DIR"] = env.pop("CAREOPS_VAR_DIR")
    return subprocess.run([sys.executable, "-m", "careops.cli", *args],
                          env={**base, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CAREOPS_TIME_ZONE": "Moon/Base"}, "CAREOPS_TIME_ZONE"),
        ({"CAREOPS_LANGUAGE": "klingon"}, "CAREOPS_LANGUAGE"),
        ({"DATABASE_URL": "oracle://scott@db/orcl"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"CAREOPS_SESSION_IDLE_MINUTES": "soon"}, "CAREOPS_SESSION_IDLE_MINUTES"),
        ({"CAREOPS_AUDIT_RETENTION_DAYS": "30"}, "CAREOPS_AUDIT_RETENTION_DAYS"),
        ({"CAREOPS_SECRET_KEY": "short"}, "CAREOPS_SECRET_KEY"),
        ({"CAREOPS_SECRETS_KEY": "not-a-fernet-key"}, "CAREOPS_SECRETS_KEY"),
    ],
)
def test_it_stops_with_one_line_naming_the_setting(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = _careops({**env, "CAREOPS_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, "DATABASE_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL"),
    ],
)
def test_it_stops_when_a_service_is_unreachable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = _careops({**env, "CAREOPS_VAR_DIR": str(tmp_path)}, "up", "--bind",
                      "127.0.0.1:1")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"CommandError: {named}: cannot connect")
