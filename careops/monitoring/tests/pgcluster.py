"""A throw-away PostgreSQL cluster from Debian's binaries, for tests that need password
authentication or a streaming standby (the shared server on 5432 trusts everyone).

Run as root, the server processes run as the ``postgres`` user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from careops.core.tests.processes import free_port


def bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


class Cluster:
    def __init__(self, root: Path, name: str, port: int) -> None:
        self.root = root
        self.datadir = root / name
        self.port = port
        self.log = root / f"{name}.log"

    def _run(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        user = None
        if os.geteuid() == 0:
            user = "postgres"
        return subprocess.run(args, check=True, capture_output=True, text=True, user=user,
                              timeout=60, **kw)

    def start(self) -> None:
        self._run(f"{bindir()}/pg_ctl", "-D", str(self.datadir), "-l", str(self.log), "-w",
                  "-t", "60", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
                  "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(f"{bindir()}/pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w",
                      "stop")

    def superuser_dsn(self, dbname: str = "postgres") -> str:
        # The socket directory is trusted (local trust); TCP needs a password.
        return f"host={self.root} port={self.port} dbname={dbname} user=postgres"


@contextlib.contextmanager
def primary_and_standby(with_standby: bool = True) -> Iterator[tuple[Cluster, Cluster | None]]:
    """A primary with scram passwords over TCP, and a streaming standby of it."""
    root = Path(tempfile.mkdtemp(prefix="careops-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    primary = Cluster(root, "primary", free_port())
    standby = Cluster(root, "standby", free_port()) if with_standby else None
    started: list[Cluster] = []
    try:
        primary._run(f"{bindir()}/initdb", "-D", str(primary.datadir), "-U", "postgres",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                     "--no-sync")
        with open(primary.datadir / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
                       "shared_buffers = 16MB\nmax_connections = 30\n")
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            for path in primary.datadir.iterdir():
                if path.is_file():
                    os.chown(path, entry.pw_uid, entry.pw_gid)
        primary.start()
        started.append(primary)
        if standby is not None:
            # Over the socket directory: local connections are trusted.
            standby._run(f"{bindir()}/pg_basebackup", "-h", str(root), "-p",
                         str(primary.port), "-U", "postgres", "-D", str(standby.datadir),
                         "-R", "-w", "--no-sync", "-X", "stream")
            with open(standby.datadir / "postgresql.auto.conf", "a") as conf:
                conf.write(f"primary_conninfo = 'host={root} port={primary.port} "
                           "user=postgres application_name=standby1'\n")
            standby.start()
            started.append(standby)
        yield primary, standby
    finally:
        for cluster in reversed(started):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate: Any, timeout_s: float = 20.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False
