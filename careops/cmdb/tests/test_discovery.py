"""Discovery against a real node_exporter and a real OpenSSH server on loopback, both
started by the tests, through the actions, the page, the API and the command line."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from careops.cmdb import discovery
from careops.cmdb.actions import items
from careops.cmdb.actions.relations import add as add_relation
from careops.cmdb.models import Host, SshHostKey
from careops.cmdb.tests.factories import Hospital
from careops.core import secrets
from careops.core.choices import AuditAction
from careops.core.models import AuditRecord
from careops.core.models.secrets import SecretKind
from careops.core.tests import sshd_support
from careops.core.tests.sshd_support import Sshd, free_port, keygen, wait_for_port
from careops.logic.discovery import os_family, parse_df, parse_os_release

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"
PASSWORD = "Wrong-Horse-Battery-77"  # a password the server refuses


@pytest.fixture
def hospital(alice: Any) -> Hospital:
    return Hospital(alice)


@pytest.fixture
def node_exporter() -> Iterator[str]:
    """A node_exporter with the collectors discovery reads; yields host:port."""
    from conftest import require_service

    require_service("node_exporter")
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("prometheus-node-exporter") or NODE_EXPORTER,
         f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
         "--collector.cpu", "--collector.meminfo", "--collector.filesystem",
         "--collector.uname", "--collector.os"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process, "node_exporter")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


start_sshd = sshd_support.start_sshd


def use_ssh(alice: Any, host: Host, sshd: Sshd, *, value: str | None = None,
            kind: str = SecretKind.SSH_KEY) -> Host:
    secret = secrets.set_secret(f"ssh-{host.code}", value or sshd.client_key, kind=kind,
                                username="root", actor=alice)
    items.update(alice, host, {"credential": secret, "addresses": ["127.0.0.1"],
                               "ssh_port": sshd.port})
    host.refresh_from_db()
    return host


def use_exporter(alice: Any, host: Host, target: str) -> Host:
    # The exporter runs on the host itself: its address is the endpoint's.
    address = target.rsplit(":", 1)[0]
    items.update(alice, host, {"monitoring_endpoints": [{"job": "node", "target": target}],
                               "addresses": [address]})
    host.refresh_from_db()
    return host


def machine_facts() -> dict[str, Any]:
    release = parse_os_release(Path("/etc/os-release").read_text())
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(next(line.split()[1] for line in meminfo.splitlines()
                      if line.startswith("MemTotal:")))
    df = subprocess.run(["df", "-P", "-k", "-T", "-x", "tmpfs", "-x", "devtmpfs", "-x",
                         "overlay", "-x", "squashfs"], capture_output=True, text=True).stdout
    return {
        "hostname": socket.gethostname(),
        "os_family": os_family(release.get("ID", ""), release.get("ID_LIKE", "")),
        "os_version": release.get("VERSION_ID"),
        "cpu_cores": int(subprocess.run(["nproc", "--all"], capture_output=True,
                                        text=True).stdout),
        "nproc": int(subprocess.run(["nproc"], capture_output=True, text=True).stdout),
        "memory_mb": mem_kb // 1024,
        "disks": {d.mount: d.size_gb for d in parse_df(df)},
    }


def audit_text() -> str:
    return " ".join(f"{r.changes_json} {r.detail_json} {r.object_repr}"
                    for r in AuditRecord.objects.all())


# --- node_exporter ----------------------------------------------------------------


def test_it_reads_the_real_node_exporter_of_this_machine(
        alice: Any, hospital: Hospital, node_exporter: str) -> None:
    host = use_exporter(alice, hospital.lis_host, node_exporter)
    facts = discovery.discover(host, "node_exporter", actor=alice)
    real = machine_facts()
    assert facts.source == f"http://{node_exporter}/metrics"
    assert facts.hostname == real["hostname"]
    assert facts.os_family == real["os_family"]
    assert facts.os_version == real["os_version"]
    # node_exporter counts every online CPU, like `nproc --all`.
    assert facts.cpu_cores == real["cpu_cores"]
    assert facts.memory_mb == real["memory_mb"]
    found = {d.mount: d.size_gb for d in facts.disks or ()}
    assert found.keys() == real["disks"].keys()
    assert all(abs(found[m] - real["disks"][m]) <= 0.1 for m in found)


def test_it_saves_only_the_ticked_fields_through_the_page(
        alice: Any, hospital: Hospital, node_exporter: str,
        verified_client: Callable[[Any], Any]) -> None:
    host = use_exporter(alice, hospital.lis_host, node_exporter)
    client = verified_client(alice)
    url = f"/cmdb/hosts/{host.pk}/discover/"
    page = client.get(url)
    assert page.status_code == 200
    assert f"http://{node_exporter}/metrics" in page.content.decode()
    preview = client.post(url, {"step": "discover", "method": "node_exporter"})
    html = preview.content.decode()
    assert 'data-testid="discovery-diff"' in html, html
    assert 'data-field="cpu_cores"' in html and 'data-field="disks"' in html
    token = preview.context["token"]
    host.refresh_from_db()
    assert host.cpu_cores is None  # a preview saves nothing

    saved = client.post(url, {"step": "save", "token": token,
                              "fields": ["cpu_cores", "memory_mb"]})
    assert saved.status_code == 302
    host.refresh_from_db()
    real = machine_facts()
    assert (host.cpu_cores, host.memory_mb) == (real["cpu_cores"], real["memory_mb"])
    assert host.os_family == "rhel" and host.disks == []  # not ticked: unchanged
    record = AuditRecord.objects.filter(action=AuditAction.UPDATE,
                                        object_id=str(host.pk)).latest("id")
    assert '"discovery":"node_exporter"' in record.detail_json
    assert '"cpu_cores":[null,' in record.changes_json
    assert "os_family" not in record.changes_json

    tampered = client.post(url, {"step": "save", "token": token[:-2] + "xx",
                                 "fields": ["os_family"]})
    assert "were altered" in tampered.content.decode()
    host.refresh_from_db()
    assert host.os_family == "rhel"


def test_the_page_needs_the_right_to_change_the_host(
        alice: Any, bob: Any, charlie: Any, hospital: Hospital,
        verified_client: Callable[[Any], Any]) -> None:
    hospital.vendor.engineers.add(bob)
    add_relation(alice, hospital.lis, "runs_on", hospital.lis_host)
    assert verified_client(bob).get(
        f"/cmdb/hosts/{hospital.lis_host.pk}/discover/").status_code == 200
    assert verified_client(bob).get(
        f"/cmdb/hosts/{hospital.his_host.pk}/discover/").status_code == 404
    assert verified_client(charlie).get(
        f"/cmdb/hosts/{hospital.lis_host.pk}/discover/").status_code == 404


def test_the_api_shows_the_differences_and_applies_chosen_fields(
        alice: Any, bob: Any, hospital: Hospital, node_exporter: str,
        verified_client: Callable[[Any], Any]) -> None:
    host = use_exporter(alice, hospital.lis_host, node_exporter)
    client = verified_client(alice)
    url = f"/api/v1/cmdb/hosts/{host.pk}/discover/"
    preview = client.post(url, {"method": "node_exporter"}, content_type="application/json")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    rows = {row["field"]: row for row in body["diff"]}
    assert rows["cpu_cores"] == {"field": "cpu_cores", "label": "CPU cores", "current": None,
                                 "discovered": machine_facts()["cpu_cores"], "changed": True}
    assert body["applied"] == [] and body["method"] == "node_exporter"
    host.refresh_from_db()
    assert host.os_version == ""

    applied = client.post(url, {"method": "node_exporter", "apply": ["os_version", "disks"]},
                          content_type="application/json")
    assert applied.status_code == 200
    host.refresh_from_db()
    assert host.os_version == machine_facts()["os_version"]
    assert {d["mount"] for d in host.disks} == machine_facts()["disks"].keys()

    bad = client.post(url, {"apply": ["rack"]}, content_type="application/json")
    assert bad.status_code == 400
    assert "apply.0" in bad.json()["error"]["fields"]
    assert verified_client(bob).post(url, {}, content_type="application/json"
                                     ).status_code == 404


def test_it_gives_one_line_reasons_for_unreachable_or_wrong_endpoints(
        alice: Any, hospital: Hospital, node_exporter: str,
        verified_client: Callable[[Any], Any]) -> None:
    port = free_port()
    host = use_exporter(alice, hospital.lis_host, f"127.0.0.1:{port}")
    with pytest.raises(discovery.DiscoveryError) as refused:
        discovery.discover(host, "node_exporter", actor=alice)
    assert str(refused.value) == f"Connection refused by http://127.0.0.1:{port}/metrics."
    # The exporter's landing page is HTML, not metrics: the line is named.
    # The line number and reason, never the answer's own text (it may be an intranet page).
    with pytest.raises(discovery.DiscoveryError, match=r"did not return Prometheus metrics "
                                                       r"\(line 1: [^)]*\)\.$"):
        discovery.discover(host, "node_exporter", url=f"http://{node_exporter}/")
    response = verified_client(alice).post(f"/api/v1/cmdb/hosts/{host.pk}/discover/", {},
                                           content_type="application/json")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "discovery_failed"
    assert "Connection refused" in response.json()["error"]["message"]
    page = verified_client(alice).post(f"/cmdb/hosts/{host.pk}/discover/",
                                       {"step": "discover", "method": "node_exporter"})
    assert "Connection refused" in page.content.decode()
    no_endpoint = hospital.his_host
    with pytest.raises(discovery.DiscoveryError, match='no monitoring endpoint with job "node"'):
        discovery.discover(no_endpoint, "node_exporter")


def test_the_command_line_shows_and_applies(
        alice: Any, hospital: Hospital, node_exporter: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    host = use_exporter(alice, hospital.lis_host, node_exporter)
    call_command("cmdb", "discover", host.code)
    out = capsys.readouterr().out
    assert "discovered by node_exporter" in out and "nothing saved" in out
    with pytest.raises(CommandError, match="--apply needs --as USER"):
        call_command("cmdb", "discover", host.code, "--apply")
    call_command("cmdb", "discover", host.code, "--apply", "memory_mb", "--as", "alice")
    assert "saved memory_mb" in capsys.readouterr().out
    host.refresh_from_db()
    assert host.memory_mb == machine_facts()["memory_mb"] and host.cpu_cores is None
    with pytest.raises(CommandError, match="no host with code"):
        call_command("cmdb", "discover", "NOPE")


# --- SSH --------------------------------------------------------------------------


def test_it_logs_in_with_the_stored_key_and_pins_the_host_key(
        alice: Any, hospital: Hospital, start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    host = use_ssh(alice, hospital.lis_host, sshd)
    facts = discovery.discover(host, "ssh", actor=alice)
    real = machine_facts()
    assert facts.method == "ssh" and facts.source == f"root@127.0.0.1:{sshd.port}"
    assert facts.hostname == real["hostname"]
    assert (facts.os_family, facts.os_version) == (real["os_family"], real["os_version"])
    assert facts.cpu_cores == real["nproc"]
    assert facts.memory_mb == real["memory_mb"]
    assert {d.mount: d.size_gb for d in facts.disks or ()} == real["disks"]
    pinned = SshHostKey.objects.get(host=host)
    assert pinned.fingerprint == sshd.fingerprint
    assert pinned.algorithm == "ssh-ed25519"
    assert AuditRecord.objects.filter(action=AuditAction.SECRET_USE,
                                      detail_json__contains="discovery").exists()
    assert AuditRecord.objects.filter(action=AuditAction.CREATE,
                                      object_type="cmdb.sshhostkey").exists()
    # The second time, the pinned key is checked and matches.
    assert discovery.discover(host, "ssh", actor=alice).memory_mb == real["memory_mb"]
    assert SshHostKey.objects.count() == 1


def test_a_changed_host_key_is_refused_until_forgotten(
        alice: Any, hospital: Hospital, start_sshd: Callable[[], Sshd],
        verified_client: Callable[[Any], Any]) -> None:
    first = start_sshd()
    host = use_ssh(alice, hospital.lis_host, first)
    discovery.discover(host, "ssh", actor=alice)
    impostor = start_sshd()  # same address, another host key
    (impostor.root / "authorized_keys").write_text(
        (first.root / "client_ed25519.pub").read_text())
    items.update(alice, host, {"ssh_port": impostor.port})
    host.refresh_from_db()
    with pytest.raises(discovery.HostKeyChanged) as changed:
        discovery.discover(host, "ssh", actor=alice)
    message = str(changed.value)
    assert f"The SSH host key of 127.0.0.1:{impostor.port} has changed" in message
    assert first.fingerprint in message and impostor.fingerprint in message
    assert "\n" not in message
    assert SshHostKey.objects.get(host=host).fingerprint == first.fingerprint

    client = verified_client(alice)
    url = f"/cmdb/hosts/{host.pk}/discover/"
    page = client.post(url, {"step": "discover", "method": "ssh"})
    assert "has changed" in page.content.decode()
    assert client.post(url, {"step": "forget"}).status_code == 302
    assert not SshHostKey.objects.filter(host=host).exists()
    assert AuditRecord.objects.filter(action=AuditAction.DELETE,
                                      object_type="cmdb.sshhostkey").exists()
    page = client.post(url, {"step": "discover", "method": "ssh"})
    assert 'data-testid="discovery-diff"' in page.content.decode()
    assert SshHostKey.objects.get(host=host).fingerprint == impostor.fingerprint


def test_refused_credentials_fail_clearly_and_never_leak(
        alice: Any, hospital: Hospital, start_sshd: Callable[[], Sshd], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    sshd = start_sshd()
    caplog.set_level(logging.DEBUG)
    host = use_ssh(alice, hospital.lis_host, sshd, value=PASSWORD, kind=SecretKind.PASSWORD)
    with pytest.raises(discovery.DiscoveryError) as failed:
        discovery.discover(host, "ssh", actor=alice)
    assert str(failed.value) == (f"Authentication failed for root at 127.0.0.1:{sshd.port}: "
                                 "the server refused the credential.")
    # A key the server does not know: the same clear reason.
    stranger = keygen(tmp_path / "stranger")
    host = use_ssh(alice, hospital.his_host, sshd, value=stranger)
    with pytest.raises(discovery.DiscoveryError, match="Authentication failed for root"):
        discovery.discover(host, "ssh", actor=alice)
    assert not SshHostKey.objects.exists()  # nothing is trusted after a failed login
    key_body = stranger.splitlines()[1]
    for leak in (PASSWORD, key_body):
        assert leak not in str(failed.value)
        assert leak not in caplog.text
        assert leak not in audit_text()


def test_a_closed_ssh_port_is_a_refused_connection(
        alice: Any, hospital: Hospital, start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    host = use_ssh(alice, hospital.lis_host, sshd)
    port = free_port()
    items.update(alice, host, {"ssh_port": port})
    host.refresh_from_db()
    with pytest.raises(discovery.DiscoveryError) as refused:
        discovery.discover(host, "ssh", actor=alice)
    assert str(refused.value) == f"Connection refused by 127.0.0.1:{port}."


def test_ssh_needs_a_credential_with_a_user_name(alice: Any, hospital: Hospital) -> None:
    with pytest.raises(discovery.DiscoveryError, match="has no credential"):
        discovery.discover(hospital.lis_host, "ssh", actor=alice)
    secret = secrets.set_secret("nouser", "x" * 20, kind=SecretKind.PASSWORD, actor=alice)
    items.update(alice, hospital.lis_host, {"credential": secret})
    with pytest.raises(discovery.DiscoveryError, match="has no user name"):
        discovery.discover(hospital.lis_host, "ssh", actor=alice)


def test_the_button_include_shows_only_to_those_who_may_discover(
        alice: Any, charlie: Any, hospital: Hospital, rf: Any) -> None:
    from django.template.loader import render_to_string

    def button(user: Any, item: Any) -> str:
        request = rf.get("/")
        request.user = user
        return render_to_string("cmdb/_discover_button.html", {"host": item}, request=request)

    html = button(alice, hospital.lis_host)
    assert f'href="/cmdb/hosts/{hospital.lis_host.pk}/discover/"' in html
    assert button(charlie, hospital.lis_host).strip() == ""
    assert button(alice, hospital.lis).strip() == ""  # a system is not a host



def test_an_endpoint_elsewhere_than_the_host_is_refused(alice: Any, hospital: Hospital) -> None:
    """Discovery must not make the server fetch other addresses of the intranet."""
    host = hospital.lis_host
    items.update(alice, host, {"monitoring_endpoints": [
        {"job": "node", "target": "169.254.169.254:80"}]})
    host.refresh_from_db()
    with pytest.raises(discovery.DiscoveryError, match="is not on SRV-LIS"):
        discovery.discover(host)
