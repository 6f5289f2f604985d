"""``assetmap update AREA --changes FILE.osc[.gz]``: an OSM change file applied to a build.

1. the change file is merged into the build's extract (the area's configured file the first time,
   then ``<build>/osm/extract.osm.pbf``, the last update's result), giving the new extract;
2. the changed ids are widened to the objects whose geometry they move (:func:`changes.affected`);
3. the kept inputs (``<build>/inputs``) are patched: the affected features, streets and places are
   dropped and read again from the new extract alone (``read_pbf(only=...)``), in canonical order;
4. the walk network is read again only when a highway way is affected, else ``network.npz`` stands;
5. the stages after reading run as a refresh does (merge, trust, measures, access, gaps, outputs);
6. the base map is re-cut only in the tiles the changed objects' old or new geometry touches
   (:mod:`assetmap.update.tiles`), or copied when no drawn object changed;
7. the new extract goes into the build (``osm/extract.osm.pbf``) and the build is swapped in.

The result equals a full build of the new extract (tests/test_update.py).
"""
from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..build import UpdateHooks, _stderr, build_area
from ..config import AreaConfig
from ..errors import BuildError
from ..ingest.inputs import BuildInputs
from ..ingest.osm import canonical_order, read_pbf
from ..locks import area_lock
from ..taxonomy import Taxonomy, load_taxonomy
from ..walk.network import WalkNetwork, read_walk_network
from .changes import Affected, affected, apply_changes, header_info, read_changes, stamp_text
from .tiles import recut_basemap

KEPT_EXTRACT = Path("osm") / "extract.osm.pbf"


def current_extract(cfg: AreaConfig, out_dir: Path) -> Path:
    """The extract the build in ``out_dir`` was made from: its last update's, else the configured one."""
    kept = out_dir / KEPT_EXTRACT
    return kept if kept.exists() else cfg.osm.path(cfg.data_root)


def patch_inputs(inputs: BuildInputs, new: Path, old: Path, aff: Affected, tx: Taxonomy, stamp: str | None) -> dict:
    """Replace the affected objects' features, streets and places in ``inputs`` by the new extract's.
    Returns what changed: rows dropped and read, and the highway ways touched."""
    part = read_pbf(new, tx, only=aff)
    was = read_pbf(old, tx, only=aff)  # the old versions' invalid geometries leave the count
    f = inputs.features
    keep = ~pd.Series(aff.mask(f["osm_type"], f["osm_id"]), index=f.index, dtype=bool)
    inputs.features = canonical_order(pd.concat([f[keep], part.features], ignore_index=True))
    s = inputs.streets
    s_keep = ~pd.Series(aff.mask(["way"] * len(s), s["osm_id"]), index=s.index, dtype=bool)
    inputs.streets = pd.concat([s[s_keep], part.streets], ignore_index=True).sort_values(
        "osm_id", kind="stable").reset_index(drop=True)
    if inputs.places is not None:
        p = inputs.places
        p_keep = ~pd.Series(aff.mask(["node"] * len(p), p["osm_id"]), index=p.index, dtype=bool)
        inputs.places = pd.concat([p[p_keep], part.places], ignore_index=True).sort_values(
            "osm_id", kind="stable").reset_index(drop=True)
    counts = dict(inputs.osm_meta["counts"])
    counts.update(features=len(inputs.features), streets=len(inputs.streets),
                  places=len(inputs.places) if inputs.places is not None else counts.get("places", 0))
    counts["invalid_geometries"] = (counts.get("invalid_geometries", 0) - was.counts["invalid_geometries"]
                                    + part.counts["invalid_geometries"])
    inputs.osm_meta = {**inputs.osm_meta, "timestamp": stamp or inputs.osm_meta.get("timestamp"), "counts": counts}
    highways = (~s_keep).any() or len(part.streets) > 0
    return {"features_dropped": int((~keep).sum()), "features_read": int(len(part.features)),
            "streets_dropped": int((~s_keep).sum()), "streets_read": int(len(part.streets)),
            "highways_touched": bool(highways)}


def update_area(cfg: AreaConfig, out_dir: str | Path, changes: str | Path | list, taxonomy: Taxonomy | None = None,
                echo: Callable[[str], None] = _stderr, replication: dict | None = None) -> dict:
    """Apply the OSM change file(s) ``changes`` (oldest first) to the build in ``out_dir``; returns the new
    report (its ``update`` entry says what was redone). ``replication``: the ``base_url``, ``sequence`` and
    ``timestamp`` of the last diff applied, written into the new extract's header."""
    out_dir = Path(out_dir)
    if cfg.osm.format != "pbf":
        raise BuildError(f"{cfg.slug} reads OSM from GDAL layers; updates apply change files to an .osm.pbf extract")
    with area_lock(out_dir):
        files = [Path(c) for c in (changes if isinstance(changes, list) else [changes])]
        return _update(cfg, out_dir, files, taxonomy or load_taxonomy(), echo, replication)


def _update(cfg: AreaConfig, out_dir: Path, changes: list[Path], tx: Taxonomy, echo, replication) -> dict:
    t0 = time.perf_counter()
    inputs = BuildInputs.load(out_dir)
    old = current_extract(cfg, out_dir)
    timings: dict[str, float] = {}
    work = out_dir.with_name(out_dir.name + ".update")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    new = work / "extract.osm.pbf"

    def lap(name: str, since: float) -> float:
        timings[name] = round(time.perf_counter() - since, 3)
        return time.perf_counter()

    t = time.perf_counter()
    cs = read_changes(changes)
    stamp = (replication or {}).get("timestamp") or (stamp_text(cs.newest) if cs.newest else None)
    apply_changes(old, changes, new, stamp,
                  {k: v for k, v in (replication or {}).items() if k in ("base_url", "sequence")})
    stamp = stamp or header_info(new)["timestamp"]
    echo(f"Updating {cfg.name} ({cfg.slug}): {cs.counts()} from {', '.join(map(str, changes))}")
    t = lap("apply_changes", t)
    aff = affected(cs, new)
    t = lap("affected", t)
    patched = patch_inputs(inputs, new, old, aff, tx, stamp)
    t = lap("features", t)
    ucfg = dataclasses.replace(cfg, osm=dataclasses.replace(cfg.osm, file=str(new),
                                                            date=None if stamp else cfg.osm.date))
    if patched["highways_touched"]:
        net = read_walk_network(ucfg.osm, ucfg.data_root)
    else:
        net = WalkNetwork.load(out_dir / "network.npz")
    t = lap("network", t)
    region = inputs.coverage.iloc[0].buffer(cfg.edge_buffer_m)

    def basemap(tmp: Path, files: dict) -> dict:
        report = recut_basemap(old, new, aff, out_dir, tmp, region)
        files["basemap.pmtiles"] = (tmp / "basemap.pmtiles").stat().st_size
        return report

    def keep(tmp: Path, report: dict) -> None:
        (tmp / KEPT_EXTRACT).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(new), tmp / KEPT_EXTRACT)
        final = str(out_dir / KEPT_EXTRACT)
        report["osm"]["file"] = final
        report["sources"][0]["file"] = final
        head = header_info(tmp / KEPT_EXTRACT)
        report["update"] = {"changes": [str(c) for c in changes], **cs.counts(), "affected": aff.counts(), **patched,
                            "network": "read again" if patched["highways_touched"] else "kept",
                            "basemap": report["basemap"].get("update", {}),
                            "timestamp": head["timestamp"], "sequence": head["sequence"],
                            "base_url": head["base_url"]}
        report["timings"] = {**timings, **report["timings"]}
        report["timings"]["update_total"] = round(time.perf_counter() - t0, 3)

    report = build_area(ucfg, out_dir, tx, echo, inputs=inputs, hooks=UpdateHooks(net, basemap, keep))
    shutil.rmtree(work, ignore_errors=True)
    echo(f"Updated {cfg.name} in {report['timings']['update_total']:.1f} s")
    return report
