"""The replica generator behind bench/national_build.py, on a tiny synthetic extract: copies have
unique ids, copy 1 is copy 0 shifted by its offset (ids and BNG metres), neighbouring copies are
joined, and the postcodes and neighbourhood rows made for them are consistent."""
from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyarrow.csv as pacsv
import pytest
import shapely
from osmium.osm.mutable import Node, Relation, Way

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import replica  # noqa: E402
import replica_data as rd  # noqa: E402

from assetmap.config import SourceConfig  # noqa: E402
from assetmap.ingest.postcode_format import normalise  # noqa: E402


@pytest.fixture
def tiny_pbf(tmp_path) -> Path:
    """A 4 x 4 street grid near Oakham (ids 11..26), two residential ways per row and column,
    a tagged node and a relation."""
    path = tmp_path / "tiny.osm.pbf"
    lon0, lat0 = -0.73, 52.67
    with osmium.SimpleWriter(str(path)) as w:
        for i in range(16):
            tags = {"amenity": "library", "name": "Oakham Library"} if i == 5 else {}
            w.add_node(Node(id=11 + i, location=(lon0 + 0.002 * (i % 4), lat0 + 0.002 * (i // 4)), tags=tags))
        for r in range(4):
            w.add_way(Way(id=100 + r, nodes=[11 + 4 * r + c for c in range(4)], tags={"highway": "residential"}))
            w.add_way(Way(id=200 + r, nodes=[11 + r + 4 * c for c in range(4)], tags={"highway": "residential"}))
        w.add_relation(Relation(id=7, members=[("w", 100, "outer"), ("n", 16, "")], tags={"type": "route"}))
    return path


def read_all(path: Path) -> dict:
    out: dict = {"n": {}, "w": {}, "r": {}}
    for o in osmium.FileProcessor(str(path)):
        if o.is_node():
            out["n"][o.id] = (o.location.lon, o.location.lat, dict(o.tags))
        elif o.is_way():
            out["w"][o.id] = ([n.ref for n in o.nodes], dict(o.tags))
        else:
            out["r"][o.id] = [(m.type, m.ref, m.role) for m in o.members]
    return out


def test_copies_are_copy_0_shifted(tiny_pbf, tmp_path):
    t = replica.read_template(tiny_pbf)
    x0, y0, x1, y1 = t.bounds()
    cells, off = replica.grid(4, (x1 - x0 + 100, y1 - y0 + 100))
    assert off[0].tolist() == [0, 0] and len(set(cells)) == 4 and (off[:, 1] != 0).any()
    joins = replica.links(t, cells, 2)
    counts = replica.write_pbf(t, off, joins, tmp_path / "out.osm.pbf")
    got = read_all(tmp_path / "out.osm.pbf")
    sh = t.shift
    assert sh == {"n": 27, "w": 204, "r": 8}
    assert len(got["n"]) == counts["nodes"] == 64 and len(got["w"]) == counts["ways"] == 32 + len(joins)
    for k in (1, 2, 3):
        for nid in range(11, 27):  # copy k = copy 0 moved by its offset, ids by k node shifts
            lon, lat, tags = got["n"][nid]
            lon1, lat1, tags1 = got["n"][nid + k * sh["n"]]
            xy0, xy1 = replica.TO_BNG.transform(lon, lat), replica.TO_BNG.transform(lon1, lat1)
            assert np.allclose(np.subtract(xy1, xy0), off[k], atol=0.05) and tags1 == tags
        for wid in (100, 203):
            assert got["w"][wid + k * sh["w"]][0] == [r + k * sh["n"] for r in got["w"][wid][0]]
        assert got["r"][7 + k * sh["r"]] == [("w", 100 + k * sh["w"], "outer"), ("n", 16 + k * sh["n"], "")]
    # 2 x 2 grid: four neighbouring pairs, two footways each, each between two different copies
    assert len(joins) == 8 and all(a // sh["n"] != b // sh["n"] for a, b in joins)
    link_ways = [v for w, v in got["w"].items() if w >= 4 * sh["w"]]
    assert sorted(v[0] for v in link_ways) == sorted([a, b] for a, b in joins)
    assert all(v[1]["highway"] == "footway" for v in link_ways)
    for a, b in joins:  # a footway is no longer than the gap plus a cell: it joins facing edges
        (xa, ya), (xb, yb) = (replica.TO_BNG.transform(*got["n"][i][:2]) for i in (a, b))
        assert np.hypot(xb - xa, yb - ya) < 100 + max(x1 - x0, y1 - y0)


def test_clip_and_grid():
    t = replica.Template(np.array([1, 2, 3]), np.array([0.0, 10, 1000]), np.array([0.0, 0, 0]),
                         {2: {"name": "far"}}, [(5, np.array([1, 2, 3]), {}), (6, np.array([3, 3]), {})],
                         [(9, [("w", 6, ""), ("n", 1, "")], {})])
    c = replica.clipped(t, (-1, -1, 100, 1))
    assert c.node_id.tolist() == [1, 2] and c.node_tags == {}
    assert [w[0] for w in c.ways] == [5] and c.ways[0][1].tolist() == [1, 2]
    assert c.relations == [(9, [("n", 1, "")], {})]
    cells, off = replica.grid(7, (10.0, 20.0))
    assert len(set(cells)) == 7 and off[0].tolist() == [0.0, 0.0]
    assert len({tuple(o) for o in off.tolist()}) == 7


def test_codes_names_and_postcodes_never_collide(tmp_path):
    pcs = replica.postcode_string(np.arange(0, 150_000))
    assert len(set(pcs)) == len(pcs) and all(normalise(p) == p and p.startswith("Q") for p in pcs[::97])
    assert rd.syn_name("Rutland 001A", 5) == "Rutland R5 001A"
    assert rd.syn_name("Rutland 001A", 5)[:-1] == rd.syn_name("Rutland 001", 5)  # LSOA name -> its MSOA's
    tmpl = gpd.GeoDataFrame({"lsoa21_code": ["E01000001", "E01000002"]},
                            geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=27700)
    codes = [c for k in (1, 2, 3) for c in rd.code_map(tmpl, k).values()]
    assert len(set(codes)) == 6 and all(c.startswith("E019") and len(c) == 9 for c in codes)
    csv = tmp_path / "imd.csv"
    pd.DataFrame({"lsoa21_code": ["E01000001", "E01000002", "E01999999"], "IMD_rank": ["1", "2", "3"]}).to_csv(csv)
    assert rd.copy_rows(csv, "lsoa21_code", tmpl, 3, tmp_path / "out.csv") == 3 + 2 * 2
    out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert out["lsoa21_code"].is_unique
    assert out.set_index("lsoa21_code").loc[rd.code_map(tmpl, 2)["E01000002"], "IMD_rank"] == "2"


class _Cfg:
    def __init__(self, path: Path):
        self.data_root = path.parent
        self.src = SourceConfig("codepoint", "postcodes", path.name, options={"columns": {"quality": "Q"}})

    def source(self, kind):
        return self.src


def test_postcodes_follow_their_copies(tmp_path):
    csv = tmp_path / "cp.csv"
    csv.write_text("Postcode,Q,Eastings,Northings\nLE15 6AA,10,50,50\nLE15 6AB,10,150,50\n"
                   "LE15 9ZZ,10,150,500\nPE9 1AA,10,5000,5000\nS40 1LP,10,900000,900000\n")
    tmpl = gpd.GeoDataFrame({"lsoa21_code": ["E01000001", "E01000002"]},
                            geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=27700)
    off = np.array([[0.0, 0.0], [1000.0, 0.0], [0.0, 1000.0]])
    counts = rd.postcodes(_Cfg(csv), tmpl, off, (-100, -100, 6000, 6000), tmp_path / "out.csv")
    out = pacsv.read_csv(tmp_path / "out.csv").to_pandas()
    # the far postcode stays; the template's two, three times; the rest of the footprint goes
    assert counts == {"postcodes_total": 7, "postcodes_replica": 6, "real_dropped": 2}
    assert set(out["Postcode"]) >= {"S40 1LP", "LE15 6AA", "LE15 6AB"} and "PE9 1AA" not in set(out["Postcode"])
    assert out["Postcode"].is_unique
    syn = out[out["Postcode"].str.startswith("Q")]
    assert sorted(zip(syn["Eastings"], syn["Northings"], strict=True)) == [(50, 1050), (150, 1050), (1050, 50), (1150, 50)]


def test_tiles_survive_a_ring_collapsed_by_rounding():
    """Found by the replica: a valid OSM polygon cut and rounded to tile units became a multipolygon with a
    one-point ring beside a real one, and GEOS's make_valid refused it ("mixed-dimension"), failing the build."""
    from assetmap.tiles.vectortiles import made_valid

    bad = shapely.from_wkt("MULTIPOLYGON (((4070 -64, 4070 -64, 4070 -64, 4070 -64)), ((4006 -64, 4054 -64, "
                           "4055 -60, 4052 -47, 4052 -40, 4022 -32, 4020 -32, 4006 -64)))")
    fine = shapely.box(0, 0, 10, 10)
    out = made_valid(np.array([fine, bad], dtype=object))
    assert out[0].equals(fine) and out[1].is_valid and out[1].area == pytest.approx(shapely.area(bad))
