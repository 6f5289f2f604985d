"""A production server for tests: `assetmap serve` (gunicorn, 2 gevent workers) on 127.0.0.1 and a free port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def linked_build_root(tmp: Path, built: Path) -> Path:
    """A build root under ``tmp`` holding ``built``'s Chesterfield build by symlink (no copy)."""
    root = tmp / "build"
    root.mkdir()
    (root / "chesterfield").symlink_to((built / "chesterfield").resolve(), target_is_directory=True)
    return root


@contextmanager
def assetmap_serve(root: Path, *args: str, env: dict | None = None, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, wait_s: float = 60):
    """`assetmap serve --build-root root --port <free> --workers 2 *args`, waited for until /healthz
    answers (a failed test with the server's last output otherwise); yields (base URL, process) and
    stops the server (SIGTERM, then kill) afterwards."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assetmap.cli", "serve", "--build-root", str(root),
                             "--port", str(port), "--workers", "2", *args],
                            stdout=stdout, stderr=stderr, env={**(env or os.environ), "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + wait_s
        while time.time() < deadline:
            try:
                if _get(base + "/healthz", 1)[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            proc.kill()
            said = proc.stderr.read().decode()[-2000:] if stderr == subprocess.PIPE else "see its log"
            pytest.fail(f"the server did not start: {said}")
        yield base, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def gunicorn_server(request, tmp_path, chesterfield_root):
    """`assetmap serve` with 2 gunicorn workers on a free port, over a copy-by-symlink build root.

    More `assetmap serve` arguments by indirect parametrisation, e.g.
    ``@pytest.mark.parametrize("gunicorn_server", [["--worker-class", "sync"]], indirect=True)``."""
    root = linked_build_root(tmp_path, chesterfield_root)
    pid = tmp_path / "gunicorn.pid"
    with assetmap_serve(root, "--pid", str(pid), "--no-access-log", *getattr(request, "param", [])) as (base, proc):
        yield base, proc, pid, root
