"""The SSH collector against a real OpenSSH server started by the test (generated host
and client keys, root login on loopback), and the sshcollect parser's properties."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from careops.core.tests import sshd_support
from careops.core.tests.sshd_support import Sshd
from careops.logic.promtext import Sample
from careops.monitoring.collectors import CheckSpec, CollectResult, Credential, run
from careops.monitoring.tests import collect_peers
from careops.monitoring.tests.collect_peers import HttpPeer, SilentPeer

english_reasons = collect_peers.english_reasons
start_sshd = sshd_support.start_sshd
silent_peer = collect_peers.silent_peer
http_peer = collect_peers.http_peer

pytestmark = pytest.mark.slow


def spec(sshd: Sshd, **params: object) -> CheckSpec:
    state = params.pop("state", {})
    params.setdefault("known_host", sshd.public_host_key)
    return CheckSpec("ssh", f"127.0.0.1:{sshd.port}", params, timeout_s=20,
                     credential=Credential("root", private_key=sshd.client_key),
                     state=state)  # type: ignore[arg-type]


def named(result: CollectResult, name: str) -> list[Sample]:
    return [s for s in result.samples if s.name == name]


def one(result: CollectResult, name: str) -> float:
    found = named(result, name)
    assert len(found) == 1, (name, found)
    return found[0].value


@pytest.mark.real_clock
def test_it_collects_a_linux_host_with_node_exporter_names(
        start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    result = run(spec(sshd))
    assert (result.status, result.error) == ("ok", "")
    cpus = named(result, "node_cpu_seconds_total")
    assert {s.labels["mode"] for s in cpus} >= {"user", "system", "idle", "iowait"}
    assert {s.labels["cpu"] for s in cpus} == {str(i) for i in range(os.cpu_count() or 1)}
    assert one(result, "node_memory_MemTotal_bytes") > one(
        result, "node_memory_MemAvailable_bytes") > 0
    root = [s for s in named(result, "node_filesystem_size_bytes")
            if s.labels["mountpoint"] == "/"]
    assert len(root) == 1 and root[0].labels["fstype"] != "unknown"
    stat = os.statvfs("/")
    assert root[0].value == stat.f_blocks * stat.f_frsize
    assert [s.labels["mountpoint"] for s in named(result, "node_filesystem_files")
            if s.labels["mountpoint"] == "/"] == ["/"]
    assert one(result, "node_load1") >= 0
    boot = one(result, "node_boot_time_seconds")
    assert boot == pytest.approx(time.time() - time.clock_gettime(time.CLOCK_BOOTTIME),
                                 abs=2)
    assert abs(one(result, "careops_clock_offset_seconds")) < 1  # same machine, same clock
    assert one(result, "up") == 1
    assert result.state == {"logs": {}}  # a pinned key is not echoed back


def test_it_counts_only_new_error_lines_and_follows_rotation(
        start_sshd: Callable[[], Sshd], tmp_path: Path) -> None:
    sshd = start_sshd()
    log = tmp_path / "his app.log"  # a space, to prove the quoting
    log.write_text("2026-01-01 ERROR old failure, already there\n")
    path = str(log)
    first = run(spec(sshd, logs=[path]))
    assert first.status == "ok"
    assert one(first, "careops_log_error_lines") == 0  # the first run notes the end
    assert first.state["logs"][path]["offset"] == log.stat().st_size

    with log.open("a") as handle:
        handle.write("info: fine\nFATAL: database connection lost\nWarning: Failed login\n"
                     "ok\n")
    second = run(spec(sshd, logs=[path], state=first.state))
    assert one(second, "careops_log_error_lines") == 2
    assert second.state["log_examples"] == {path: ["FATAL: database connection lost",
                                                   "Warning: Failed login"]}
    third = run(spec(sshd, logs=[path], state=second.state))
    assert one(third, "careops_log_error_lines") == 0 and "log_examples" not in third.state

    log.rename(tmp_path / "his app.log.1")  # logrotate: a new file, a new inode
    log.write_text("panic: kernel\n")
    rotated = run(spec(sshd, logs=[path], state=third.state))
    assert one(rotated, "careops_log_error_lines") == 1
    log.write_text("")  # copytruncate: the same inode, shorter
    with log.open("a") as handle:
        handle.write("error 1\n")
    truncated = run(spec(sshd, logs=[path], state=rotated.state))
    assert one(truncated, "careops_log_error_lines") == 1


def test_a_log_file_past_the_read_limit_is_read_from_its_tail(
        start_sshd: Callable[[], Sshd], tmp_path: Path) -> None:
    sshd = start_sshd()
    log = tmp_path / "big.log"
    log.write_text("")
    first = run(spec(sshd, logs=[str(log)]))
    log.write_text("error old\n" * 1000 + "ok\n" * 200 + "fatal new\n")
    result = run(spec(sshd, logs=[str(log)], pattern="FATAL", log_max_bytes=1024,
                      state=first.state))
    assert one(result, "careops_log_error_lines") == 1
    assert one(result, "careops_log_skipped_bytes") == log.stat().st_size - 1024


def test_a_missing_log_file_is_reported_not_fatal(start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    result = run(spec(sshd, logs=["/nonexistent/app.log"]))
    assert result.status == "ok"
    assert one(result, "careops_log_readable") == 0
    assert named(result, "careops_log_error_lines") == []


def test_it_refuses_a_host_whose_key_is_not_the_pinned_one(
        start_sshd: Callable[[], Sshd]) -> None:
    sshd, impostor = start_sshd(), start_sshd()
    result = run(spec(impostor, known_host=sshd.public_host_key))
    assert result.status == "failed"
    assert result.error.startswith(f"The SSH host key of 127.0.0.1:{impostor.port} is not "
                                   "the pinned one (offered SHA256:")
    assert one(result, "up") == 0


def test_it_sends_nothing_without_a_pinned_key_unless_told_to_accept(
        start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    refused = run(spec(sshd, known_host=""))
    assert refused.status == "failed" and refused.error.startswith("No pinned host key")
    accepted = run(spec(sshd, known_host="", accept_unknown_host_key=True))
    assert accepted.status == "ok"
    assert accepted.state["host_key"].split()[:2] == sshd.public_host_key.split()[:2]
    known_hosts_line = f"[127.0.0.1]:{sshd.port} {sshd.public_host_key}"
    assert run(spec(sshd, known_host=known_hosts_line)).status == "ok"


def test_a_refused_password_fails_naming_the_user(start_sshd: Callable[[], Sshd]) -> None:
    sshd = start_sshd()
    result = run(CheckSpec("ssh", f"127.0.0.1:{sshd.port}",
                           {"known_host": sshd.public_host_key}, timeout_s=20,
                           credential=Credential("root", password="Wrong-Horse-77")))
    assert (result.status, result.error) == (
        "failed", f"Authentication failed for root at 127.0.0.1:{sshd.port}.")
    assert "Wrong-Horse" not in repr(result)


def test_it_times_out_on_a_silent_server_and_fails_on_a_non_ssh_one(
        silent_peer: SilentPeer, http_peer: HttpPeer) -> None:
    credential = Credential("root", password="x")
    silent = run(CheckSpec("ssh", silent_peer.target, {"accept_unknown_host_key": True},
                           timeout_s=1, credential=credential))
    assert (silent.status, silent.error) == ("timeout", "No answer within 1 s.")
    http_peer.text("/", "hello")
    other = run(CheckSpec("ssh", http_peer.target, {"accept_unknown_host_key": True},
                          timeout_s=5, credential=credential))
    assert other.status == "failed"


def test_it_needs_a_credential() -> None:
    result = run(CheckSpec("ssh", "127.0.0.1:22", {"accept_unknown_host_key": True}))
    assert (result.status, result.error) == (
        "failed", "The SSH check has no credential with a user name.")
    bad_logs = run(CheckSpec("ssh", "127.0.0.1:22", {"accept_unknown_host_key": True,
                                                     "logs": ["relative.log"]},
                             credential=Credential("root", "pw")))
    assert bad_logs.error == "Parameter logs must list absolute file paths."
