"""Publishing registry changes to the map, the lookup and the downloads without a full rebuild.

A curator presses "Publish": every loaded area is refreshed from the inputs its last build kept
plus the registry's published assets (:func:`assetmap.registry.publish.publish_area`, a few
seconds an area), then the site picks the new builds up. Under gunicorn the master is asked
for a graceful reload (``SIGHUP``: new workers on the new builds, old ones finish their
requests, as tested in tests/test_serving.py); in a single process (the development server,
tests) the app's state is loaded again in place.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from flask import Flask

from assetmap.config import load_area
from assetmap.errors import BuildError
from assetmap.registry.publish import publish_area, publish_summary

from .registry_setup import attach_registry_services
from .state import AssetmapState

CHILD_SECONDS = 900  # the area lock waits up to 600 s for another publish, then a refresh takes seconds


def publish(app: Flask, engine) -> list[dict]:
    """Refresh every loaded area from the registry; returns one summary per area.

    Concurrent publishes (other workers, the CLI's ``assetmap refresh``) queue on the area's lock
    (:func:`assetmap.locks.area_lock`). Under gevent workers the refresh runs in a child process, so
    the worker's event loop goes on serving other requests meanwhile."""
    state = app.extensions["assetmap"]
    root = Path(app.config["ASSETMAP_BUILD_ROOT"])
    done = []
    for ar in state.results.values():
        config, data_root = ar.report["area"]["config"], ar.report.get("data_root")
        if app.config.get("SERVED_BY_GEVENT"):
            done.append(_refresh_in_child(config, data_root, root, engine))
        else:
            cfg = load_area(config, data_root)
            done.append(publish_summary(cfg, publish_area(cfg, root, engine)))
    reload_builds(app)
    return done


def _refresh_in_child(config: str, data_root: str | None, root: Path, engine) -> dict:
    """``assetmap refresh`` in a child process (the database URL passed in its environment, not its arguments)."""
    cmd = [sys.executable, "-m", "assetmap.cli", *(["--data-root", str(data_root)] if data_root else []),
           "refresh", str(config), "--build-root", str(root), "--json"]
    env = {**os.environ, "ASSETMAP_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=CHILD_SECONDS)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise BuildError(f"publishing {Path(config).stem} failed: {last.removeprefix('assetmap: error: ')}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def reload_builds(app: Flask) -> str:
    """Make the site serve the builds now on disk: 'gunicorn' (reload asked) or 'in place'."""
    if app.config.get("SERVED_BY") == "gunicorn":
        os.kill(os.getppid(), signal.SIGHUP)
        return "gunicorn"
    # one new state: page data, ORUK, OGC, models and the page and payload caches together
    old = app.extensions["assetmap"]
    app.extensions["assetmap"] = AssetmapState.load(Path(app.config["ASSETMAP_BUILD_ROOT"]), default=old.default)
    attach_registry_services(app)  # the registry's services in ORUK again, as they are now
    return "in place"
