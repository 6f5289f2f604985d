"""Walking access: edge snapping and nearest-asset distances, checked by hand and against
independent oracles (shapely's STRtree for snapping, networkx Dijkstra on a split copy of the
graph for distances)."""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from assetmap.config import WalkSettings
from assetmap.walk.access import AccessEngine, metres_per_minute
from assetmap.walk.network import WalkNetwork, network_from_lines
from assetmap.walk.snapping import Snapper
from assetmap.walk.stage import lsoa_means


def hand_network() -> WalkNetwork:
    """A(0,0) - B(100,0) - C(200,0), a dead end B - D(100,100), and a fragment E(300,0) - F(310,0)."""
    return network_from_lines([
        shapely.LineString([(0, 0), (100, 0), (200, 0)]),
        shapely.LineString([(100, 0), (100, 100)]),
        shapely.LineString([(300, 0), (310, 0)]),
    ], crs="EPSG:27700")


def distances(net, origins, assets, members=None):
    sn = Snapper(net)
    o = sn.snap(*np.array(origins, dtype=float).T)
    a = sn.snap(*np.array(assets, dtype=float).T)
    eng = AccessEngine(net, o, a)
    res = eng.nearest(np.ones(len(assets), bool) if members is None else members)
    return res.dist, res.asset, o


def test_snap_to_the_middle_of_an_edge_not_a_node():
    net = hand_network()
    o = Snapper(net).snap([50.0], [-3.0])
    assert o.leg[0] == pytest.approx(3.0)
    assert [o.to_u[0], o.to_v[0]] == pytest.approx([50.0, 50.0])
    # snapping to the nearest node would have cost hypot(50, 3) = 50.09 m before walking at all


@pytest.mark.parametrize("origin, expected", [
    ((50, -3), 3 + 50 + 50 + 5),  # mid-edge: leg 3, A-B half, B to the asset's projection 50, leg 5
    ((100, 0), 0 + 50 + 5),  # exactly at a node
    ((100, 120), 20 + 100 + 50 + 5),  # beyond a dead end: snaps to D, walks back through B
    ((305, 2), np.hypot(105, 2) + 50 + 5),  # over a disconnected fragment: snapped to the main component
    ((160, -2), 2 + 10 + 5),  # on the asset's own segment: straight along it, not via a node
    ((240, 0), 40 + 50 + 5),  # past the end C: the leg from C
])
def test_nearest_distance_by_hand(origin, expected):
    dist, asset, _ = distances(hand_network(), [origin], [(150, 5)])
    assert dist[0] == pytest.approx(expected)
    assert asset[0] == 0


def test_the_nearer_of_two_assets_and_its_identity():
    dist, asset, _ = distances(hand_network(), [(10, 0), (190, 0), (100, 90)], [(0, 10), (200, -4)])
    assert dist.tolist() == pytest.approx([20.0, 14.0, 90 + 100 + 4])
    assert asset.tolist() == [0, 1, 1]


def test_empty_group_is_infinite_not_zero():
    dist, asset, _ = distances(hand_network(), [(10, 0)], [(0, 10)], members=np.array([False]))
    assert np.isinf(dist[0]) and asset[0] == -1


def test_reduced_mobility_minutes():
    assert metres_per_minute(4.8) == pytest.approx(80.0)
    assert metres_per_minute(3.0) == pytest.approx(50.0)
    import geopandas as gpd
    lsoas = gpd.GeoDataFrame({"lsoa21_code": ["E1", "E2", "E3"]}, geometry=[shapely.box(0, 0, 1, 1)] * 3, crs=27700)
    origins = pd.DataFrame({"lsoa21_code": ["E1", "E1", "E2", None], "walk_gp_m": [800.0, 1200.0, 2400.0, 5.0]})
    out = lsoa_means(origins, lsoas, {"gp": {"gp"}}, WalkSettings())
    assert out["walk_gp_m"].tolist()[:2] == [1000.0, 2400.0]
    assert out["walk_gp_min"].tolist()[:2] == [12.5, 30.0]
    assert out["walk_gp_min_rm"].tolist()[:2] == [20.0, 48.0]
    assert np.isnan(out["walk_gp_m"].iloc[2])  # no origins: empty, never zero
    slow = lsoa_means(origins, lsoas, {"gp": {"gp"}}, WalkSettings(reduced_kmh=2.4))
    assert slow["walk_gp_min_rm"].iloc[0] == 25.0


def grid_network(seed: int, n: int = 12, spacing: float = 80.0) -> WalkNetwork:
    """A jittered grid with some streets missing: a small town's worth of blocks."""
    rng = np.random.default_rng(seed)
    pts = {(i, j): (i * spacing + rng.uniform(-15, 15), j * spacing + rng.uniform(-15, 15))
           for i in range(n) for j in range(n)}
    lines = []
    for (i, j), p in pts.items():
        for q in ((i + 1, j), (i, j + 1)):
            if q in pts and rng.random() > 0.15:
                lines.append(shapely.LineString([p, pts[q]]))
    return network_from_lines(lines, crs="EPSG:27700")


def synthetic_town(seed: int, n_origins: int, n_assets: int, margin: float):
    """A jittered grid town with random origins (also a little beyond its edge) and assets."""
    net = grid_network(seed)
    rng = np.random.default_rng(seed)
    span = net.x.max()
    return net, rng.uniform(-margin, span + margin, size=(n_origins, 2)), rng.uniform(0, span, size=(n_assets, 2))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adding_an_asset_never_lowers_access(seed):
    net, origins, assets = synthetic_town(seed, 300, 12, 50)
    before, _, _ = distances(net, origins, assets[:-1])
    after, _, _ = distances(net, origins, assets)
    assert (after <= before + 1e-9).all()
    assert (after < before - 1e-6).any()  # and the new one is nearest for someone


def test_snapping_is_the_exact_nearest_segment():
    net = grid_network(7, n=20)
    rng = np.random.default_rng(7)
    pts = rng.uniform(-200, net.x.max() + 200, size=(2000, 2))
    snap = Snapper(net, step=25.0).snap(pts[:, 0], pts[:, 1])
    main = np.flatnonzero(net.main)
    segs = shapely.linestrings(np.stack([np.column_stack([net.x[net.u[main]], net.y[net.u[main]]]),
                                         np.column_stack([net.x[net.v[main]], net.y[net.v[main]]])], axis=1))
    tree = shapely.STRtree(segs)
    _, dist = tree.query_nearest(shapely.points(pts), return_distance=True, all_matches=False)
    assert snap.leg == pytest.approx(dist, abs=1e-6)


def networkx_oracle(net: WalkNetwork, o, a, members) -> np.ndarray:
    """Independent check: split every snapped segment at its snap points in a networkx copy of the
    graph, hang each point on its leg, and run networkx's multi-source Dijkstra."""
    g = nx.Graph()
    for u, v, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist(), strict=False):
        g.add_edge(("n", u), ("n", v), weight=w)
    on_seg: dict[int, list] = {}
    for kind, s in (("o", o), ("a", a)):
        for i in range(len(s)):
            on_seg.setdefault(int(s.segment[i]), []).append((float(s.t[i]), (kind, i), float(s.leg[i])))
    for seg, pts in on_seg.items():
        u, v, length = ("n", int(net.u[seg])), ("n", int(net.v[seg])), float(net.length[seg])
        g.remove_edge(u, v)
        chain = [(0.0, u)] + sorted((t, ("p",) + key) for t, key, _ in pts) + [(1.0, v)]
        for (t1, n1), (t2, n2) in zip(chain, chain[1:], strict=False):
            g.add_edge(n1, n2, weight=(t2 - t1) * length)
        for _t, key, leg in pts:
            g.add_edge(("p",) + key, key, weight=leg)
    d = nx.multi_source_dijkstra_path_length(g, {("a", int(i)) for i in members}, weight="weight")
    return np.array([d.get(("o", i), np.inf) for i in range(len(o))])


@pytest.mark.parametrize("seed", [11, 12])
def test_matches_networkx_on_a_synthetic_town(seed):
    net, origins, assets = synthetic_town(seed, 150, 9, 40)
    members = np.array([0, 3, 4, 8])
    mask = np.zeros(9, bool)
    mask[members] = True
    dist, _, o = distances(net, origins, assets, mask)
    sn = Snapper(net)
    a = sn.snap(assets[:, 0], assets[:, 1])
    assert dist == pytest.approx(networkx_oracle(net, o, a, members), abs=1e-6)


def test_within_radius_agrees_with_nearest_and_networkx():
    net = grid_network(5)
    rng = np.random.default_rng(5)
    span = net.x.max()
    sn = Snapper(net)
    o = sn.snap(*rng.uniform(0, span, size=(80, 2)).T)
    a = sn.snap(*rng.uniform(0, span, size=(7, 2)).T)
    eng = AccessEngine(net, o, a)
    pairs = eng.within(400.0, chunk=3)
    assert (pairs["walk_m"] <= 400.0).all()
    for j in range(7):
        oracle = networkx_oracle(net, o, a, [j])
        got = pairs[pairs["asset"] == j].set_index("origin")["walk_m"]
        assert set(np.flatnonzero(oracle <= 399.999)) <= set(got.index) <= set(np.flatnonzero(oracle <= 400.001))
        assert got.to_numpy() == pytest.approx(oracle[got.index.to_numpy()], abs=1e-3)
    nearest = eng.nearest(np.ones(7, bool))
    first = pairs.groupby("origin")["walk_m"].min()
    assert first.to_numpy() == pytest.approx(nearest.dist[first.index.to_numpy()], abs=1e-3)


def test_chesterfield_walks_match_networkx_for_random_postcodes(chesterfield):
    """20 random real postcodes: assetmap's walks to the nearest GP, library and pharmacy equal a
    networkx Dijkstra over a networkx copy of the same graph with the same snapping, within 1 m."""
    import geopandas as gpd

    build, _ = chesterfield
    net = WalkNetwork.load(build / "network.npz")
    access = pd.read_parquet(build / "access.parquet")
    assets = gpd.read_parquet(build / "assets.parquet")
    sample = access[access["lsoa21_code"].notna()].sample(20, random_state=2026)
    sn = Snapper(net)
    o = sn.snap(sample["x"].to_numpy(), sample["y"].to_numpy())
    a = sn.snap(assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy())
    cats = assets["categories"].str.split(";")
    for cat in ("gp", "library", "pharmacy"):
        members = np.flatnonzero([cat in cs for cs in cats])
        oracle = networkx_oracle(net, o, a, members)
        got = sample[f"walk_{cat}_m"].to_numpy(dtype=float)
        assert np.abs(got - oracle).max() < 1.0, cat
        # and the stored nearest asset is at that distance
        ids = assets["asset_id"].to_numpy()
        nearest = sample[f"nearest_{cat}"].to_numpy()
        assert set(nearest) <= set(ids[members])


def loopy_network() -> WalkNetwork:
    """Shape nodes, a cul-de-sac loop back to its own junction, a ring with no junction, a
    dead end and two parallel streets of different lengths between the same junctions."""
    return network_from_lines([
        shapely.LineString([(0, 0), (40, 5), (100, 0), (160, -5), (200, 0)]),  # shape nodes
        shapely.LineString([(200, 0), (230, 40), (260, 0), (230, -40), (200, 0)]),  # loop at C
        shapely.LineString([(100, 0), (100, 60), (100, 100)]),  # dead end
        shapely.LineString([(0, 0), (0, 80), (100, 100)]),
        shapely.LineString([(0, 0), (-60, 60), (-50, 140), (100, 100)]),  # longer parallel
        shapely.LineString([(300, 200), (340, 200), (340, 240), (300, 240), (300, 200)]),  # ring
    ], crs="EPSG:27700")


@pytest.mark.parametrize("make", [loopy_network, lambda: grid_network(21), lambda: grid_network(22, n=15)])
def test_contracted_routing_gives_identical_distances(make):
    from assetmap.walk.contraction import contract

    net = make()
    rng = np.random.default_rng(3)
    lo, hi = (net.x.min() - 30, net.y.min() - 30), (net.x.max() + 30, net.y.max() + 30)
    sn = Snapper(net)
    o = sn.snap(*rng.uniform(lo, hi, size=(400, 2)).T)
    a = sn.snap(*rng.uniform(lo, hi, size=(10, 2)).T)
    full = AccessEngine(net, o, a)
    fast = AccessEngine.contracted(net, o, a)
    assert fast.net.n_nodes < net.n_nodes
    for members in (np.arange(10), np.array([2]), np.array([0, 5, 9])):
        x, y = full.nearest(members), fast.nearest(members)
        assert y.dist == pytest.approx(x.dist, abs=1e-6)
        assert (x.dist[y.asset >= 0] >= 0).all()
    w1, w2 = full.within(150.0), fast.within(150.0)
    assert len(w1) == len(w2) and w2["walk_m"].to_numpy() == pytest.approx(w1["walk_m"].to_numpy(), abs=1e-4)
    # every segment's ends lie within its chain, and chains add up to the network
    r = contract(net)
    assert (r.off_u >= -1e-9).all() and (r.off_u <= r.chain_len[r.chain] + 1e-9).all()
    assert np.abs(r.off_u - r.off_v) == pytest.approx(net.length)
    assert r.chain_len.sum() == pytest.approx(net.length.sum())
