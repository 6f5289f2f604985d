"""The walk network: the way filter on real tag combinations, a real .osm.pbf read, topology."""
from __future__ import annotations

import numpy as np
import osmium
import pytest
import shapely

from assetmap.config import OsmConfig
from assetmap.errors import DataSourceError
from assetmap.walk.network import WalkNetwork, is_walkable, network_from_lines, read_walk_network, read_walk_ways_pbf


@pytest.mark.parametrize("tags, walkable", [
    ({"highway": "footway"}, True),
    ({"highway": "path"}, True),
    ({"highway": "steps"}, True),
    ({"highway": "pedestrian", "area": "yes"}, True),
    ({"highway": "cycleway"}, True),
    ({"highway": "cycleway", "foot": "designated", "segregated": "yes"}, True),
    ({"highway": "residential", "sidewalk": "both"}, True),
    ({"highway": "track", "access": "no", "foot": "designated"}, True),  # public footpath on a farm track
    ({"highway": "service", "access": "private", "foot": "yes"}, True),
    ({"highway": "service", "access": "private"}, False),
    ({"highway": "service", "service": "driveway", "access": "no"}, False),
    ({"highway": "residential", "foot": "no"}, False),
    ({"highway": "footway", "foot": "private"}, False),
    ({"highway": "trunk", "foot": "use_sidepath"}, False),
    ({"highway": "motorway"}, False),
    ({"highway": "motorway_link", "foot": "yes"}, False),
    ({"highway": "construction", "construction": "footway"}, False),
    ({"highway": "proposed"}, False),
    ({"highway": "abandoned"}, False),
    ({"building": "yes"}, False),
])
def test_walkable_filter(tags, walkable):
    assert is_walkable(tags) is walkable


def test_network_topology_from_lines():
    # two ways meeting at (100, 0), a duplicate way and a repeated node (zero-length segment)
    lines = [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (100, 50), (100, 50)]),
             shapely.LineString([(100, 0), (0, 0)]), shapely.LineString([(500, 500), (530, 540)])]
    net = network_from_lines(lines, crs="EPSG:27700")
    assert net.n_nodes == 5
    assert net.n_segments == 3  # the duplicate and the zero-length piece are gone
    assert sorted(net.length.round(6)) == [50.0, 50.0, 100.0]
    assert (net.u < net.v).all()
    # the largest component is 0, the far segment another one
    assert net.summary()["components"] == 2
    assert net.main.sum() == 2


def test_network_save_load_roundtrip(tmp_path):
    net = network_from_lines([shapely.LineString([(0, 0), (30, 40), (30, 80)])], crs="EPSG:27700")
    net.save(tmp_path / "n.npz")
    back = WalkNetwork.load(tmp_path / "n.npz")
    for f in ("x", "y", "u", "v", "length", "component"):
        assert np.array_equal(getattr(net, f), getattr(back, f))
    assert back.ways == 1 and back.length.sum() == pytest.approx(90.0)


def _lonlat(x, y):
    import geopandas as gpd
    p = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs=27700).to_crs(4326).iloc[0]
    return round(p.x, 7), round(p.y, 7)


def test_pbf_reader_drops_unwalkable_ways_and_measures_metres(tmp_path):
    x0, y0 = 437000.0, 371000.0  # Chesterfield
    pts = {1: (x0, y0), 2: (x0 + 300, y0), 3: (x0 + 300, y0 + 400), 4: (x0 + 600, y0), 5: (x0 + 600, y0 + 800)}
    ways = [(10, [1, 2], {"highway": "residential"}),
            (11, [2, 3], {"highway": "footway"}),
            (12, [2, 4], {"highway": "service", "access": "private"}),
            (13, [4, 5], {"highway": "motorway"}),
            (14, [3, 5], {"highway": "track", "access": "no", "foot": "designated"}),
            (15, [1, 4], {"building": "yes"})]
    path = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(path)) as w:
        for i, (x, y) in pts.items():
            w.add_node(osmium.osm.mutable.Node(id=i, location=_lonlat(x, y)))
        for wid, nodes, tags in ways:
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=nodes, tags=tags))
    lines = read_walk_ways_pbf(path)
    assert len(lines) == 3  # ways 10, 11, 14
    net = read_walk_network(OsmConfig(file="tiny.osm.pbf"), tmp_path)
    assert net.n_nodes == 4 and net.n_segments == 3
    # 300 + 400 + 500 m in British National Grid (to within OSM's 1e-7 degree rounding)
    assert sorted(net.length) == pytest.approx([300.0, 400.0, 500.0], abs=0.05)


def test_missing_or_empty_extract_names_the_fix(tmp_path):
    with pytest.raises(DataSourceError, match="fix \\[osm\\] file"):
        read_walk_network(OsmConfig(file="nope.osm.pbf"), tmp_path)
    path = tmp_path / "empty.osm.pbf"
    with osmium.SimpleWriter(str(path)) as w:
        w.add_node(osmium.osm.mutable.Node(id=1, location=(-1.4, 53.2), tags={"amenity": "library"}))
    with pytest.raises(DataSourceError, match="no walkable highway ways"):
        read_walk_network(OsmConfig(file="empty.osm.pbf"), tmp_path)


def test_real_chesterfield_network(data_root):
    net = read_walk_network(OsmConfig(file="osm-chesterfield/chesterfield_S403DF_2018-05-21.osm.pbf"), data_root)
    s = net.summary()
    assert s["nodes"] > 20000 and s["segments"] > 20000
    assert s["main_component_share"] > 0.98
    assert 500 < s["length_km"] < 1500
    # every segment is a real step between two distinct points, at most a few km long
    assert (net.length > 0).all() and net.length.max() < 5000


def test_reading_gzipped_layers_writes_nothing_beside_them(tmp_path):
    """GDAL's /vsigzip/ would write a .gz.properties index next to the file: never in the data root."""
    import gzip
    import shutil

    import geopandas as gpd

    from assetmap.ingest.osm import read_gdal
    from assetmap.taxonomy import load_taxonomy

    lines = gpd.GeoDataFrame({"osm_id": ["1"], "highway": ["footway"], "other_tags": [None]},
                             geometry=[shapely.LineString([(-1.42, 53.23), (-1.41, 53.24)])], crs=4326)
    lines.to_file(tmp_path / "l.gpkg", layer="lines", driver="GPKG")
    with open(tmp_path / "l.gpkg", "rb") as src, gzip.open(tmp_path / "l.gpkg.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    (tmp_path / "l.gpkg").unlink()
    before = sorted(p.name for p in tmp_path.iterdir())
    net = read_walk_network(OsmConfig(file="l.gpkg.gz", format="gdal", layers={"lines": "lines"}), tmp_path)
    read_gdal(tmp_path / "l.gpkg.gz", {"lines": "lines"}, load_taxonomy())
    assert net.n_segments == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before
