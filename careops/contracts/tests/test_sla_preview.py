"""`careops sla preview` and its API: contract targets timed on the contract's calendar."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from careops.contracts.actions import profiles
from careops.contracts.tests.test_load import api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
EXAMPLES = Path(__file__).resolve().parents[3] / "contracts" / "examples"
SEED_001 = str(EXAMPLES / "seed-001-unified-service.yaml")


def preview(*args: str) -> list[str]:
    out = StringIO()
    call_command("sla", "preview", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_times_seed_001_in_hours_across_national_day() -> None:
    # Reported 2026-09-30 17:30, in working hours: respond 0.5 h, on site 1 h (wall clock),
    # repair within 2 working days — National Day runs 10/1–10/7.
    assert preview("--contract", SEED_001, "--kind", "incident", "--priority", "P1",
                   "--opened", "2026-09-30T17:30+08:00") == [
        "respond 2026-09-30T18:00:00+08:00",
        "on_site 2026-09-30T18:30:00+08:00",
        "restore 2026-10-09T17:30:00+08:00",
    ]


def test_it_uses_the_out_of_hours_targets_and_flags_a_year_without_data() -> None:
    # 20:00 UTC on 31 December is 04:00 on 1 January 2027 in Shanghai: outside hours
    # (respond 1 h, on site 2 h), in a year the holiday data does not know yet.
    lines = preview("--contract", SEED_001, "--kind", "incident", "--priority", "P1",
                    "--opened", "2026-12-31T20:00Z")
    assert lines[0] == "respond 2027-01-01T05:00:00+08:00 estimated: no holiday data for 2027"
    assert lines[1].startswith("on_site 2027-01-01T06:00:00+08:00 estimated")


def test_the_fault_report_runs_from_restoration_and_pauses_push_it(cmdb: Any) -> None:
    seed_004 = str(EXAMPLES / "seed-004-surgical-video-exam.yaml")
    plain = dict(line.split(" ", 1) for line in preview(
        "--contract", seed_004, "--kind", "incident", "--priority", "P1",
        "--opened", "2026-11-23T09:00+08:00"))
    paused = dict(line.split(" ", 1) for line in preview(
        "--contract", seed_004, "--kind", "incident", "--priority", "P1",
        "--opened", "2026-11-23T09:00+08:00",
        "--pause", "2026-11-23T10:00+08:00/2026-11-23T12:00+08:00"))
    assert plain["restore"] < plain["report"]
    assert paused["restore"] > plain["restore"] and paused["report"] > plain["report"]


@pytest.mark.parametrize(("args", "message"), [
    (["--priority", "P9", "--opened", "2026-09-30T17:30+08:00"], "no incident targets for 'P9'"),
    (["--priority", "P1", "--opened", "yesterday"], "--opened 'yesterday' is not an ISO 8601"),
    (["--priority", "P1", "--opened", "2026-09-30T17:30+08:00", "--pause", "later"],
     "--pause 'later' is not START/END"),
])
def test_it_names_bad_input(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        preview("--contract", SEED_001, "--kind", "incident", *args)


def test_a_missing_contract_file_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "careops.cli", "sla", "preview", "--contract",
         str(tmp_path / "missing.yaml"),
         "--kind", "incident", "--priority", "P1", "--opened", "2026-09-30T17:30+08:00"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"CommandError: cannot read {tmp_path / 'missing.yaml'}: No such file or directory"]


def test_an_unknown_contract_code_is_named() -> None:
    with pytest.raises(CommandError, match="no contract with code 'nope'"):
        preview("--contract", "nope", "--kind", "incident", "--priority", "P1",
                "--opened", "2026-09-30T17:30+08:00")


def test_the_api_previews_a_stored_contract(alice: Any, charlie: Any, cmdb: Any,
                                            seed_004: str) -> None:
    profiles.load_profile(alice, seed_004)
    client = api(alice)
    url = "/api/v1/contracts/seed-004-edu/sla-preview/"
    response = client.get(url, {"kind": "incident", "priority": "P1",
                                "opened": "2026-11-23T09:00+08:00"})
    assert response.status_code == 200, response.json()
    rows = {row["target"]: row for row in response.json()}
    assert rows["respond"]["due"] == "2026-11-23T09:15:00+08:00"
    assert not rows["respond"]["estimated"] and rows["respond"]["missing_years"] == []
    bad = client.get(url, {"kind": "incident", "priority": "P1", "opened": "soon"})
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["opened"]
    assert api(charlie).get(url, {"kind": "incident", "priority": "P1",
                                  "opened": "2026-11-23T09:00+08:00"}).status_code == 404
