"""Benchmark: the build's bounded walking searches (lookup and catchment pairs) on replicated
real networks, one search over the whole graph against per-cell searches on the subgraph within
reach, side by side.

    python bench/cells_bench.py [AREA] [--copies 1 16 64] [--old-max 16] [--radius 3000]
                                [--cell-km 5] [--cluster]

The area's walk network (default Rutland) is copied N times in memory, side by side on a square
grid (ids shifted, coordinates shifted by the extract's width and height plus 100 m: the copies
are not joined), with 1 origin per 30 walk nodes and 1 asset per 77 (the national synthetic
run's density: 129,400 assets on 10 M nodes), each near a random node. For each N it times
(a) ``AccessEngine.within(radius)``, the whole-graph search (only up to ``--old-max`` copies: it
grows as n²), (b) ``within_cells`` per grid cell in this process and, with ``--cluster``, (c) the
same on a Dask LocalCluster (one worker process per core); checks (b) equals (a) exactly; and
fits the growth exponent t ∝ n^k over the copies. Snapping and contraction are not timed (the
access benchmark covers them). It never fails on a figure; it reports.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from assetmap.config import ComputeSettings, load_area  # noqa: E402
from assetmap.walk.access import AccessEngine  # noqa: E402
from assetmap.walk.cells import within_cells  # noqa: E402
from assetmap.walk.network import WalkNetwork, read_walk_network  # noqa: E402
from assetmap.walk.snapping import Snapper  # noqa: E402


def replicate(net: WalkNetwork, n: int) -> WalkNetwork:
    """``n`` copies of ``net`` on a square grid; each copy's own main component stays labelled 0
    (so points snap within their copy), its other components get labels of their own."""
    cols = int(np.ceil(np.sqrt(n)))
    w, h = net.x.max() - net.x.min() + 100.0, net.y.max() - net.y.min() + 100.0
    k = np.arange(n)
    dx, dy = np.repeat((k % cols) * w, net.n_nodes), np.repeat((k // cols) * h, net.n_nodes)
    shift = np.repeat(k * net.n_nodes, net.n_segments)
    c = np.tile(net.component, n)
    comp = np.where(c == 0, 0, c + np.repeat(k * (int(net.component.max()) + 1), net.n_nodes))
    return WalkNetwork(np.tile(net.x, n) + dx, np.tile(net.y, n) + dy, np.tile(net.u, n) + shift,
                       np.tile(net.v, n) + shift, np.tile(net.length, n), comp, net.ways * n)


def points_near_nodes(net: WalkNetwork, count: int, rng) -> np.ndarray:
    pick = rng.integers(0, net.n_nodes, count)
    return np.column_stack([net.x[pick], net.y[pick]]) + rng.normal(0, 40, (count, 2))


def fit_exponent(ns, ts) -> float | None:
    ok = [(n, t) for n, t in zip(ns, ts, strict=True) if t is not None and t > 0]
    if len(ok) < 2:
        return None
    x, y = np.log([n for n, _ in ok]), np.log([t for _, t in ok])
    return round(float(np.polyfit(x, y, 1)[0]), 2)


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_one(base: WalkNetwork, n: int, args) -> dict:
    rng = np.random.default_rng(n)
    net = replicate(base, n)
    oxy = points_near_nodes(net, net.n_nodes // 30, rng)
    axy = points_near_nodes(net, net.n_nodes // 77, rng)
    sn = Snapper(net)
    eng = AccessEngine.contracted(net, sn.snap(*oxy.T), sn.snap(*axy.T))
    row = {"copies": n, "walk_nodes": net.n_nodes, "routing_nodes": eng.n, "origins": len(oxy), "assets": len(axy)}
    stats: dict = {}
    t = time.perf_counter()
    new = within_cells(eng, args.radius, axy, ComputeSettings(scheduler="none", cell_km=args.cell_km), stats=stats)
    row["cells_s"], row["cells"], row["pairs"] = round(time.perf_counter() - t, 3), stats["cells"], len(new)
    if args.cluster:
        t = time.perf_counter()
        got = within_cells(eng, args.radius, axy, ComputeSettings(scheduler="local", cell_km=args.cell_km))
        row["cluster_s"] = round(time.perf_counter() - t, 3)
        row["cluster_equal"] = bool(got.equals(new))
    if n <= args.old_max:
        t = time.perf_counter()
        old = eng.within(args.radius)
        row["whole_s"] = round(time.perf_counter() - t, 3)
        row["equal"] = bool(old.equals(new))
    row["peak_gib"] = round(peak_gib(), 2)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="bounded walking searches per grid cell vs the whole graph")
    ap.add_argument("area", nargs="?", default="rutland")
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--old-max", type=int, default=16, help="largest N for the whole-graph search")
    ap.add_argument("--radius", type=float, default=3000.0)
    ap.add_argument("--cell-km", type=float, default=5.0)
    ap.add_argument("--cluster", action="store_true", help="also run the cells on a Dask LocalCluster")
    args = ap.parse_args(argv)
    if args.cluster:
        from assetmap import compute
        compute.LOCAL_MIN_WORK = 0  # always on the cluster, to time it

    cfg = load_area(args.area)
    base = read_walk_network(cfg.osm, cfg.data_root)
    rows = []
    print(f"Bounded {args.radius:.0f} m walking pairs on {cfg.name} x N ({base.n_nodes:,} walk nodes a copy), "
          f"{args.cell_km:g} km cells")
    print(f"{'N':>5} {'walk nodes':>11} {'assets':>7} {'pairs':>10} {'cells':>6} {'whole s':>9} {'cells s':>9} "
          f"{'ratio':>7} {'cluster s':>9} {'equal':>6} {'peak GiB':>8}")
    for n in args.copies:
        r = run_one(base, n, args)
        rows.append(r)
        whole, cells = r.get("whole_s"), r["cells_s"]
        ratio = f"{whole / cells:.1f}x" if whole else "-"
        print(f"{n:>5} {r['walk_nodes']:>11,} {r['assets']:>7,} {r['pairs']:>10,} {r['cells']:>6} "
              f"{whole if whole is not None else '-':>9} {cells:>9} {ratio:>7} {r.get('cluster_s', '-'):>9} "
              f"{str(r.get('equal', '-')):>6} {r['peak_gib']:>8}", flush=True)
    ns = [r["walk_nodes"] for r in rows]
    report = {"area": cfg.slug, "radius_m": args.radius, "cell_km": args.cell_km, "rows": rows,
              "exponent_whole": fit_exponent(ns, [r.get("whole_s") for r in rows]),
              "exponent_cells": fit_exponent(ns, [r["cells_s"] for r in rows]),
              "exponent_cluster": fit_exponent(ns, [r.get("cluster_s") for r in rows])}
    print(f"growth t ~ n^k: whole graph k = {report['exponent_whole']}, per cell k = {report['exponent_cells']}"
          + (f", per cell on the cluster k = {report['exponent_cluster']}" if args.cluster else ""))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
