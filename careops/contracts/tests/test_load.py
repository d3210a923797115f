"""Loading contracts through the action, the API (as alice, bob, charlie) and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from rest_framework.test import APIClient

from careops.contracts.actions import profiles
from careops.contracts.models import ContractProfile, ContractVersion, ImmutableVersion
from careops.contracts.tests.conftest import ROOT, SEED_004
from careops.core.models import AuditRecord
from careops.logic.contract import ContractInvalid


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_creates_a_contract_then_adds_immutable_versions(alice: Any, cmdb: Any,
                                                            seed_004: str) -> None:
    first = profiles.load_profile(alice, seed_004)
    assert first.created and first.version.number == 1
    profile = first.version.profile
    assert profile.vendor == cmdb["vendor"]
    assert sorted(profile.systems.values_list("code", flat=True)) == ["EXAM-STD", "SURG-VIDEO"]
    assert first.version.summary["sla"]["incident"]["P1"]["any"]["respond"] == "15 minutes"
    again = profiles.load_profile(alice, seed_004)
    assert not again.created and again.version.pk == first.version.pk
    second = profiles.load_profile(alice, seed_004.replace("respond: 15min", "respond: 10min"))
    assert second.version.number == 2
    assert ContractVersion.objects.get(pk=first.version.pk).yaml_text == seed_004
    audits = AuditRecord.objects.filter(object_type__icontains="contract").order_by("pk")
    assert [a.action for a in audits] == ["create", "update"]
    with pytest.raises(ImmutableVersion):
        first.version.save()
    with pytest.raises(ImmutableVersion):
        first.version.delete()


def test_it_refuses_unknown_vendor_systems_and_calendars_with_paths(alice: Any, cmdb: Any,
                                                                    seed_004: str) -> None:
    text = (seed_004.replace("vendor: V-EDU", "vendor: V-NONE")
            .replace("  - EXAM-STD", "  - EXAM-NONE").replace("hotline: 7x24", "hotline: 9x9"))
    with pytest.raises(ContractInvalid) as info:
        profiles.load_profile(alice, text)
    got = {(e.path, e.line) for e in info.value.errors}
    lines = text.splitlines()
    assert got == {("parties.vendor", lines.index("  vendor: V-NONE") + 1),
                   ("systems[1]", next(i for i, line in enumerate(lines, 1)
                                       if "EXAM-NONE" in line)),
                   ("calendars.hotline", lines.index("  hotline: 9x9") + 1)}
    assert not ContractProfile.objects.exists()


def test_it_lets_only_the_hospital_admin_load(bob: Any, cmdb: Any, seed_004: str) -> None:
    with pytest.raises(PermissionDenied):
        profiles.load_profile(bob, seed_004)
    assert not ContractProfile.objects.exists()


def test_it_loads_lists_and_versions_through_the_api(alice: Any, cmdb: Any,
                                                     seed_004: str) -> None:
    client = api(alice)
    response = client.post("/api/v1/contracts/", {"yaml": seed_004}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "seed-004-edu"
    assert response.json()["current_version"]["number"] == 1
    assert client.post("/api/v1/contracts/", {"yaml": seed_004},
                       format="json").status_code == 200
    client.post("/api/v1/contracts/", {"yaml": seed_004.replace("restore: 4h", "restore: 3h"),
                                       "valid_from": "2026-07-01"}, format="json")
    listing = client.get("/api/v1/contracts/").json()
    assert [c["code"] for c in listing["results"]] == ["seed-004-edu"]
    versions = client.get("/api/v1/contracts/seed-004-edu/versions/").json()
    assert (versions[0]["number"], versions[0]["valid_from"]) == (2, "2026-07-01")
    assert [v["number"] for v in versions] == [2, 1]
    detail = client.get("/api/v1/contracts/seed-004-edu/").json()
    assert detail["systems"] == ["EXAM-STD", "SURG-VIDEO"]


def test_it_answers_bad_yaml_with_one_field_per_path(alice: Any, cmdb: Any) -> None:
    text = ("code: x\nname: y\nparties: {hospital: h, vendor: V-EDU}\n"
            "period: {start: 2026-01-01, end: 2026-12-31}\n"
            "sla: {incident: {P1: {respnd: 30min, on_site: 3 weeks}}}\n")
    response = api(alice).post("/api/v1/contracts/", {"yaml": text}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["sla.incident.P1.respnd"] == [
        "line 5: unknown key “respnd”; did you mean “respond”?"]
    assert fields["sla.incident.P1.on_site"][0].startswith("line 5: unknown unit “weeks”")
    assert not ContractProfile.objects.exists()


def test_it_scopes_the_api_by_role(alice: Any, bob: Any, charlie: Any, cmdb: Any,
                                   seed_004: str) -> None:
    profiles.load_profile(alice, seed_004)
    assert api(bob).post("/api/v1/contracts/", {"yaml": seed_004},
                         format="json").status_code == 403
    assert api(charlie).get("/api/v1/contracts/").json()["results"] == []
    assert api(charlie).get("/api/v1/contracts/seed-004-edu/").status_code == 404
    assert api(alice).get("/api/v1/contracts/seed-004-edu/").status_code == 200
    assert APIClient().get("/api/v1/contracts/").status_code in (401, 403)


def test_it_validates_from_the_command_line() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "careops.settings"}
    good = subprocess.run([sys.executable, "-m", "careops.cli", "contract", "validate",
                           "--schema-only", str(SEED_004)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert good.stdout.count("\n") == 1 and "seed-004-edu" in good.stdout
    bad_file = ROOT / "careops" / "contracts" / "tests" / "data" / "bad.yaml"
    bad = subprocess.run([sys.executable, "-m", "careops.cli", "contract", "validate",
                          "--schema-only", str(bad_file)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        f"{bad_file}:3: parties.vendr: unknown key “vendr”; did you mean “vendor”?",
        f"{bad_file}:3: parties.vendor: missing required key “vendor”",
        f"{bad_file}:7: sla.incident.P1.on_site: unknown unit “fortnights”; one of minutes, "
        "hours, days, working_minutes, working_hours, working_days, months",
    ]


def test_it_loads_from_the_command_line_as_a_named_user(alice: Any, cmdb: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("contract", "load", str(SEED_004), "--as", "alice", "--valid-from",
                 "2026-01-01", stdout=out)
    assert out.getvalue().strip().endswith("loaded seed-004-edu version 1 (valid from 2026-01-01)")
    version = ContractVersion.objects.get()
    assert version.created_by == alice
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("contract", "load", str(SEED_004), "--as", "nobody")


def test_it_loads_all_five_examples_into_the_demo_hospital(alice: Any) -> None:
    from careops.cmdb import demo

    demo.load()
    for path in sorted((ROOT / "contracts" / "examples").glob("seed-00*.yaml")):
        result = profiles.load_profile(alice, path.read_text(encoding="utf-8"))
        assert result.created, path
    counts = dict(ContractProfile.objects.annotate(n=Count("systems")).values_list("code", "n"))
    assert counts == {"seed-000-twin": 1, "seed-001-unified": 37, "seed-002-jiahe": 1,
                      "seed-003-dialysis": 2, "seed-004-edu": 2}
