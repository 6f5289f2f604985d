"""The change file between two versions of an extract (what ``osmium derive-changes`` does), in pyosmium.

Both files are read side by side in id order (``osmium.zip_processors``); an object only in the new
one is created, one only in the old one deleted, one whose version, tags, location, nodes or
members differ modified. Used to make an update's test and benchmark, and by anyone holding two
dated extracts of an area and no replication server.
"""
from __future__ import annotations

from pathlib import Path

NEW_NODE_ID = 10**11 + 1  # beyond any OpenStreetMap node id (about 1.3e10 in 2026)


def _differs(a, b) -> bool:
    """Whether two versions of an object differ: OSM bumps the version (and time) on every edit."""
    return a.version != b.version or a.timestamp != b.timestamp or a.visible != b.visible


def derive_changes(old: str | Path, new: str | Path, out: str | Path) -> dict[str, int]:
    """Write ``out`` (``.osc`` or ``.osc.gz``): the changes that make ``new`` from ``old``. Returns the counts."""
    import osmium

    Path(out).unlink(missing_ok=True)
    counts = {"created": 0, "modified": 0, "deleted": 0}
    with osmium.SimpleWriter(str(out)) as writer:
        for a, b in osmium.zip_processors(osmium.FileProcessor(str(old)), osmium.FileProcessor(str(new))):
            if a is None:
                writer.add(b)
                counts["created"] += 1
            elif b is None:
                writer.add(a.replace(visible=False, version=a.version + 1))
                counts["deleted"] += 1
            elif _differs(a, b):
                writer.add(b)
                counts["modified"] += 1
    return counts


def edit_extract(src: str | Path, dst: str | Path, edits: dict, add: list | None = None,
                 timestamp: str | None = None) -> None:
    """Write ``dst``: ``src`` with ``edits`` (``{(type, id): {field: value} or None to delete}``, fields as
    pyosmium's ``replace`` takes them) and the mutable objects ``add`` (new nodes) put in id order.
    Each edited object's version goes up by one; ``timestamp`` becomes the header's replication time."""
    import datetime as dt

    import osmium
    import osmium.io as oio

    when = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")) if timestamp else None
    pending = sorted(add or [], key=lambda n: n.id)
    Path(dst).unlink(missing_ok=True)
    h = oio.Header()
    if timestamp:
        h.set("osmosis_replication_timestamp", timestamp)
    with osmium.io.Reader(str(src), osmium.osm.osm_entity_bits.NOTHING) as rd:
        box = rd.header().box()
        if box.valid():
            h.add_box(box)
    with osmium.SimpleWriter(oio.File(str(dst)), header=h) as writer:
        for obj in osmium.FileProcessor(str(src)):
            kind = obj.type_str()
            while pending and kind == "n" and pending[0].id < obj.id:
                writer.add_node(pending.pop(0))
            if kind != "n":
                for node in pending:
                    writer.add_node(node)
                pending = []
            key = ({"n": "node", "w": "way", "r": "relation"}[kind], obj.id)
            if key not in edits:
                writer.add(obj)
            elif edits[key] is not None:
                extra = {"timestamp": when} if when else {}
                writer.add(obj.replace(version=obj.version + 1, **extra, **edits[key]))


def sample_edits(extract: str | Path, timestamp: str) -> tuple[dict, list]:
    """A small, reproducible set of edits of ``extract`` (for the update's test and benchmark): a library
    deleted, a residential street closed for construction, a footway's first node moved 40 m north and a
    new community centre node at the extract's middle. Returns ``(edits, added nodes)``."""
    import datetime as dt

    import osmium

    library = street = footway = None
    lons, lats = [], []
    fp = osmium.FileProcessor(str(extract)).with_locations().with_filter(osmium.filter.KeyFilter("amenity", "highway"))
    for obj in fp:
        tags = obj.tags
        if library is None and tags.get("amenity") == "library":
            library = ("node" if obj.is_node() else "way" if obj.is_way() else "relation", obj.id)
        if obj.is_node():
            lons.append(obj.location.lon)
            lats.append(obj.location.lat)
        if obj.is_way() and street is None and tags.get("highway") == "residential":
            street = obj.id
        if obj.is_way() and footway is None and tags.get("highway") == "footway":
            first = obj.nodes[0]
            footway, moved = first.ref, (first.location.lon, first.location.lat)
    if None in (library, street, footway) or not lons:
        raise ValueError(f"{extract} lacks a library, a residential street or a footway to edit")
    edits = {library: None, ("way", street): {"tags": {"highway": "construction", "construction": "residential"}},
             ("node", footway): {"location": (moved[0], moved[1] + 0.00036)}}
    when = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    lons.sort()
    lats.sort()
    centre = osmium.osm.mutable.Node(id=NEW_NODE_ID, version=1, visible=True, timestamp=when, changeset=1, uid=1,
                                     user="assetmap-test", location=(lons[len(lons) // 2], lats[len(lats) // 2]),
                                     tags={"amenity": "community_centre", "name": "Test Community Centre"})
    return edits, [centre]
