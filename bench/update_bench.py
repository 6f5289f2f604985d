"""How long `assetmap update` takes against a full rebuild of the changed extract.

For an area: the real extract (v1) and a copy with the standard edits (`assetmap.update.derive.sample_edits`:
a library deleted, a street closed, a footway node moved, a community centre added: streets and tiles
change) are written under --work; the change file between them is derived; v1 is built, then
updated with the change file, and v2 is built in full (the rebuild). A second update changes one
asset's name alone (network and tiles kept). Prints one JSON object: times, the update's share of
the rebuild, and both runs' stage timings.

    python bench/update_bench.py [AREA] [--work /work/scratch-update/bench] [--runs 1]
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from assetmap.build import build_area
from assetmap.config import load_area
from assetmap.update.derive import derive_changes, edit_extract, sample_edits
from assetmap.update.stage import KEPT_EXTRACT, update_area

STAMP = "2026-12-01T00:00:00Z"


def _config(area: str, extract: Path, out: Path) -> Path:
    cfg = load_area(area)
    lines = [f'file = "{extract}"' if ln.startswith("file =") else ln
             for ln in Path(cfg.config_path).read_text().splitlines() if not ln.startswith("date =")]
    out.write_text("\n".join(lines) + "\n")
    return out


def _rename_change(extract: Path, osc: Path) -> None:
    import osmium

    osc.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(osc)) as w:
        for n in osmium.FileProcessor(str(extract), osmium.osm.NODE).with_filter(osmium.filter.KeyFilter("amenity")):
            if n.tags.get("amenity") == "community_centre" and n.id > 10**11:
                w.add_node(n.replace(version=n.version + 1, tags={"amenity": "community_centre", "name": "Renamed"}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("area", nargs="?", default="rutland")
    ap.add_argument("--work", default="/work/scratch-update/bench")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    work = Path(args.work) / args.area
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    v1 = load_area(args.area).osm.path(load_area(args.area).data_root)
    v2, osc = work / "v2.osm.pbf", work / "v1-v2.osc.gz"
    edits, added = sample_edits(v1, STAMP)
    edit_extract(v1, v2, edits, added, STAMP)
    counts = derive_changes(v1, v2, osc)
    cfg1 = load_area(_config(args.area, v1, work / "v1.toml"))
    cfg2 = load_area(_config(args.area, v2, work / "v2.toml"))
    quiet = lambda m: None  # noqa: E731
    out: dict = {"area": args.area, "changes": counts, "runs": []}
    for run in range(args.runs):
        b1, b2 = work / f"b1-{run}" / cfg1.slug, work / f"b2-{run}" / cfg1.slug
        build_area(cfg1, b1, echo=quiet)
        t = time.perf_counter()
        upd = update_area(cfg1, b1, osc, echo=quiet)
        t_update = time.perf_counter() - t
        t = time.perf_counter()
        rebuild = build_area(cfg2, b2, echo=quiet)
        t_rebuild = time.perf_counter() - t
        _rename_change(b1 / KEPT_EXTRACT, work / "rename.osc")
        t = time.perf_counter()
        ren = update_area(cfg1, b1, work / "rename.osc", echo=quiet)
        t_rename = time.perf_counter() - t
        out["runs"].append({
            "rebuild_s": round(t_rebuild, 2), "update_s": round(t_update, 2),
            "update_share": round(t_update / t_rebuild, 3), "asset_only_update_s": round(t_rename, 2),
            "asset_only_share": round(t_rename / t_rebuild, 3),
            "rebuild_timings": rebuild["timings"], "update_timings": upd["timings"],
            "asset_only_timings": ren["timings"], "update": upd["update"]})
        shutil.rmtree(b2.parent, ignore_errors=True)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
