"""The production server for the benchmarks: `assetmap serve` (gunicorn) on 127.0.0.1 and a free port."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def production_server(build_root, workers: int = 2):
    """Start the server, wait for /healthz, yield its base URL; stop it afterwards."""
    with production_server_process(build_root, workers) as (base, _):
        yield base


@contextmanager
def production_server_process(build_root, workers: int = 2, env: dict | None = None, wait_s: float = 60):
    """:func:`production_server` yielding (base URL, the gunicorn master's ``Popen``); ``env`` for the
    server, ``wait_s`` the longest wait for its first answer."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "assetmap.cli", "serve", "--build-root", str(build_root),
                               "--port", str(port), "--workers", str(workers), "--no-access-log"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(int(wait_s * 2)):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
