"""A national-size synthetic run of the access engine, in its own process (for peak memory).

    python bench/national_synthetic.py [--nodes 10_000_000] [--lsoas 33755] [--categories 10]

The street network is a jittered grid of junctions (about 80 m blocks, 15% of streets missing)
whose streets are cut into segments by shape nodes, as OSM ways are, to about ``--nodes`` nodes;
postcodes (40 per LSOA, England's average) are scattered over it, and each of the categories
gets a national-scale number of assets. Then exactly what the build does: snap every postcode
and asset to its nearest edge, one multi-source Dijkstra per category, means per LSOA.
Prints one JSON line: stage times, sizes and peak memory.
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

from assetmap.walk.access import AccessEngine  # noqa: E402
from assetmap.walk.network import WalkNetwork, _components  # noqa: E402
from assetmap.walk.snapping import Snapper  # noqa: E402

# national-scale counts (England, order of magnitude): GP practices, pharmacies, libraries,
# community centres and halls, parks, places of worship, schools, food banks, warm spaces, men's sheds
CATEGORY_SIZES = [6_300, 11_000, 3_000, 15_000, 27_000, 40_000, 20_000, 2_500, 4_000, 600]


def synthetic_network(target_nodes: int, seed: int = 0, block: float = 80.0) -> WalkNetwork:
    rng = np.random.default_rng(seed)
    shape_per_street = 1.5  # OSM ways carry shape nodes between junctions
    m = int(np.sqrt(target_nodes / (1 + 2 * 0.85 * shape_per_street)))  # 85% of streets kept
    jx = np.arange(m)[:, None] * block + rng.uniform(-block / 5, block / 5, (m, m))
    jy = np.arange(m)[None, :] * block + rng.uniform(-block / 5, block / 5, (m, m))
    idx = np.arange(m * m).reshape(m, m)
    a = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    b = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    keep = rng.random(len(a)) > 0.15
    a, b = a[keep], b[keep]
    k = rng.poisson(shape_per_street, len(a))  # shape nodes on each street
    n_j = m * m
    total_shape = int(k.sum())
    x = np.empty(n_j + total_shape)
    y = np.empty(n_j + total_shape)
    x[:n_j], y[:n_j] = jx.ravel(), jy.ravel()
    street = np.repeat(np.arange(len(a)), k)
    pos = np.arange(total_shape) - np.repeat(np.cumsum(k) - k, k)  # 0..k-1 along each street
    frac = (pos + 1) / np.repeat(k + 1, k)
    bend = rng.uniform(-3, 3, (total_shape, 2))
    x[n_j:] = x[a[street]] + frac * (x[b[street]] - x[a[street]]) + bend[:, 0]
    y[n_j:] = y[a[street]] + frac * (y[b[street]] - y[a[street]]) + bend[:, 1]
    # each street is the chain a - s1 - s2 ... - b
    shape_ids = n_j + np.arange(total_shape)
    starts = np.cumsum(k) - k
    first = np.where(k > 0, shape_ids[np.minimum(starts, total_shape - 1)], b)
    u = [a, shape_ids[pos < np.repeat(k - 1, k)]]
    v = [first, shape_ids[pos < np.repeat(k - 1, k)] + 1]
    last = k > 0
    u.append(shape_ids[starts[last] + k[last] - 1])
    v.append(b[last])
    u, v = np.concatenate(u), np.concatenate(v)
    u, v = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    return WalkNetwork(x, y, u, v, length, _components(len(x), u, v), ways=len(a))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=10_000_000)
    ap.add_argument("--lsoas", type=int, default=33_755)
    ap.add_argument("--postcodes-per-lsoa", type=int, default=40)
    ap.add_argument("--categories", type=int, default=10)
    args = ap.parse_args(argv)
    t = {}
    t0 = time.perf_counter()
    net = synthetic_network(args.nodes)
    t["network"] = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    lo, hi = np.array([net.x.min(), net.y.min()]), np.array([net.x.max(), net.y.max()])
    n_pc = args.lsoas * args.postcodes_per_lsoa
    pcs = rng.uniform(lo, hi, (n_pc, 2))
    lsoa = np.sort(rng.integers(0, args.lsoas, n_pc))  # stand-in for point-in-polygon
    sizes = (CATEGORY_SIZES * (args.categories // len(CATEGORY_SIZES) + 1))[:args.categories]
    assets = rng.uniform(lo, hi, (sum(sizes), 2))
    cat_of = np.repeat(np.arange(args.categories), sizes)

    t0 = time.perf_counter()
    snapper = Snapper(net)
    t["snap_index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    o = snapper.snap(pcs[:, 0], pcs[:, 1])
    a = snapper.snap(assets[:, 0], assets[:, 1])
    t["snap"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    eng = AccessEngine.contracted(net, o, a)
    t["contract_and_graph"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    means = []
    for c in range(args.categories):
        res = eng.nearest(cat_of == c)
        means.append(np.bincount(lsoa, weights=res.dist, minlength=args.lsoas) / np.maximum(np.bincount(lsoa, minlength=args.lsoas), 1))
    t["nearest_all_categories"] = time.perf_counter() - t0
    t["total"] = sum(t.values())
    out = {
        "nodes": int(net.n_nodes), "segments": int(net.n_segments), "postcodes": int(n_pc), "lsoas": args.lsoas,
        "categories": args.categories, "assets": int(len(assets)),
        "mean_walk_m": round(float(np.mean([m.mean() for m in means])), 1),
        "timings_s": {k: round(v, 2) for k, v in t.items()},
        "per_category_s": round(t["nearest_all_categories"] / args.categories, 2),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2, 2),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
