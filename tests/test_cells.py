"""Bounded walking searches per grid cell (assetmap.walk.cells) and their Dask runner
(assetmap.compute): the same pairs, bit for bit, as one search over the whole graph, on a real
network and on a synthetic grid with cell-boundary assets and chains that leave the buffer; and
the same walking-access stage (lookup table, pairs) partitioned on a Dask cluster as unpartitioned."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap import compute
from assetmap.config import ComputeSettings, WalkSettings, load_area
from assetmap.errors import ConfigError
from assetmap.walk import cells
from assetmap.walk.access import AccessEngine
from assetmap.walk.cells import CellPlanner, sort_pairs, within_cells
from assetmap.walk.celltask import cell_pairs
from assetmap.walk.network import network_from_lines, read_walk_network
from assetmap.walk.snapping import Snapper

IN_PROCESS = ComputeSettings(scheduler="none", cell_km=0.5)


@pytest.fixture(scope="module")
def rutland(data_root):
    cfg = load_area("rutland", data_root)
    return read_walk_network(cfg.osm, cfg.data_root)


def random_engine(net, n_o, n_a, seed):
    rng = np.random.default_rng(seed)
    lo, hi = (net.x.min(), net.y.min()), (net.x.max(), net.y.max())
    oxy, axy = rng.uniform(lo, hi, size=(n_o, 2)), rng.uniform(lo, hi, size=(n_a, 2))
    sn = Snapper(net)
    return AccessEngine.contracted(net, sn.snap(*oxy.T), sn.snap(*axy.T)), axy


def grid_with_long_chains(n=24, step=100.0):
    """An n x n street grid; a U-shaped chain (shape nodes only) bulging 2 km out of the grid and
    back; a 5 km straight chain out to a far junction; a short spur off it."""
    lines = [shapely.LineString([(0, i * step), ((n - 1) * step, i * step)]) for i in range(n)]
    lines += [shapely.LineString([(i * step, 0), (i * step, (n - 1) * step)]) for i in range(n)]
    top = (n - 1) * step
    lines.append(shapely.LineString([(0, 0), (-1000, 0), (-2000, 300), (-1000, 600), (0, 600)]))  # U
    lines.append(shapely.LineString([(top, top), (top + 2500, top + 10), (top + 5000, top)]))  # far end
    lines.append(shapely.LineString([(top + 5000, top), (top + 5000, top + 100)]))
    return network_from_lines(lines, crs="EPSG:27700")


def test_cells_equal_the_whole_graph_search_on_a_real_network(rutland):
    eng, axy = random_engine(rutland, 4000, 250, seed=1)
    for radius in (3000.0, 700.0):
        whole = eng.within(radius)
        assert len(whole) > 1000 or radius < 1000
        for km in (5.0, 1.0):
            got = within_cells(eng, radius, axy, ComputeSettings(scheduler="none", cell_km=km))
            pd.testing.assert_frame_equal(got, whole)  # same pairs, same float32 distances, same order


def test_cells_equal_the_whole_graph_search_on_a_grid_with_long_chains():
    net = grid_with_long_chains()
    rng = np.random.default_rng(7)
    oxy = np.vstack([rng.uniform(-2100, 2400, size=(1500, 2)),
                     [[-1990, 300], [-1500, 150], [-500, 590], [4700, 2305], [7300, 2350]]])  # on the chains
    axy = np.vstack([rng.uniform(-500, 2400, size=(40, 2)),
                     [[500.0, 1000.0], [500.0, 499.99], [0.0, 0.0],  # on cell boundaries (0.5 km cells)
                      [-1800, 250], [-200, 0], [2400, 2305], [7200, 2300]]])  # on the U and the long chain
    sn = Snapper(net)
    eng = AccessEngine.contracted(net, sn.snap(*oxy.T), sn.snap(*axy.T))
    planner = CellPlanner(eng, np.column_stack([eng.net.x, eng.net.y]), axy, 600.0, 500.0)
    assert len(planner) > 20
    assert max(planner.task(i).n_real for i in range(len(planner))) < eng.n  # each cell searched a part
    for radius in (600.0, 1500.0, 2700.0):
        whole = eng.within(radius)
        assert whole["asset"].isin(range(40, 47)).sum() > 0
        for km in (0.5, 0.3, 2.0):
            got = within_cells(eng, radius, axy, ComputeSettings(scheduler="none", cell_km=km), chunk=5)
            pd.testing.assert_frame_equal(got, whole)
    # the buffer is what makes it exact: half of it loses pairs
    planner = CellPlanner(eng, np.column_stack([eng.net.x, eng.net.y]), axy, 1500.0, 500.0)
    planner.buffer = 750.0
    assert len(sort_pairs([cell_pairs(planner.task(i)) for i in range(len(planner))])) < len(eng.within(1500.0))


def test_no_assets_and_zero_cell_size():
    net = grid_with_long_chains(n=5)
    sn = Snapper(net)
    o = sn.snap(np.array([10.0, 250.0]), np.array([5.0, 90.0]))
    none = AccessEngine.contracted(net, o, sn.snap(np.zeros(0), np.zeros(0)))
    assert len(within_cells(none, 500.0, np.zeros((0, 2)), IN_PROCESS)) == 0
    one = AccessEngine.contracted(net, o, sn.snap(np.array([100.0]), np.array([100.0])))
    pd.testing.assert_frame_equal(within_cells(one, 500.0, np.array([[100.0, 100.0]]), ComputeSettings(cell_km=0)),
                                  one.within(500.0))


def test_compute_settings_and_where_tasks_run(monkeypatch):
    assert ComputeSettings.from_dict({"scheduler": "tcp://10.0.0.5:8786", "workers": 2, "cell_km": 3},
                                     "x").cell_km == 3.0
    for bad in ({"scheduler": "10.0.0.5"}, {"workers": 1.5}, {"cell_km": -1}, {"cells": 2}):
        with pytest.raises(ConfigError, match="compute"):
            ComputeSettings.from_dict(bad, "x")
    s = ComputeSettings(workers=2)
    monkeypatch.delenv(compute.ENV_SCHEDULER, raising=False)
    assert compute.plan(s, 1, 1e4) == "none"  # one cell: nothing to distribute
    assert compute.plan(s, 50, 2.0) == "none"  # two seconds' work: not worth a cluster's start
    assert compute.plan(s, 50, 1e4) == "local"
    monkeypatch.setattr(compute.os, "cpu_count", lambda: 2)
    assert compute.plan(ComputeSettings(), 50, 1e4) == "none"  # two cores: one process is faster
    assert compute.plan(s, 50, 1e4) == "local"  # unless workers are asked for
    monkeypatch.setenv(compute.ENV_SCHEDULER, "tcp://127.0.0.1:8786")
    assert compute.plan(s, 50, 2.0) == "tcp://127.0.0.1:8786"  # the environment wins
    monkeypatch.setenv(compute.ENV_SCHEDULER, "somewhere")
    with pytest.raises(ConfigError, match="ASSETMAP_DASK_SCHEDULER"):
        compute.plan(s, 50, 2.0)


def small_area(net, seed=3):
    """Postcodes, two LSOAs and assets of three categories near random nodes of a real network."""
    rng = np.random.default_rng(seed)
    lo, hi = np.array([net.x.min(), net.y.min()]), np.array([net.x.max(), net.y.max()])
    at_nodes = lambda k: np.column_stack([net.x, net.y])[rng.integers(0, net.n_nodes, k)] + rng.normal(0, 30, (k, 2))  # noqa: E731
    pxy = at_nodes(1500)
    mid = (lo[0] + hi[0]) / 2
    lsoas = gpd.GeoDataFrame({"lsoa21_code": ["E01000001", "E01000002"]},
                             geometry=[shapely.box(lo[0], lo[1], mid, hi[1]), shapely.box(mid, lo[1], hi[0], hi[1])],
                             crs=27700)
    postcodes = pd.DataFrame({"postcode": [f"LE15 {i}AA" for i in range(len(pxy))], "x": pxy[:, 0], "y": pxy[:, 1],
                              "lsoa21_code": np.where(pxy[:, 0] < mid, "E01000001", "E01000002")})
    axy = at_nodes(150)
    cats = [["gp"], ["library"], ["pharmacy", "gp"]]
    assets = gpd.GeoDataFrame({"asset_id": [f"a{i}" for i in range(len(axy))],
                               "categories": [cats[i % 3] for i in range(len(axy))]},
                              geometry=gpd.points_from_xy(axy[:, 0], axy[:, 1]), crs=27700)
    return assets, postcodes, lsoas


def test_walking_access_partitioned_on_a_dask_cluster_equals_unpartitioned(rutland, monkeypatch):
    """The stage's lookup table and pairs, searched per 2 km cell on a LocalCluster with a worker
    process (through ``scheduler = "local"``, its start threshold lowered: the tasks are pickled
    to another process) and on a scheduler address (an in-process cluster), equal one search over
    the whole graph."""
    from distributed import LocalCluster

    from assetmap.taxonomy import load_taxonomy
    from assetmap.walk.stage import walking_access

    tx = load_taxonomy()
    assets, postcodes, lsoas = small_area(rutland)
    settings = WalkSettings(lookup_radius_m=1500.0, lookup_k=5, lookup_k_category=2)
    monkeypatch.delenv(compute.ENV_SCHEDULER, raising=False)
    whole = walking_access(rutland, assets, postcodes, lsoas, tx, settings, pairs_radius_m=2000.0,
                           compute=ComputeSettings(cell_km=0))
    assert len(whole.pairs) > 1000 and len(whole.lookup) > 1000
    monkeypatch.setattr(compute, "LOCAL_MIN_WORK", 0)
    monkeypatch.setattr(cells, "BATCH_SECONDS", 0.01)  # several tasks, each of a few cells
    said = []
    local = walking_access(rutland, assets, postcodes, lsoas, tx, settings, pairs_radius_m=2000.0,
                           compute=ComputeSettings(scheduler="local", workers=1, cell_km=2), log=said.append)
    assert "LocalCluster" in said[0] and int(said[0].split()[0]) > 5 and local.report["lookup"]["cells"] > 20
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        remote = walking_access(rutland, assets, postcodes, lsoas, tx, settings, pairs_radius_m=2000.0,
                                compute=ComputeSettings(scheduler=cluster.scheduler_address, cell_km=2),
                                log=said.append)
    assert cluster.scheduler_address in said[1]
    for got in (local, remote):
        pd.testing.assert_frame_equal(got.pairs, whole.pairs)
        pd.testing.assert_frame_equal(got.lookup, whole.lookup)
        pd.testing.assert_frame_equal(got.origins, whole.origins)
        pd.testing.assert_frame_equal(got.lsoa, whole.lsoa)
