"""Benchmark: walking access on the real Chesterfield extract, side by side with the baselines.

    python bench/access_bench.py [AREA] [--pairs 200] [--skip-national] [--nodes 10000000]

Prints, in one run:
  (a) assetmap's access for every category and family: edge snapping of every postcode and
      asset, then one multi-source Dijkstra per group;
  (b) the per-pair pattern of many osmnx tutorials, ``networkx.shortest_path_length`` for every
      origin-asset pair (nearest-node snapping, as those tutorials do), timed on a random sample
      of pairs and extrapolated to all the pairs the same answer needs;
  (c) reading the walk network: osmnx ``graph_from_xml`` (on an .osm XML copy of the same
      extract, written beforehand and not timed), assetmap's reader, and a bare pyosmium scan of
      the file's highway ways (the floor);
  (d) a national-size synthetic run (bench/national_synthetic.py, in its own process for its
      peak memory).
It never fails on a figure; it reports. Needs the test extras (osmnx, networkx).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def best_of(fn, runs: int = 3):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bare_scan(path: Path) -> int:
    import osmium

    n = 0
    for w in osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway")):
        n += len(w.nodes)
    return n


def osmnx_read(xml: Path):
    import osmnx as ox

    return ox.graph_from_xml(xml, bidirectional=True, simplify=True, retain_all=False)


def to_xml(pbf: Path, xml: Path) -> None:
    import osmium

    with osmium.SimpleWriter(str(xml)) as w:
        for obj in osmium.FileProcessor(str(pbf)):
            if obj.is_node():
                w.add_node(obj)
            elif obj.is_way():
                w.add_way(obj)
            elif obj.is_relation():
                w.add_relation(obj)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="walking-access benchmark")
    ap.add_argument("area", nargs="?", default="chesterfield")
    ap.add_argument("--pairs", type=int, default=200, help="origin-asset pairs to time for the per-pair baseline")
    ap.add_argument("--skip-national", action="store_true")
    ap.add_argument("--nodes", type=int, default=10_000_000, help="nodes in the national synthetic network")
    args = ap.parse_args(argv)

    import geopandas as gpd
    import networkx as nx

    from assetmap.build import build_area
    from assetmap.config import load_area
    from assetmap.taxonomy import load_taxonomy
    from assetmap.walk.access import AccessEngine, group_members
    from assetmap.walk.network import read_walk_network
    from assetmap.walk.snapping import Snapper
    from assetmap.walk.stage import access_groups

    cfg = load_area(args.area)
    pbf = cfg.osm.path(cfg.data_root)
    tx = load_taxonomy()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / cfg.slug
        build_area(cfg, out, taxonomy=tx, echo=lambda m: None)
        assets = gpd.read_parquet(out / "assets.parquet")
        access = __import__("pandas").read_parquet(out / "access.parquet", columns=["x", "y"])
        xml = Path(tmp) / "extract.osm"
        to_xml(pbf, xml)

        # (c) reading the network
        t_bare, _ = best_of(lambda: bare_scan(pbf))
        from assetmap.walk.network import _to_bng
        _to_bng.cache_clear()
        t_cold, _ = best_of(lambda: read_walk_network(cfg.osm, cfg.data_root), runs=1)  # incl. CRS set-up
        t_ours, net = best_of(lambda: read_walk_network(cfg.osm, cfg.data_root))
        t_osmnx, g_ox = best_of(lambda: osmnx_read(xml), runs=1)

    # (a) assetmap access, all groups
    cats = [c.split(";") for c in assets["categories"]]
    groups = access_groups(tx)
    masks = group_members(cats, groups)

    def ours():
        sn = Snapper(net)
        o = sn.snap(access["x"].to_numpy(), access["y"].to_numpy())
        a = sn.snap(assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy())
        eng = AccessEngine.contracted(net, o, a)
        return {g: eng.nearest(m) for g, m in masks.items()}

    t_access, res = best_of(ours)

    # (b) per-pair networkx, nearest-node snapping, on a sample of the pairs the same answer needs
    G = nx.Graph()
    G.add_weighted_edges_from(zip(net.u.tolist(), net.v.tolist(), net.length.tolist(), strict=False), weight="length")
    from scipy.spatial import cKDTree
    main_nodes = np.flatnonzero(net.component == 0)
    tree = cKDTree(np.column_stack([net.x[main_nodes], net.y[main_nodes]]))
    o_node = main_nodes[tree.query(access[["x", "y"]].to_numpy())[1]]
    a_node = main_nodes[tree.query(np.column_stack([assets.geometry.x, assets.geometry.y]))[1]]
    total_pairs = len(access) * int(sum(m.sum() for m in masks.values()))
    rng = np.random.default_rng(0)
    oi = rng.integers(0, len(o_node), args.pairs)
    ai = rng.integers(0, len(a_node), args.pairs)
    t = time.perf_counter()
    for i, j in zip(oi, ai, strict=False):
        nx.shortest_path_length(G, int(o_node[i]), int(a_node[j]), weight="length")
    per_pair = (time.perf_counter() - t) / args.pairs
    t_pairs = per_pair * total_pairs

    report = {
        "area": cfg.slug,
        "network": net.summary(),
        "origins": int(len(access)), "assets": int(len(assets)), "groups": len(groups),
        "a_assetmap_access_s": round(t_access, 3),
        "b_per_pair_s_per_pair": round(per_pair, 5), "b_pairs_needed": total_pairs,
        "b_per_pair_extrapolated_s": round(t_pairs, 1),
        "speedup_vs_per_pair": round(t_pairs / t_access),
        "c_bare_scan_s": round(t_bare, 3), "c_assetmap_network_s": round(t_ours, 3),
        "c_assetmap_network_first_call_s": round(t_cold, 3),
        "c_osmnx_graph_from_xml_s": round(t_osmnx, 3),
        "c_osmnx_graph": {"nodes": g_ox.number_of_nodes(), "edges": g_ox.number_of_edges()},
        "network_vs_osmnx": round(t_osmnx / t_ours, 1),
        "network_vs_bare_scan": round(t_ours / t_bare, 2),
    }
    print(f"Walking access benchmark: {cfg.name} ({report['network']['nodes']:,} nodes, "
          f"{report['network']['segments']:,} segments; {len(access):,} origins, {len(assets)} assets, {len(groups)} groups)")
    print(f"  (a) assetmap, every category and family       {t_access:10.3f} s")
    print(f"  (b) networkx per pair, {total_pairs:,} pairs        {t_pairs:10.0f} s  "
          f"({per_pair * 1000:.1f} ms a pair over {args.pairs} pairs)  -> assetmap {report['speedup_vs_per_pair']:,}x faster")
    print(f"  (c) osmnx graph_from_xml                      {t_osmnx:10.3f} s")
    print(f"      assetmap read_walk_network                {t_ours:10.3f} s  -> {report['network_vs_osmnx']}x faster than osmnx"
          f"  (first call in a process, with the CRS set-up: {t_cold:.3f} s)")
    print(f"      bare pyosmium scan of highway ways        {t_bare:10.3f} s  -> assetmap {report['network_vs_bare_scan']}x the floor")
    if not args.skip_national:
        run = subprocess.run([sys.executable, str(HERE / "national_synthetic.py"), "--nodes", str(args.nodes)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print("  (d) national synthetic run failed:\n" + run.stderr[-2000:])
        else:
            nat = json.loads(run.stdout.strip().splitlines()[-1])
            report["d_national"] = nat
            print(f"  (d) national synthetic: {nat['nodes']:,} nodes, {nat['postcodes']:,} postcodes, "
                  f"{nat['lsoas']:,} LSOAs, {nat['categories']} categories, {nat['assets']:,} assets")
            print(f"      total {nat['timings_s']['total']:.1f} s, peak memory {nat['peak_rss_gb']:.2f} GB; "
                  f"stages {nat['timings_s']}")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
