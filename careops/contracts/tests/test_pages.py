"""The contract pages as alice (hospital admin), bob (vendor engineer) and charlie
(department user) see them."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from careops.contracts.actions import profiles
from careops.contracts.models import ContractProfile
from careops.contracts.tests.conftest import SEED_004


def test_it_loads_a_file_and_shows_the_sla_matrix(alice: Any, cmdb: Any,
                                                  verified_client: Any, english: Any) -> None:
    client = verified_client(alice)
    upload = SimpleUploadedFile("seed.yaml", SEED_004.read_bytes(), content_type="text/yaml")
    response = client.post("/contracts/load/", {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == "/contracts/seed-004-edu/"
    page = client.get("/contracts/seed-004-edu/").content.decode()
    assert "15 min" in page and "3 working days" in page
    assert "《系统健康检查与性能分析报告》" in page
    assert "report 7 working days after" in page
    listing = client.get("/contracts/").content.decode()
    assert "手术视频与考试系统运维服务" in listing


def test_it_shows_every_error_with_its_line_and_stores_nothing(
        alice: Any, cmdb: Any, verified_client: Any, english: Any) -> None:
    text = ("code: x\nname: y\nparties: {hospital: h, vendor: V-EDU}\n"
            "period: {start: 2026-01-01, end: 2026-12-31}\n"
            "sla:\n  incident:\n    P1: {respnd: 30min}\n")
    response = verified_client(alice).post("/contracts/load/", {"yaml_text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "sla.incident.P1.respnd" in page and "did you mean “respond”?" in page
    assert "<td>7</td>" in page
    assert not ContractProfile.objects.exists()


def test_it_replaces_a_version_from_the_contract_page(alice: Any, cmdb: Any,
                                                      seed_004: str,
                                                      verified_client: Any) -> None:
    profiles.load_profile(alice, seed_004)
    client = verified_client(alice)
    form = client.get("/contracts/seed-004-edu/load/")
    assert "respond: 15min" in form.content.decode()
    client.post("/contracts/seed-004-edu/load/",
                {"yaml_text": seed_004.replace("restore: 4h", "restore: 3h")})
    assert ContractProfile.objects.get().current_version.number == 2
    first = client.get("/contracts/seed-004-edu/?version=1").content.decode()
    assert "v1 ·" in first
    assert client.get("/contracts/seed-004-edu/?version=9").status_code == 404


def test_it_refuses_loading_to_others_and_hides_contracts_from_departments(
        alice: Any, bob: Any, charlie: Any, cmdb: Any, seed_004: str,
        verified_client: Any) -> None:
    profiles.load_profile(alice, seed_004)
    assert verified_client(bob).get("/contracts/load/").status_code == 403
    assert verified_client(charlie).get("/contracts/seed-004-edu/").status_code == 404
