"""`careops up` starts the web server, the worker and the metric collector as one process
tree and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local test server)
        return response.status, response.read().decode("utf-8")


def test_it_runs_the_platform_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREOPS_", "DATABASE_URL", "REDIS_URL", "PYTEST"))}
    env["CAREOPS_VAR_DIR"] = str(tmp_path / "var")
    log_path = tmp_path / "up.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "careops.cli", "up", "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        page = ""
        while time.monotonic() < deadline:
            try:
                status, page = _get(f"http://127.0.0.1:{port}/login/")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        assert "csrfmiddlewaretoken" in page
        # Served locally, no CDN: every script and stylesheet comes from this server.
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
        assert assets and all(a.startswith("/static/") for a in assets)
        status, _ = _get(f"http://127.0.0.1:{port}{assets[0]}")
        assert status == 200
        assert (tmp_path / "var" / "careops.sqlite3").exists()
        assert (tmp_path / "var" / "huey.sqlite3").exists()
        while time.monotonic() < deadline and not all(
                started in log_path.read_text()
                for started in ("Huey consumer started", "Collecting (zone all")):
            time.sleep(0.2)
        # Ctrl-C in a terminal signals the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    output = log_path.read_text()
    assert proc.returncode == 0, output
    # The three accounts of the separation of duties, passwords printed once.
    for account in ("admin", "secadmin", "auditadmin"):
        assert re.search(rf"account '{account}' with password: \S{{16}}", output), output
    assert "Huey consumer started" in output
    assert "Collecting (zone all" in output and "Collector stopped." in output
    assert "CareOps stopped." in output
    assert "Traceback" not in output
    # Nothing of the tree is left running.
    leftover = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True,
                              check=False)
    assert leftover.stdout.strip() == ""


def test_its_children_die_with_it(tmp_path: Path) -> None:
    """A supervisor killed outright (OOM killer, kill -9) leaves no orphan behind."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREOPS_", "DATABASE_URL", "REDIS_URL", "PYTEST"))}
    env["CAREOPS_VAR_DIR"] = str(tmp_path / "var")
    proc = subprocess.Popen(
        [sys.executable, "-m", "careops.cli", "up", "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    children: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(children) < 3:
            found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                   text=True, check=False).stdout.split()
            children = [int(pid) for pid in found]
            time.sleep(0.3)
        assert len(children) == 3  # web, worker, collector
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 20
        alive = list(children)
        while alive and time.monotonic() < deadline:
            alive = [pid for pid in alive if _running(pid)]
            time.sleep(0.2)
        assert alive == []
    finally:
        for pid in children:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of a dead parent is reaped by init; treat "Z" as gone.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split()[2] != "Z"


def test_it_creates_the_first_accounts_only_once(db: object) -> None:
    from careops.core.bootstrap import create_first_accounts
    from careops.core.models import AuditRecord, User

    first = create_first_accounts()
    assert [(a.username, a.role) for a in first] == [
        ("admin", "system_admin"), ("secadmin", "security_admin"), ("auditadmin", "audit_admin")]
    assert create_first_accounts() == []
    admin = User.objects.get(username="admin")
    assert admin.must_change_password
    assert admin.check_password(first[0].password)
    created = AuditRecord.objects.filter(action="create", object_type="core.user")
    assert created.count() == 3
    assert all("password" not in r.changes or r.changes["password"][1] == "******"
               for r in created)
