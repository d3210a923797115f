"""Real servers the monitoring tests start on loopback, in a temporary directory, and
stop after: VictoriaMetrics, node_exporter, and a socket that accepts and never answers."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes] | None, name: str,
              timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (local test server)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout_s} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
