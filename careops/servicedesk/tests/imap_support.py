"""A real IMAP server for the email intake tests: Debian's dovecot, started per test.

Each test gets its own dovecot instance in a fresh directory: listening on 127.0.0.1
on a free port, plain-text login allowed (no TLS; a test on the loopback only), one
user from a passwd-file, mail in a maildir. As root (CI) the mail files belong to
``nobody``; as another user, dovecot runs entirely as that user. Test mail is
delivered by IMAP APPEND, a real IMAP operation, and the folder is recreated (IMAP
DELETE + CREATE) to change its UIDVALIDITY.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from careops.core.tests.processes import free_port
from careops.logic.mail import imap_folder
from conftest import require_service

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "helpdesk@hospital.example", "Imap-Pa55-w0rd"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            status, data = conn.append(imap_folder(folder), None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def recreate(self, folder: str) -> None:
        """Delete and create ``folder`` again: the server gives it a new UIDVALIDITY."""
        conn = self.connect()
        try:
            conn.delete(imap_folder(folder))
            status, data = conn.create(imap_folder(folder))
            assert status == "OK", data
        finally:
            conn.logout()

    def create(self, folder: str) -> None:
        conn = self.connect()
        try:
            status, data = conn.create(imap_folder(folder))
            assert status == "OK", data
        finally:
            conn.logout()

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    require_service("dovecot")
    root = Path(tempfile.mkdtemp(prefix="careops-imap-"))
    root.chmod(0o755)
    home = root / "home"
    home.mkdir()
    if os.geteuid() == 0:
        uid = gid = 65534  # nobody: dovecot refuses mail access as root
        users = ""
    else:
        uid, gid = os.getuid(), os.getgid()
        name = getpass.getuser()
        users = f"default_login_user = {name}\ndefault_internal_user = {name}\n"
    os.chown(home, uid, gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::\n")
    port = free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, users=users))
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = ImapServer(port=port, root=root)
    try:
        if not _wait_for(port, proc):
            proc.kill()
            _out, err = proc.communicate(timeout=10)
            pytest.fail(f"dovecot did not start: {err.decode(errors='replace')}\n{server.log}")
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
