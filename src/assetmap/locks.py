"""A lock that holds across processes: one build or refresh of an area at a time.

A build writes ``build/<slug>.building`` and swaps it in; two at once (two Publish clicks served
by two workers, or the web's Publish and the CLI's ``assetmap refresh``) would delete each other's
folder. :func:`area_lock` takes ``build/<slug>.lock`` with ``fcntl.flock``: the others wait their
turn (polling, so a cooperative server keeps serving while they wait) and then run, each on the
build the previous one left. The kernel drops the lock when its holder exits, even when killed,
so a crashed build never leaves the area locked.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from .errors import BuildError

WAIT_SECONDS = 600.0  # a full build takes under a minute; a refresh a few seconds
# lock paths this thread (or greenlet: each has its own context) holds: taking one again inside is a no-op
_held: ContextVar[frozenset] = ContextVar("assetmap_area_locks", default=frozenset())


@contextmanager
def area_lock(out_dir: str | Path, wait: float = WAIT_SECONDS, poll: float = 0.1):
    """Hold ``<out_dir>.lock`` (exclusive, across processes and threads) for the ``with`` block."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.with_name(out_dir.name + ".lock")
    key = str(path.resolve())
    if key in _held.get():
        yield path
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildError(f"another build or refresh of {out_dir.name} has held {path} for over "
                                     f"{wait:.0f} s; wait for it to finish (or stop it) and try again") from None
                time.sleep(poll)
        token = _held.set(_held.get() | {key})
        try:
            yield path
        finally:
            _held.reset(token)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
