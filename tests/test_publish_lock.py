"""Concurrent publishes queue on a lock that holds across processes (build/<slug>.lock) and all
succeed in turn: never a FileNotFoundError on build/<slug>.building, never a lost build."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from assetmap.config import load_area
from assetmap.errors import BuildError
from assetmap.locks import area_lock
from assetmap.outputs.read import AreaResults

HOLD = ("import sys, time\nfrom assetmap.locks import area_lock\n"
        "with area_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))\n")


def test_the_lock_holds_across_processes_and_is_reentrant(tmp_path):
    out = tmp_path / "area"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    t0 = time.monotonic()
    with area_lock(out):
        waited = time.monotonic() - t0
        with area_lock(out):  # the same thread again: no deadlock
            pass
    holder.wait(10)
    assert waited > 0.8, f"took the lock after {waited:.2f} s while another process held it"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out), "3"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(BuildError, match="another build or refresh of area has held"):
        with area_lock(out, wait=0.3):
            pass
    holder.kill()
    holder.wait(10)
    with area_lock(out, wait=1):  # a killed holder leaves nothing locked
        pass


@pytest.fixture()
def kept_copy(chesterfield, tmp_path, data_root):
    out, _ = chesterfield
    root = tmp_path / "build"
    shutil.copytree(out, root / "chesterfield")
    return load_area("chesterfield", data_root), root


def test_concurrent_publishes_all_succeed_in_turn(kept_copy, registry_url, tmp_path, data_root):
    """Three CLI `assetmap refresh` processes and one in-process publish at once: all succeed, and the
    build left is whole and has the registry's asset."""
    from assetmap.registry.db import make_engine, upgrade
    from assetmap.registry.importer import import_file
    from assetmap.registry.publish import publish_area

    cfg, root = kept_copy
    engine = make_engine(registry_url)
    upgrade(engine)
    (tmp_path / "club.csv").write_text("id,name,category,postcode,lat,lon\n"
                                       "c1,Queue Lunch Club,lunch_club,S40 1LP,53.2352,-1.4230\n")
    assert import_file(engine, tmp_path / "club.csv", "spire").counts["accepted"] == 1
    cmd = [sys.executable, "-m", "assetmap.cli", "--data-root", str(data_root), "refresh", "chesterfield",
           "--build-root", str(root), "--registry", registry_url]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}) for _ in range(3)]
    errors = []

    def in_process():
        try:
            publish_area(cfg, root, engine)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))

    thread = threading.Thread(target=in_process)
    thread.start()
    outs = [p.communicate(timeout=240) for p in procs]
    thread.join(240)
    engine.dispose()
    assert not errors, errors
    for p, (out, err) in zip(procs, outs, strict=False):
        assert p.returncode == 0, err[-2000:]
        assert "refreshed in" in out and "1 registry assets" in out, out
    assert sorted(x.name for x in root.iterdir()) == ["chesterfield", "chesterfield.lock"]
    ar = AreaResults(root / "chesterfield")
    assert ar.assets["name"].eq("Queue Lunch Club").sum() == 1
