"""OSM change files (``.osc``/``.osc.gz``): what they touch, and the new extract they make.

:func:`read_changes` lists the node, way and relation ids a change file creates, modifies or
deletes; :func:`apply_changes` merges it into the build's extract (pyosmium's ``MergeInputReader``,
as ``osmium apply-changes`` does), keeping the header's bounding box and stamping the newest
change's time; :func:`affected` widens the changed ids to every object whose geometry they move
(ways on a moved node, relations with a changed member), in the old extract and in the new one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataSourceError


@dataclass
class ChangeSet:
    """The ids a change file touches, by OSM type (``node``, ``way``, ``relation``)."""

    ids: dict[str, set[int]] = field(default_factory=lambda: {"node": set(), "way": set(), "relation": set()})
    deleted: dict[str, set[int]] = field(default_factory=lambda: {"node": set(), "way": set(), "relation": set()})
    newest: dt.datetime | None = None  # the newest object's timestamp

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.ids.values())

    def counts(self) -> dict[str, int]:
        return {f"{t}s": len(v) for t, v in self.ids.items()} | {"deleted": sum(len(v) for v in self.deleted.values())}


def _check(path: Path) -> None:
    if not path.exists():
        raise DataSourceError(f"change file {path} does not exist; give an OSM change file (.osc or .osc.gz)")
    if not (path.name.endswith(".osc") or path.name.endswith(".osc.gz") or path.name.endswith(".osc.bz2")):
        raise DataSourceError(f"{path} is not an OSM change file: its name must end in .osc, .osc.gz or .osc.bz2")


def read_changes(paths: list[Path]) -> ChangeSet:
    """The ids the OSM change files ``paths`` (oldest first) touch; deleted objects separately."""
    cs = ChangeSet()
    for path in paths:
        _check(Path(path))
        _read_into(cs, Path(path))
    return cs


def _read_into(cs: ChangeSet, path: Path) -> None:
    import osmium

    try:
        for obj in osmium.FileProcessor(str(path)):
            kind = "node" if obj.is_node() else "way" if obj.is_way() else "relation"
            cs.ids[kind].add(obj.id)
            if obj.deleted:
                cs.deleted[kind].add(obj.id)
            else:
                cs.deleted[kind].discard(obj.id)  # deleted then created again in the same file
            stamp = obj.timestamp
            if stamp is not None and stamp.year > 1970 and (cs.newest is None or stamp > cs.newest):
                cs.newest = stamp
    except RuntimeError as exc:
        raise DataSourceError(f"{path} is not a readable OSM change file ({exc})") from None


def header_info(path: str | Path) -> dict:
    """The header fields an update keeps: bounding box, replication sequence and timestamp."""
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        h = reader.header()
        box = h.box()
        return {"box": (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
                if box.valid() else None,
                "timestamp": h.get("osmosis_replication_timestamp") or h.get("timestamp") or None,
                "sequence": h.get("osmosis_replication_sequence_number") or None,
                "base_url": h.get("osmosis_replication_base_url") or None}
    finally:
        reader.close()


def stamp_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def apply_changes(extract: str | Path, changes: list[Path], out: str | Path, timestamp: str | None,
                  replication: dict | None = None) -> None:
    """Write ``out``: ``extract`` with the change files ``changes`` applied (the newest version of each
    object). The header keeps the extract's box; ``timestamp`` (ISO, ``Z``) becomes its replication
    timestamp, and ``replication`` (``base_url``, ``sequence``) is written when given."""
    import osmium
    import osmium.io as oio

    head = header_info(extract)
    merger = osmium.MergeInputReader()
    for path in changes:
        _check(Path(path))
        merger.add_file(str(path))
    h = oio.Header()
    if head["box"] is not None:
        h.add_box(osmium.osm.Box(osmium.osm.Location(head["box"][0], head["box"][1]),
                                 osmium.osm.Location(head["box"][2], head["box"][3])))
    stamp = timestamp or head["timestamp"]
    if stamp:
        h.set("osmosis_replication_timestamp", stamp)
    for key, value in (replication or {}).items():
        if value is not None:
            h.set(f"osmosis_replication_{key}" if key != "sequence" else "osmosis_replication_sequence_number",
                  str(value))
    Path(out).unlink(missing_ok=True)
    reader = oio.Reader(str(extract))
    writer = oio.Writer(oio.File(str(out)), h)
    try:
        merger.apply_to_reader(reader, writer, False)
    finally:
        reader.close()
        writer.close()


class Affected:
    """The objects whose data or geometry a change set touches (ids kept by an ``osmium.IdTracker``)."""

    def __init__(self, tracker):
        self.tracker = tracker
        self._sets = {"node": tracker.node_ids(), "way": tracker.way_ids(), "relation": tracker.relation_ids()}

    def __call__(self, osm_type: str, osm_id: int) -> bool:
        return int(osm_id) in self._sets[osm_type]

    def counts(self) -> dict[str, int]:
        return {f"{t}s": len(s) for t, s in self._sets.items()}

    def mask(self, osm_type, osm_id) -> list[bool]:
        """Per row of two columns, whether the object is affected."""
        return [self(t, i) for t, i in zip(osm_type, osm_id, strict=True)]


def affected(cs: ChangeSet, extract: str | Path) -> Affected:
    """The objects of ``extract`` (the new extract) whose data or geometry ``cs`` touches: the changed
    ids, the ways holding a changed node and the relations holding a changed member (one level of
    nesting). A way that held a node the change deletes is in the change itself (it was modified)."""
    import osmium

    tracker = osmium.IdTracker()
    for i in cs.ids["node"]:
        tracker.add_node(i)
    for i in cs.ids["way"]:
        tracker.add_way(i)
    for i in cs.ids["relation"]:
        tracker.add_relation(i)
    tracker.complete_forward_references(str(extract), relation_depth=1)
    return Affected(tracker)
