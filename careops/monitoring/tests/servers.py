"""Real servers the monitoring tests start on loopback, in a temporary directory, and
stop after: VictoriaMetrics, node_exporter, and a socket that accepts and never answers."""

from __future__ import annotations

import socket
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careops.core.tests.processes import free_port, stop, wait_http


class VictoriaMetrics:
    """``/usr/bin/victoria-metrics`` on a free port with its data in ``root``; stop() and
    start() again keep the data (the same directory and port)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> VictoriaMetrics:
        log = (self.root / "vm.log").open("ab")
        self.process = subprocess.Popen(
            ["victoria-metrics", f"-storageDataPath={self.root / 'data'}",
             f"-httpListenAddr=127.0.0.1:{self.port}", "-search.latencyOffset=0s",
             "-search.disableCache", "-selfScrapeInterval=0", "-loggerLevel=ERROR"],
            stdout=log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/health", self.process, "victoria-metrics")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def force_flush(self) -> None:
        with urllib.request.urlopen(self.url + "/internal/force_flush",  # noqa: S310
                                    timeout=10):
            pass


class NodeExporter:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["prometheus-node-exporter", f"--web.listen-address={self.target}",
             "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
             "--collector.loadavg", "--collector.filesystem", "--collector.uname"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://{self.target}/metrics", self.process, "node_exporter")

    def stop(self) -> None:
        stop(self.process)


class SilentServer:
    """Accepts connections and never answers (a hung exporter)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.target = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def vm_backend(tmp_path: Path, settings: Any) -> Iterator[VictoriaMetrics]:
    """A real VictoriaMetrics, and the platform's metric store pointed at it for the test
    (import it into a test module as ``vm = servers.vm_backend``)."""
    from careops.monitoring.storage import reset_store
    from conftest import require_service

    require_service("victoriametrics")
    server = VictoriaMetrics(tmp_path).start()
    settings.CAREOPS_METRICS_BACKEND = "victoriametrics"
    settings.CAREOPS_VICTORIAMETRICS_URL = server.url
    reset_store()
    yield server
    reset_store()
    server.stop()
