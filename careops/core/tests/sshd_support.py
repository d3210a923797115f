"""A real OpenSSH server for tests, started on a free loopback port with a generated
host key and a client key authorised for root (tests run as root in CI).

    from careops.core.tests.sshd_support import Sshd, start_sshd  # noqa: F401 (fixture)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from careops.core.tests.processes import free_port

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {process.stderr.read().decode()[-500:]}"
                               if process.stderr else f"{name} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on {port}")


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "careops-test",
                    "-f", str(path)], check=True)
    return path.read_text()


def fingerprint(public_key_file: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(public_key_file)],
                         check=True, capture_output=True, text=True).stdout
    return out.split()[1]


class Sshd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.host_key = root / "host_ed25519"
        keygen(self.host_key)
        self.client_key = keygen(root / "client_ed25519")
        (root / "authorized_keys").write_text((root / "client_ed25519.pub").read_text())
        self.config = root / "sshd_config"
        self.config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {self.host_key}",
            f"AuthorizedKeysFile {root / 'authorized_keys'}", f"PidFile {root / 'sshd.pid'}",
            "UsePAM no", "StrictModes no", "PermitRootLogin yes",
            "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes", "LogLevel VERBOSE", ""]))
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, self.process, "sshd")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.root / "host_ed25519.pub")

    @property
    def public_host_key(self) -> str:
        """The host key as one OpenSSH line ("ssh-ed25519 AAAA… comment")."""
        return (self.root / "host_ed25519.pub").read_text().strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def start_sshd(tmp_path: Path) -> Iterator[Callable[[], Sshd]]:
    from conftest import require_service

    require_service("sshd")
    if os.geteuid() != 0:
        pytest.skip("the test sshd logs in as root and must run as root")
    started: list[Sshd] = []

    def start() -> Sshd:
        root = tmp_path / f"sshd{len(started)}"
        root.mkdir()
        server = Sshd(root)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
