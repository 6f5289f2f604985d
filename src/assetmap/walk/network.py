"""The walk network: OpenStreetMap ways usable on foot, as a graph of straight segments.

The ``.osm.pbf`` is read with pyosmium in one pass (node locations are kept by osmium's own
index; each walkable way becomes a WKB line in C++), GDAL/osmextract line layers are read with
pyogrio. Topology comes from shared coordinates: OSM ways that meet share a node, so they share
its coordinate exactly (1e-7 degree, OSM's own precision), which works the same for both
formats. Every consecutive pair of way nodes is one undirected segment, its length measured
in metres in British National Grid (EPSG:27700).

A :class:`WalkNetwork` is a few numpy arrays (node coordinates, segment end nodes and lengths,
component labels); it is saved in the build as ``network.npz`` so later stages and the app reuse
it without reading the extract again.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import connected_components

from ..config import OsmConfig
from ..constants import BNG, WGS84
from ..errors import DataSourceError
from ..ingest.io import vsi_path

COORD_SCALE = 1e7  # OSM stores locations as integers of 1e-7 degree

# highway values never walked: motorways, things not built (yet or any more), and non-ways
EXCLUDED_HIGHWAYS = frozenset({
    "motorway", "motorway_link", "construction", "proposed", "abandoned", "disused", "planned",
    "razed", "raceway", "bus_guideway", "busway", "no", "escape", "emergency_bay", "rest_area", "services",
})
FOOT_NO = frozenset({"no", "private", "use_sidepath"})
FOOT_YES = frozenset({"yes", "designated", "permissive", "official", "destination"})
ACCESS_NO = frozenset({"private", "no"})
TAG_KEYS = ("highway", "foot", "access")
# a connected component this large is a main one (a town's streets), not a fragment cut off by a
# clipped or private way: an area of several extracts (or England with its islands) has several
MAIN_MIN_NODES = 1000


def is_walkable(tags) -> bool:
    """Whether a way with these tags (any mapping with ``.get``) can be walked.

    Kept: every highway, including footways, paths, steps, pedestrian streets, cycleways,
    tracks and service roads. Dropped: ``foot=no|private|use_sidepath``; ``access=private|no``
    unless ``foot`` allows walking; motorways and their links; highways under construction,
    proposed, abandoned and the like.
    """
    hw = tags.get("highway")
    if not hw or hw in EXCLUDED_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot in FOOT_NO:
        return False
    if tags.get("access") in ACCESS_NO and foot not in FOOT_YES:
        return False
    return True


@dataclass
class WalkNetwork:
    """Nodes and straight segments of the walk network, in EPSG:27700 metres.

    ``x``, ``y``: node coordinates; ``u``, ``v``: segment end nodes (``u < v``, no duplicates,
    no zero-length segments); ``length``: segment length in metres; ``component``: the connected
    component of each node (0 = the largest, the *main* component); ``ways``: walkable ways read.
    """

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    component: np.ndarray
    ways: int = 0

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_segments(self) -> int:
        return len(self.u)

    @property
    def main(self) -> np.ndarray:
        """Boolean mask of the segments in a main component: the largest, and any other of at least
        ``MAIN_MIN_NODES`` nodes (separate towns of a several-extract area, islands)."""
        sizes = np.bincount(self.component)
        is_main = sizes >= MAIN_MIN_NODES
        is_main[:1] = True
        return is_main[self.component[self.u]]

    def graph(self, extra_nodes: int = 0, extra=None) -> sp.csr_array:
        """The directed CSR graph (each segment both ways), with ``extra_nodes`` more rows after
        the real nodes and ``extra = (rows, cols, weights)`` edges among them (e.g. from
        virtual asset nodes into the network)."""
        n = self.n_nodes + extra_nodes
        rows = [self.u, self.v]
        cols = [self.v, self.u]
        w = [self.length, self.length]
        if extra is not None:
            rows.append(np.asarray(extra[0], dtype=np.int64))
            cols.append(np.asarray(extra[1], dtype=np.int64))
            w.append(np.asarray(extra[2], dtype=np.float64))
        g = sp.csr_array((np.concatenate(w), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        return g

    def summary(self) -> dict:
        main_nodes = int((self.component == 0).sum())
        return {
            "ways": int(self.ways), "nodes": int(self.n_nodes), "segments": int(self.n_segments),
            "length_km": round(float(self.length.sum()) / 1000, 1),
            "components": int(self.component.max() + 1) if self.n_nodes else 0,
            "main_component_nodes": main_nodes,
            "main_component_share": round(main_nodes / self.n_nodes, 4) if self.n_nodes else 0.0,
        }

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, x=self.x, y=self.y, u=self.u, v=self.v, length=self.length,
                            component=self.component, ways=np.array([self.ways]))

    @classmethod
    def load(cls, path: str | Path) -> WalkNetwork:
        with np.load(path) as z:
            return cls(z["x"], z["y"], z["u"], z["v"], z["length"], z["component"], int(z["ways"][0]))


@lru_cache(maxsize=1)
def _to_bng() -> Transformer:
    """WGS84 lon/lat -> British National Grid; setting one up costs ~50 ms, so once per process."""
    return Transformer.from_crs(WGS84, BNG, always_xy=True)


def network_from_lines(lines, crs: str = WGS84) -> WalkNetwork:
    """Build the network from an array of (Multi)LineStrings; ends meet where coordinates are equal.

    Lines in lon/lat (``crs="EPSG:4326"``) are keyed on OSM's 1e-7 degree grid and projected to
    British National Grid; lines already in EPSG:27700 are keyed on a 1 mm grid.
    """
    lines = np.asarray(lines, dtype=object)
    n_ways = len(lines)
    parts, part_of = shapely.get_parts(lines, return_index=True) if n_ways else (np.array([]), np.array([]))
    if len(parts):
        coords, line_idx = shapely.get_coordinates(parts, return_index=True)
    else:
        coords, line_idx = np.zeros((0, 2)), np.zeros(0, int)
    projected = crs.upper() == BNG
    scale = 1000.0 if projected else COORD_SCALE
    q = np.round(coords * scale).astype(np.int64)
    # one int64 key per coordinate pair, offset to the extract's own range so it cannot overflow
    qa, qb = q[:, 0] - q[:, 0].min(initial=0), q[:, 1] - q[:, 1].min(initial=0)
    key = qa * (int(qb.max(initial=0)) + 1) + qb
    uniq, first, node = np.unique(key, return_index=True, return_inverse=True)
    if projected:
        x, y = coords[first, 0].astype(np.float64), coords[first, 1].astype(np.float64)
    else:
        x, y = _to_bng().transform(q[first, 0] / COORD_SCALE, q[first, 1] / COORD_SCALE)
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    same_line = line_idx[1:] == line_idx[:-1]
    a, b = node[:-1][same_line], node[1:][same_line]
    keep = a != b
    a, b = a[keep], b[keep]
    u, v = np.minimum(a, b), np.maximum(a, b)
    if len(u):
        pair = np.unique(u.astype(np.int64) * len(uniq) + v)
        u, v = pair // len(uniq), pair % len(uniq)
    u, v = u.astype(np.int64), v.astype(np.int64)
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    return WalkNetwork(x, y, u, v, length, _components(len(uniq), u, v), ways=n_ways)


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component label per node, relabelled so that 0 is the largest."""
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    g = sp.csr_array((np.ones(len(u)), (u, v)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    sizes = np.bincount(labels)
    rank = np.empty_like(sizes)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    return rank[labels].astype(np.int32)


def read_walk_ways_pbf(path: Path) -> np.ndarray:
    """Walkable ways of an ``.osm.pbf`` as shapely LineStrings in lon/lat (one pyosmium pass)."""
    import osmium

    if not path.exists():
        raise DataSourceError(f"OSM extract {path} does not exist; fix [osm] file in the area config "
                              f"or run `assetmap fetch` for the area")
    wkb = osmium.geom.WKBFactory()
    out = []
    fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
          .with_locations()
          .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
          .with_filter(osmium.filter.KeyFilter("highway")))
    try:
        for w in fp:
            if is_walkable(w.tags):
                try:
                    out.append(wkb.create_linestring(w))
                except RuntimeError:
                    pass  # fewer than two located nodes: clipped at the extract's edge
    except RuntimeError as exc:
        raise DataSourceError(f"{path} is not a readable .osm.pbf ({exc}); download the extract again") from None
    return shapely.from_wkb(out) if out else np.array([], dtype=object)


def read_walk_ways_gdal(path: Path, layer: str) -> np.ndarray:
    """Walkable ways of a GDAL/osmextract lines layer (``highway`` column, others in ``other_tags``)."""
    import pyogrio

    from ..ingest.osm import parse_hstore

    if not path.exists():
        raise DataSourceError(f"OSM layers file {path} does not exist; fix [osm] file in the area config")
    src = vsi_path(path)
    cols = [c for c in pyogrio.read_info(src, layer=layer)["fields"]]
    want = [c for c in (*TAG_KEYS, "other_tags") if c in cols]
    if "highway" not in want and "other_tags" not in want:
        raise DataSourceError(f"layer {layer!r} of {path} has neither a highway nor an other_tags column; "
                              f"set [osm.layers] lines to the layer of OSM ways")
    df = pyogrio.read_dataframe(src, layer=layer, columns=want)
    if df.crs is not None and df.crs.to_epsg() != 4326:
        df = df.to_crs(WGS84)
    keep = np.zeros(len(df), dtype=bool)
    records = df[want].to_dict("records")
    for i, rec in enumerate(records):
        tags = {k: v for k, v in rec.items() if isinstance(v, str)}
        if "highway" not in tags or any(k not in tags for k in ("foot", "access")):
            extra = parse_hstore(tags.pop("other_tags", None))
            tags = {**extra, **tags}
        keep[i] = is_walkable(tags)
    return np.asarray(df.geometry.values[keep], dtype=object)


def read_walk_network(cfg: OsmConfig, data_root: Path) -> WalkNetwork:
    """The area's walk network, from its extract in whichever format the config names."""
    path = cfg.path(data_root)
    if cfg.format == "gdal":
        lines = read_walk_ways_gdal(path, cfg.layers.get("lines", "lines"))
    else:
        lines = read_walk_ways_pbf(path)
    net = network_from_lines(lines)
    if net.n_segments == 0:
        raise DataSourceError(f"the OSM extract {path} holds no walkable highway ways; walking access needs "
                              f"the extract's streets and paths (for GDAL layers, set [osm.layers] lines)")
    return net
