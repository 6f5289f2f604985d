"""The base map after an update: kept when no drawn object changed, else cut again from the new extract.

An affected object is *drawn* when :func:`assetmap.tiles.basemap.classify` puts it on a layer, in the
old extract or the new one (a street closed for construction leaves the ``roads`` layer; a new
building joins ``buildings``). Only the affected objects are looked at (their ids filter a
pyosmium pass), so an update that touches no drawn object copies the last archive as it is.
When one is drawn the archive is cut again from the new extract (``build_basemap``): the tiler
(assetmap.tiles) writes whole archives; re-cutting only the tiles the changed geometries touch is
the next step (docs/update.md).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..report import OSM_ATTRIBUTION
from ..tiles.basemap import AREA_KEYS, LINE_KEYS, build_basemap, classify
from .changes import Affected


def drawn_objects(extract: Path, aff: Affected) -> list[tuple[str, int, str]]:
    """The affected objects of ``extract`` the base map draws: ``(osm_type, osm_id, layer)``."""
    import osmium

    out = []
    fp = (osmium.FileProcessor(str(extract))
          .with_areas(osmium.filter.KeyFilter(*AREA_KEYS))
          .with_filter(osmium.filter.KeyFilter(*AREA_KEYS, *LINE_KEYS, "place")))
    for obj in fp:
        if obj.is_area():
            kind, oid, geometry = ("way" if obj.from_way() else "relation"), obj.orig_id(), "area"
        elif obj.is_node():
            kind, oid, geometry = "node", obj.id, "point"
        elif obj.is_way():
            kind, oid, geometry = "way", obj.id, "line"
        else:
            continue
        if not aff(kind, oid):
            continue
        found = classify(dict(obj.tags), geometry)
        if found is not None:
            out.append((kind, oid, found[0]))
    return out


def recut_basemap(old: Path, new: Path, aff: Affected, previous: Path, tmp: Path, region_bng) -> dict:
    """``tmp/basemap.pmtiles`` after the update, and its report (with an ``update`` entry)."""
    drawn = sorted(set(drawn_objects(old, aff)) | set(drawn_objects(new, aff)))
    last = previous / "basemap.pmtiles"
    if not drawn and last.exists():
        shutil.copy2(last, tmp / "basemap.pmtiles")
        try:
            report = json.loads((previous / "report.json").read_text(encoding="utf-8")).get("basemap", {})
        except (FileNotFoundError, json.JSONDecodeError):
            report = {}
        report = {k: v for k, v in report.items() if k != "update"}
        return {**report, "update": {"drawn_objects_changed": 0, "tiles": "kept"}}
    from ..config import OsmConfig

    report = build_basemap(OsmConfig(file=str(new)), Path("/"), region_bng, tmp / "basemap.pmtiles", OSM_ATTRIBUTION)
    layers = sorted({layer for _, _, layer in drawn})
    return {**report, "update": {"drawn_objects_changed": len(drawn), "layers": layers, "tiles": "cut again"}}
