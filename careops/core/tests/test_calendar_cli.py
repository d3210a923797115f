"""``careops calendar``: through call_command and once as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careops.core.actions.calendars import save_holiday_year
from careops.logic.holidays import parse_holiday_lines

pytestmark = [pytest.mark.usefixtures("english"), pytest.mark.django_db]


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("args", "line"), [
    (["due", "2026-09-30T17:00+08:00", "--hours", "2"], "2026-10-08T09:00:00+08:00"),
    (["due", "2026-09-30T09:00Z", "--hours", "2"], "2026-10-08T09:00:00+08:00"),
    (["due", "2026-09-30T11:00:00+00:00", "--minutes", "90"], "2026-10-08T09:30:00+08:00"),
    (["due", "2026-02-13T10:00+08:00", "--days", "2"], "2026-02-24T10:00:00+08:00"),
    (["due", "2026-11-21T10:00+08:00", "--days", "1", "--end-of-day"],
     "2026-11-23T18:00:00+08:00"),
    (["due", "2026-11-20T17:00+08:00", "--hours", "1"], "2026-11-20T18:00:00+08:00"),
    (["due", "2026-09-30T17:00+08:00", "--hours", "2", "--calendar", "cn-5x8"],
     "2026-10-08T09:00:00+08:00"),
    (["due", "2026-09-30T17:00+08:00", "--hours", "2", "--calendar", "7x24"],
     "2026-09-30T19:00:00+08:00"),
    (["due", "2026-11-20T15:00+08:00", "--hours", "2",
      "--pause", "2026-11-20T16:00+08:00/2026-11-23T09:00+08:00"], "2026-11-23T10:00:00+08:00"),
    (["due", "2026-12-31T17:00+08:00", "--hours", "2"],
     "2027-01-01T09:00:00+08:00 estimated: no holiday data for 2027"),
])
def test_it_prints_the_due_time(args: list[str], line: str) -> None:
    assert run(*args) == line + "\n"


def test_it_stops_estimating_once_2027_is_entered(alice: Any) -> None:
    save_holiday_year(2027, parse_holiday_lines("2027-01-01 holiday 元旦", 2027), actor=alice)
    assert run("due", "2026-12-31T17:00+08:00", "--hours", "2") == "2027-01-04T09:00:00+08:00\n"


@pytest.mark.parametrize(("args", "words"), [
    (["due", "tomorrow", "--hours", "2"], "START 'tomorrow'"),
    (["due", "2026-11-20T17:00+08:00", "--hours", "2", "--pause", "2026-11-20T18:00"],
     "--pause '2026-11-20T18:00'"),
    (["due", "2026-11-20T17:00+08:00", "--hours", "-2"], "--minutes must be"),
    (["due", "2026-11-20T17:00+08:00", "--hours", "2", "--end-of-day"], "--end-of-day"),
    (["due", "2026-11-20T17:00+08:00", "--hours", "2", "--calendar", "nope"], "'nope'"),
    (["check", "2026-02-30"], "'2026-02-30'"),
])
def test_it_refuses_garbage_with_exit_code_2(args: list[str], words: str) -> None:
    with pytest.raises(CommandError) as info:
        run(*args)
    assert words in str(info.value)
    assert info.value.returncode == 2


def test_it_lists_the_calendars() -> None:
    out = run("list")
    assert "cn-workday" in out and "[default, built-in]" in out
    assert "7x24" in out and "cn-5x8" in out


def test_it_checks_dates_and_instants() -> None:
    assert run("check", "2026-10-10") == "2026-10-10 makeup 国庆节 08:00-18:00\n"
    assert run("check", "2026-10-01T10:00+08:00") == \
        "2026-10-01T10:00:00+08:00 closed holiday 国庆节 closed all day\n"
    assert run("check", "2027-03-01") == \
        "2027-03-01 workday 08:00-18:00 estimated: no holiday data for 2027\n"


def test_it_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "CAREOPS_VAR_DIR": str(tmp_path), "DATABASE_URL": "",
           "CAREOPS_TESTING": "1"}
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-m", "careops.cli", "migrate", "-v0"], cwd=root, env=env,
                   check=True, timeout=120)
    ok = subprocess.run(
        [sys.executable, "-m", "careops.cli", "calendar", "due", "2026-12-31T09:00Z",
         "--days", "1", "--end-of-day"], cwd=root, env=env, capture_output=True, text=True,
        timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == "2027-01-01T18:00:00+08:00 estimated: no holiday data for 2027\n"
    bad = subprocess.run(
        [sys.executable, "-m", "careops.cli", "calendar", "due", "31/12/2026", "--hours", "1"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0
    assert "31/12/2026" in bad.stderr
    assert "Traceback" not in bad.stderr
