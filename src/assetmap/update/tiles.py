"""The base map after an update: kept when no drawn object changed, else cut again from the new extract.

An affected object is *drawn* when :func:`assetmap.tiles.basemap.classify` puts it on a layer, in the
old extract or the new one (a street closed for construction leaves the ``roads`` layer; a new
building joins ``buildings``). Only the affected objects are looked at (their ids filter a
pyosmium pass), so an update that touches no drawn object copies the last archive as it is.
When one is drawn, only the tiles its old or new bounds touch (with the tile buffer, at every zoom)
are cut again, from the new extract's features near them; every other tile is copied from the last
archive. A changed place label cuts the whole archive again (labels are de-duplicated by name
across the area).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pmtiles.tile import tileid_to_zxy, zxy_to_tileid
from pmtiles.writer import Writer
from pyproj import Transformer

from ..config import OsmConfig
from ..constants import BNG, WGS84
from ..report import OSM_ATTRIBUTION
from ..tiles.basemap import AREA_KEYS, LINE_KEYS, build_basemap, classify, read_basemap_features, tile_layers
from ..tiles.vectortiles import (
    BUFFER,
    EXTENT,
    HALF_WORLD,
    WEB_MERCATOR,
    TileLayer,
    _encode_tile,
    _field_types,
    _prepared,
    tile_bounds,
    tile_range,
)
from .changes import Affected


def drawn_objects(extract: Path, aff: Affected) -> list[tuple[str, int, str, tuple]]:
    """The affected objects of ``extract`` the base map draws: ``(osm_type, osm_id, layer, lon/lat bounds)``."""
    import osmium

    wkb = osmium.geom.WKBFactory()
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
        if found is None:
            continue
        try:
            if geometry == "point":
                box = (obj.location.lon, obj.location.lat) * 2
            else:
                shape = wkb.create_linestring(obj) if geometry == "line" else wkb.create_multipolygon(obj)
                box = tuple(shapely.from_wkb(shape).bounds)
        except RuntimeError:
            continue  # clipped at the extract's edge: not drawn
        out.append((kind, oid, found[0], box))
    return out


def _previous_basemap(previous: Path) -> dict:
    try:
        report = json.loads((previous / "report.json").read_text(encoding="utf-8")).get("basemap", {})
    except (FileNotFoundError, json.JSONDecodeError):
        report = {}
    return {k: v for k, v in report.items() if k != "update"}


def recut_basemap(old: Path, new: Path, aff: Affected, previous: Path, tmp: Path, region_bng) -> dict:
    """``tmp/basemap.pmtiles`` after the update, and its report (with an ``update`` entry)."""
    drawn = sorted(set(drawn_objects(old, aff)) | set(drawn_objects(new, aff)))
    last = previous / "basemap.pmtiles"
    if not drawn and last.exists():
        shutil.copy2(last, tmp / "basemap.pmtiles")
        return {**_previous_basemap(previous), "update": {"drawn_objects_changed": 0, "tiles": "kept"}}
    layers_changed = sorted({d[2] for d in drawn})
    region = gpd.GeoSeries([region_bng], crs=BNG).to_crs(WGS84).iloc[0]
    if "places" in layers_changed or not last.exists():
        # places are de-duplicated by name across the area: one changed place can move another's label
        report = build_basemap(OsmConfig(file=str(new)), Path("/"), region_bng, tmp / "basemap.pmtiles",
                               OSM_ATTRIBUTION)
        return {**report, "update": {"drawn_objects_changed": len(drawn), "layers": layers_changed,
                                     "tiles": "cut again"}}
    features = read_basemap_features(OsmConfig(file=str(new)), Path("/"))
    layers = tile_layers(features, region)
    report, recut = patch_archive(last, tmp / "basemap.pmtiles", layers, [d[3] for d in drawn])
    report["features"] = {layer.name: int(len(layer.frame)) for layer in layers}
    return {**report, "update": {"drawn_objects_changed": len(drawn), "layers": layers_changed,
                                 "tiles": "re-cut where touched", "tiles_recut": recut}}


def _touched(boxes_3857: np.ndarray, z: int, xs: range, ys: range) -> set[tuple[int, int]]:
    """The tiles of zoom ``z`` (within ``xs`` × ``ys``) whose padded window meets one of the boxes."""
    size = 2 * HALF_WORLD / (1 << z)
    pad = BUFFER * size / EXTENT
    out = set()
    for minx, miny, maxx, maxy in boxes_3857:
        cols, rows = tile_range((minx - pad, miny - pad, maxx + pad, maxy + pad), z)
        out |= {(x, y) for x in cols if x in xs for y in rows if y in ys}
    return out


def patch_archive(previous: Path, out: Path, layers: list[TileLayer], boxes_lonlat: list[tuple]) -> tuple[dict, int]:
    """Write ``out``: ``previous``'s tiles, with those the changed objects' boxes touch cut again from
    ``layers`` (each feature is simplified and clipped on its own, so a tile cut from the features
    near it equals the tile cut from all). Returns the archive's summary and the tiles re-cut."""
    from pmtiles.reader import MmapSource, Reader, all_tiles

    with open(previous, "rb") as f:
        src = MmapSource(f)
        reader = Reader(src)
        header, meta = reader.header(), reader.metadata()
        tiles = {zxy_to_tileid(*zxy): data for zxy, data in all_tiles(src)}
    lo = np.array([b[:2] for b in boxes_lonlat])
    hi = np.array([b[2:] for b in boxes_lonlat])
    tf = Transformer.from_crs(WGS84, WEB_MERCATOR, always_xy=True)
    (x0, y0), (x1, y1) = tf.transform(lo[:, 0], lo[:, 1]), tf.transform(hi[:, 0], hi[:, 1])
    boxes = np.column_stack([x0, y0, x1, y1])
    lon0, lat0, lon1, lat1 = (header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"))
    (bx0, bx1), (by0, by1) = tf.transform([lon0, lon1], [lat0, lat1])
    recut = 0
    for z in range(header["min_zoom"], header["max_zoom"] + 1):
        xs, ys = tile_range((bx0, by0, bx1, by1), z)
        touched = _touched(boxes, z, xs, ys)
        if not touched:
            continue
        windows = shapely.box(*np.array([_padded(z, x, y) for x, y in touched]).T)
        near = [_near(layer, windows) for layer in layers]
        prepared = [_prepared(layer, z) for layer in near]
        for x, y in touched:
            data = _encode_tile(prepared, near, z, x, y)
            tiles.pop(zxy_to_tileid(z, x, y), None)
            if data is not None:
                tiles[zxy_to_tileid(z, x, y)] = data
            recut += 1
    lo_z, hi_z = header["min_zoom"], header["max_zoom"]
    meta["vector_layers"] = [{"id": layer.name, "description": layer.description, "fields": _field_types(layer),
                              "minzoom": int(max(lo_z, layer.frame["minzoom"].min())) if len(layer.frame) else lo_z,
                              "maxzoom": hi_z} for layer in layers]
    keep = {k: header[k] for k in ("tile_type", "tile_compression", "min_zoom", "max_zoom", "min_lon_e7",
                                   "min_lat_e7", "max_lon_e7", "max_lat_e7", "center_zoom", "center_lon_e7",
                                   "center_lat_e7")}
    with open(out, "wb") as f:
        writer = Writer(f)
        for tileid in sorted(tiles):
            writer.write_tile(tileid, tiles[tileid])
        writer.finalize(keep, meta)
    per_zoom = {str(z): 0 for z in range(header["min_zoom"], header["max_zoom"] + 1)}
    for tileid in tiles:
        per_zoom[str(tileid_to_zxy(tileid)[0])] += 1
    sizes = np.array([len(d) for d in tiles.values()])
    return ({"file": out.name, "bytes": int(out.stat().st_size), "tiles": int(len(tiles)), "per_zoom": per_zoom,
             "largest_tile_bytes": int(sizes.max()), "median_tile_bytes": int(np.median(sizes)),
             "zooms": [header["min_zoom"], header["max_zoom"]]}, recut)


def _padded(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    b = tile_bounds(z, x, y)
    pad = BUFFER * (b[2] - b[0]) / EXTENT
    return b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad


def _near(layer: TileLayer, windows: np.ndarray) -> TileLayer:
    """``layer`` cut down to the features meeting one of ``windows``, in their order."""
    hit = np.unique(layer.frame.sindex.query(windows, predicate="intersects")[1])
    return TileLayer(layer.name, layer.frame.iloc[np.sort(hit)], layer.properties, layer.description)
