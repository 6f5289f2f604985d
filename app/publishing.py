"""Publishing registry changes to the map, the lookup and the downloads without a full rebuild.

A curator presses "Publish": every loaded area is refreshed from the inputs its last build kept
plus the registry's published assets (:func:`assetmap.registry.publish.publish_area`, a few
seconds an area), then the site picks the new builds up. Under gunicorn the master is asked
for a graceful reload (``SIGHUP``: new workers on the new builds, old ones finish their
requests, as tested in tests/test_serving.py); in a single process (the development server,
tests) the app's state is loaded again in place.
"""
from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from flask import Flask

from assetmap.config import load_area
from assetmap.registry.publish import publish_area

from .state import AssetmapState

_LOCK = threading.Lock()  # one publish at a time per process


def publish(app: Flask, engine) -> list[dict]:
    """Refresh every loaded area from the registry; returns one summary per area."""
    state = app.extensions["assetmap"]
    root = Path(app.config["ASSETMAP_BUILD_ROOT"])
    done = []
    with _LOCK:
        for slug, ar in state.results.items():
            cfg = load_area(ar.report["area"]["config"], ar.report.get("data_root"))
            report = publish_area(cfg, root, engine)
            regs = {k[len("registry:"):]: v["in_area"] for k, v in report["curated"].items() if k.startswith("registry:")}
            done.append({"slug": slug, "name": cfg.name, "seconds": report["timings"]["total"],
                         "registry": sum(regs.values()), "assets": report["assets"]["total"]})
        reload_builds(app)
    return done


def reload_builds(app: Flask) -> str:
    """Make the site serve the builds now on disk: 'gunicorn' (reload asked) or 'in place'."""
    if app.config.get("SERVED_BY") == "gunicorn":
        os.kill(os.getppid(), signal.SIGHUP)
        return "gunicorn"
    old = app.extensions["assetmap"]
    app.extensions["assetmap"] = AssetmapState.load(Path(app.config["ASSETMAP_BUILD_ROOT"]), default=old.default)
    app.extensions.pop("assetmap_frames", None)
    if "registry" in app.extensions:
        app.extensions["registry"].results = app.extensions["assetmap"].results
    return "in place"
