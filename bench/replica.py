"""The replica behind bench/national_build.py: a real OSM extract copied N times on a near-square
grid, with the postcodes, neighbourhoods and rows the build joins on them, as a data root and an
area config that `assetmap build` reads like any other.

- **Grid.** Copy 0 is the extract itself (real ids, codes and postcodes) in the centre cell; copy
  ``k`` sits ``offset[k]`` BNG metres away (cells are the extract's BNG extent plus ``gap_m``), so
  copies never overlap. Coordinates are shifted in EPSG:27700 and converted back to lon/lat.
- **Ids.** Nodes, ways and relations of copy ``k`` get ``k * (max id + 1)`` added, per type.
- **Links.** The walk network snaps to its main component only, so neighbouring copies are joined by
  ``links`` synthetic footways each (east edge to west edge, north edge to south edge), between the
  outermost street nodes of ``links`` strips; their ways come after every copy's ways.
- **Postcodes.** Real postcodes inside the replica's footprint are dropped; those inside the
  template's LSOAs are copied, with synthetic postcodes "Q?nn nXX" (no real area starts with Q).
- **Neighbourhoods.** The template district's LSOA21 polygons, shifted, with codes E019nnnnn, LADs
  E069nnnnn, MSOAs E029nnnnn and wards E059nnnnn that no real code uses; IoD2025, Census 2021,
  MSOA names and the ward lookup get matching rows (the real rows stay: national ranks).
Curated national lists are not copied: records that really lie in the footprint count where they are.
"""
from __future__ import annotations

import math
import os
import string
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyproj import Transformer

TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)
TO_LONLAT = Transformer.from_crs(27700, 4326, always_xy=True)
STREETS = frozenset({"primary", "secondary", "tertiary", "unclassified", "residential"})
LETTERS = string.ascii_uppercase
TYPES = ("n", "w", "r")


@dataclass
class Template:
    """One copy of the extract held once: nodes as arrays, ways and relations as tuples."""

    node_id: np.ndarray
    x: np.ndarray  # EPSG:27700
    y: np.ndarray
    node_tags: dict[int, dict] = field(default_factory=dict)  # node index -> tags (tagged nodes only)
    ways: list = field(default_factory=list)  # (id, node refs as int64 array, tags)
    relations: list = field(default_factory=list)  # (id, [(type, ref, role)], tags)
    street_nodes: np.ndarray | None = None  # indices of nodes on ordinary streets

    @property
    def shift(self) -> dict[str, int]:
        """Id shift per copy, per type (max id + 1)."""
        return {"n": int(self.node_id.max()) + 1, "w": max((w[0] for w in self.ways), default=0) + 1,
                "r": max((r[0] for r in self.relations), default=0) + 1}

    def bounds(self) -> tuple[float, float, float, float]:
        return float(self.x.min()), float(self.y.min()), float(self.x.max()), float(self.y.max())


def read_template(pbf: Path, clip: tuple[float, float, float, float] | None = None) -> Template:
    """The extract's nodes, ways and relations (one pass with pyosmium), cut to ``clip`` (BNG) if given."""
    import osmium

    ids, lon, lat, ntags, ways, rels = [], [], [], {}, [], []
    for o in osmium.FileProcessor(str(pbf)):
        if o.is_node():
            if o.tags:
                ntags[len(ids)] = dict(o.tags)
            ids.append(o.id)
            lon.append(o.location.lon)
            lat.append(o.location.lat)
        elif o.is_way():
            ways.append((o.id, np.array([r.ref for r in o.nodes], dtype=np.int64), dict(o.tags)))
        elif o.is_relation():
            rels.append((o.id, [(m.type, m.ref, m.role) for m in o.members], dict(o.tags)))
    node_id = np.array(ids, dtype=np.int64)
    x, y = TO_BNG.transform(np.array(lon), np.array(lat))
    t = Template(node_id, np.asarray(x), np.asarray(y), ntags, ways, rels)
    if clip is not None:
        t = clipped(t, clip)
    node_id = t.node_id
    on_street = [w[1] for w in t.ways if w[2].get("highway") in STREETS]
    refs = np.unique(np.concatenate(on_street)) if on_street else np.array([], dtype=np.int64)
    order = np.argsort(node_id)
    pos = np.searchsorted(node_id, refs, sorter=order)
    ok = pos < len(node_id)
    idx = order[pos[ok]]
    t.street_nodes = idx[node_id[idx] == refs[ok]]
    return t


def clipped(t: Template, box: tuple[float, float, float, float]) -> Template:
    """``t`` cut to ``box`` as osmium's "simple" strategy does: nodes inside, ways keep their nodes inside
    (dropped below two), relations keep their members still there (dropped when none is)."""
    keep = (t.x >= box[0]) & (t.x <= box[2]) & (t.y >= box[1]) & (t.y <= box[3])
    new_ix = np.cumsum(keep) - 1
    ids = t.node_id[keep]
    ways = []
    inside = np.sort(ids)
    for wid, refs, tags in t.ways:
        pos = np.minimum(np.searchsorted(inside, refs), len(inside) - 1)
        r = refs[inside[pos] == refs]
        if len(r) >= 2:
            ways.append((wid, r, tags))
    have = {"n": set(ids.tolist()), "w": {w[0] for w in ways}, "r": {r[0] for r in t.relations}}
    rels = []
    for rid, members, tags in t.relations:
        ms = [m for m in members if m[1] in have[m[0]]]
        if ms:
            rels.append((rid, ms, tags))
    tags = {int(new_ix[i]): v for i, v in t.node_tags.items() if keep[i]}
    return Template(ids, t.x[keep], t.y[keep], tags, ways, rels)


def grid(n: int, cell: tuple[float, float]) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Cells (column, row) and BNG offsets of ``n`` copies on a near-square grid, copy 0 in the centre
    cell at offset (0, 0), the others in row order."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    centre = ((cols - 1) // 2, (rows - 1) // 2)
    cells = [centre] + [(i % cols, i // cols) for i in range(cols * rows) if (i % cols, i // cols) != centre]
    cells = cells[:n]
    off = np.array([((c - centre[0]) * cell[0], (r - centre[1]) * cell[1]) for c, r in cells], dtype=float)
    return cells, off


def strip_ends(t: Template, axis: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For ``k`` strips across ``axis`` (0: strips of y, ends in x; 1: strips of x, ends in y): the street
    node with the least and the greatest coordinate in each strip (node indices; strips without one dropped)."""
    idx = t.street_nodes
    along, across = (t.x[idx], t.y[idx]) if axis == 0 else (t.y[idx], t.x[idx])
    edges = np.linspace(across.min(), across.max(), k + 1)
    lo, hi = [], []
    for s in range(k):
        m = (across >= edges[s]) & (across <= edges[s + 1])
        if m.any():
            lo.append(idx[m][np.argmin(along[m])])
            hi.append(idx[m][np.argmax(along[m])])
    return np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)


def links(t: Template, cells: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    """Node id pairs (already shifted) joining each pair of neighbouring copies by ``k`` footways."""
    at = {c: i for i, c in enumerate(cells)}
    sh = t.shift["n"]
    out = []
    for axis, step in ((0, (1, 0)), (1, (0, 1))):
        lo, hi = strip_ends(t, axis, k)
        for (c, r), a in at.items():
            b = at.get((c + step[0], r + step[1]))
            if b is not None:
                out += [(int(t.node_id[h]) + a * sh, int(t.node_id[low]) + b * sh) for h, low in zip(hi, lo, strict=True)]
    return out


def write_pbf(t: Template, offsets: np.ndarray, joins: list[tuple[int, int]], path: Path) -> dict:
    """The replica extract (nodes, then ways, then relations, each sorted by id): object counts."""
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    sh = t.shift
    x0, y0, x1, y1 = t.bounds()
    lon, lat = TO_LONLAT.transform([x0 + offsets[:, 0].min(), x1 + offsets[:, 0].max()],
                                   [y0 + offsets[:, 1].min(), y1 + offsets[:, 1].max()])
    hdr = osmium.io.Header()
    hdr.add_box(osmium.osm.Box(osmium.osm.Location(min(lon), min(lat)), osmium.osm.Location(max(lon), max(lat))))
    counts = {"nodes": 0, "ways": 0, "relations": 0, "links": len(joins)}
    if path.exists():
        path.unlink()
    with osmium.SimpleWriter(str(path), header=hdr) as w:
        for k, (ox, oy) in enumerate(offsets):
            lon, lat = TO_LONLAT.transform(t.x + ox, t.y + oy)
            ids = (t.node_id + k * sh["n"]).tolist()
            for i, (nid, a, b) in enumerate(zip(ids, lon.tolist(), lat.tolist(), strict=True)):
                w.add_node(Node(id=nid, location=(a, b), tags=t.node_tags.get(i, {})))
            counts["nodes"] += len(ids)
        for k in range(len(offsets)):
            for wid, refs, tags in t.ways:
                w.add_way(Way(id=wid + k * sh["w"], nodes=(refs + k * sh["n"]).tolist(), tags=tags))
            counts["ways"] += len(t.ways)
        base = len(offsets) * sh["w"]
        for j, (a, b) in enumerate(joins):
            w.add_way(Way(id=base + j, nodes=[a, b], tags={"highway": "footway", "note": "replica link"}))
        for k in range(len(offsets)):
            for rid, members, tags in t.relations:
                ms = [(typ, ref + k * sh[typ], role) for typ, ref, role in members]
                w.add_relation(Relation(id=rid + k * sh["r"], members=ms, tags=tags))
            counts["relations"] += len(t.relations)
    counts["ways"] += len(joins)
    return counts


def postcode_string(t: np.ndarray) -> list[str]:
    """Synthetic, valid-format postcodes for indices ``t`` ("QA00 0AA" …): area Q exists nowhere."""
    t = np.asarray(t, dtype=np.int64)
    a = t % 676
    d = (t // 676) % 10
    dd = (t // 6760) % 100
    area = (t // 676000) % 26
    return [f"Q{LETTERS[p]}{q:02d} {r}{LETTERS[s // 26]}{LETTERS[s % 26]}"
            for p, q, r, s in zip(area.tolist(), dd.tolist(), d.tolist(), a.tolist(), strict=True)]


def link_data(src: Path, dst: Path) -> None:
    """``dst`` as a data root: a symlink to every entry of ``src`` (read-only, never written)."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in sorted(os.listdir(src)):
        target = dst / entry
        if not target.exists() and not target.is_symlink():
            target.symlink_to(Path(src).resolve() / entry)
