"""Benchmark: a cold `assetmap build` of an area, stage by stage, with peak memory, side by
side with a recorded baseline run (bench/baseline.json), and the nearest-distance stage against
the brute-force method it replaces.

    python bench/build_bench.py [AREA] [--runs N] [--save-baseline]

Each run is a fresh process (cold: nothing cached in memory). Prints figures and ratios; it
never fails on a figure, it reports.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = r"""
import json, resource, sys, time
from assetmap.build import build_area
from assetmap.config import load_area
t = time.perf_counter()
r = build_area(load_area(sys.argv[1]), sys.argv[2], echo=lambda m: None)
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"timings": r["timings"], "wall_incl_imports": wall, "peak_rss_mb": round(peak, 1),
                  "assets": r["assets"]["total"], "lsoas": r["neighbourhoods"]["lsoas"]}))
"""


def one_run(area: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, area, str(Path(tmp) / area)],
                             capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res["process_s"] = round(time.perf_counter() - t, 3)
        return res


def nearest_vs_bruteforce(area: str) -> dict:
    """The measures stage's KD-tree against all-pairs distances, on the real build's points."""
    import numpy as np
    from scipy.spatial import cKDTree

    from assetmap.build import build_area
    from assetmap.config import load_area

    with tempfile.TemporaryDirectory() as tmp:
        build_area(load_area(area), Path(tmp) / area, echo=lambda m: None)
        import geopandas as gpd
        import pandas as pd
        a = gpd.read_parquet(Path(tmp) / area / "assets.parquet")
        pcs = pd.read_parquet(Path(tmp) / area / "postcodes.parquet")
    xy = pcs[["x", "y"]].to_numpy()
    cats = a["categories"].str.split(";")
    names = sorted({c for cs in cats for c in cs})
    t = time.perf_counter()
    kd = {}
    for c in names:
        m = cats.map(lambda cs, c=c: c in cs).to_numpy()
        kd[c], _ = cKDTree(np.column_stack([a.geometry.x[m], a.geometry.y[m]])).query(xy)
    t_kd = time.perf_counter() - t
    t = time.perf_counter()
    for c in names:
        m = cats.map(lambda cs, c=c: c in cs).to_numpy()
        pts = np.column_stack([a.geometry.x[m], a.geometry.y[m]])
        d = np.sqrt(((xy[:, None, :] - pts[None, :, :]) ** 2).sum(-1)).min(1)
        assert np.allclose(d, kd[c])
    t_bf = time.perf_counter() - t
    return {"origins": len(xy), "categories": len(names), "kdtree_s": round(t_kd, 4), "bruteforce_s": round(t_bf, 4)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("area", nargs="?", default="chesterfield")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--save-baseline", action="store_true")
    args = p.parse_args()
    runs = [one_run(args.area) for _ in range(args.runs)]
    best = min(runs, key=lambda r: r["timings"]["total"])
    base_file = HERE / "baseline.json"
    base = json.loads(base_file.read_text()).get(args.area) if base_file.exists() else None
    print(f"Cold build of {args.area}: {args.runs} runs, best shown ({best['lsoas']} LSOAs, {best['assets']} assets)")
    print(f"{'stage':16}{'now (s)':>10}{'baseline':>10}{'ratio':>8}")
    for k, v in best["timings"].items():
        b = base["timings"].get(k) if base else None
        ratio = f"{v / b:.2f}" if b else "-"
        print(f"{k:16}{v:10.2f}{(b if b is not None else float('nan')):10.2f}{ratio:>8}")
    for k in ("process_s", "peak_rss_mb"):
        b = base.get(k) if base else None
        print(f"{k:16}{best[k]:10.1f}{(b if b is not None else float('nan')):10.1f}{(f'{best[k] / b:.2f}' if b else '-'):>8}")
    print("all runs, total s:", [r["timings"]["total"] for r in runs])
    nn = nearest_vs_bruteforce(args.area)
    print(f"nearest distance, {nn['origins']} postcodes x {nn['categories']} categories: KD-tree {nn['kdtree_s']} s, "
          f"all-pairs {nn['bruteforce_s']} s, ratio {nn['bruteforce_s'] / max(nn['kdtree_s'], 1e-9):.1f}x")
    if args.save_baseline:
        data = json.loads(base_file.read_text()) if base_file.exists() else {}
        data[args.area] = {"timings": best["timings"], "process_s": best["process_s"],
                           "peak_rss_mb": best["peak_rss_mb"], "recorded": time.strftime("%Y-%m-%d"),
                           "machine": "2 cores, 24 GiB (project standard machine)"}
        base_file.write_text(json.dumps(data, indent=1) + "\n")
        print(f"baseline saved to {base_file}")


if __name__ == "__main__":
    main()
