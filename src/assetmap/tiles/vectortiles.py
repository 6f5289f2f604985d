"""Vector tiles from GeoDataFrames: Mapbox Vector Tiles (MVT 2.1) in one PMTiles v3 archive.

A :class:`TileLayer` is a GeoDataFrame in Web Mercator (EPSG:3857) with a ``minzoom`` column (the
first zoom its features appear at) and the attribute columns to write. :func:`write_pmtiles` cuts
every layer into the tiles of each zoom that cover ``bounds`` and writes the non-empty ones,
gzipped, into a PMTiles archive: one static file that a browser reads by HTTP range requests, so
a page downloads only the directory and the tiles it shows.

Per zoom the work is vectorised with shapely 2: features are simplified once to a quarter of a
tile unit (``EXTENT`` units span a tile), slivers smaller than a few units are dropped, one STR
tree answers "which features touch this tile", and ``clip_by_rect`` cuts them with a ``BUFFER``
of overlap so strokes join across tile edges. Coordinates are moved to integer tile units here
(one affine transform over all of a tile's vertices) and :mod:`assetmap.tiles.mvt` packs them.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from ..constants import WGS84
from ..errors import BuildError
from . import mvt
from .mvt import encode_tile

WEB_MERCATOR = "EPSG:3857"
HALF_WORLD = 20037508.342789244  # metres from the Web Mercator origin to the edge of the world
EXTENT = 4096  # tile units across a tile
BUFFER = 64  # tile units of overlap around each tile
POINT, LINE, POLYGON = "point", "line", "polygon"
_TYPE_IDS = {POINT: [0, 4], LINE: [1, 5], POLYGON: [3, 6]}  # shapely type ids each kind may hold
_MVT_KIND = {POINT: mvt.POINT, LINE: mvt.LINESTRING, POLYGON: mvt.POLYGON}


@dataclass
class TileLayer:
    """One vector-tile layer: ``frame`` (EPSG:3857) with ``minzoom`` and the ``properties`` to write."""

    name: str
    frame: gpd.GeoDataFrame
    properties: tuple[str, ...] = ()
    description: str = ""
    kind: str = field(init=False)

    def __post_init__(self):
        if self.frame.crs is None or self.frame.crs.to_epsg() != 3857:
            raise BuildError(f"tile layer {self.name!r} must be in {WEB_MERCATOR}; call .to_crs({WEB_MERCATOR!r}) "
                             "first")
        missing = [c for c in ("minzoom", *self.properties) if c not in self.frame.columns]
        if missing:
            raise BuildError(f"tile layer {self.name!r} has no column(s) {missing}; add them before tiling")
        types = set(shapely.get_type_id(self.frame.geometry.values).tolist()) - {-1}
        kinds = {0: POINT, 4: POINT, 1: LINE, 2: LINE, 5: LINE, 3: POLYGON, 6: POLYGON}
        found = {kinds.get(t) for t in types}
        if None in found or len(found) > 1:
            raise BuildError(f"tile layer {self.name!r} mixes or holds unsupported geometry types {sorted(types)}; "
                             "split it into one layer of points, one of lines and one of polygons")
        self.kind = found.pop() if found else POINT


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The EPSG:3857 bounds of tile z/x/y (XYZ scheme: y counts down from the north)."""
    size = 2 * HALF_WORLD / (1 << z)
    minx = -HALF_WORLD + x * size
    maxy = HALF_WORLD - y * size
    return minx, maxy - size, minx + size, maxy


def tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    """The tile columns and rows at zoom ``z`` that cover EPSG:3857 ``bounds``."""
    n = 1 << z
    size = 2 * HALF_WORLD / n
    minx, miny, maxx, maxy = bounds
    x0 = int(np.clip((minx + HALF_WORLD) // size, 0, n - 1))
    x1 = int(np.clip((maxx + HALF_WORLD) // size, 0, n - 1))
    y0 = int(np.clip((HALF_WORLD - maxy) // size, 0, n - 1))
    y1 = int(np.clip((HALF_WORLD - miny) // size, 0, n - 1))
    return range(x0, x1 + 1), range(y0, y1 + 1)


def _prepared(layer: TileLayer, z: int):
    """The layer's features shown at zoom ``z``, simplified for it, with an STR tree over them."""
    frame = layer.frame[(layer.frame["minzoom"] <= z) & ~layer.frame.geometry.is_empty & layer.frame.geometry.notna()]
    geoms = frame.geometry.values
    unit = 2 * HALF_WORLD / (1 << z) / EXTENT
    if layer.kind != POINT and len(geoms):
        geoms = shapely.simplify(geoms, unit / 4, preserve_topology=True)
        if layer.kind == POLYGON:
            keep = shapely.area(geoms) >= (2 * unit) ** 2
        else:
            keep = shapely.length(geoms) >= 2 * unit
        geoms, frame = geoms[keep], frame[keep]
    props = frame[list(layer.properties)].astype(object).where(frame[list(layer.properties)].notna(), None)
    return geoms, props.to_dict("records"), shapely.STRtree(geoms)


def _to_tile_units(geoms: np.ndarray, bounds: tuple[float, float, float, float]) -> np.ndarray:
    minx, miny, maxx, maxy = bounds
    scale = EXTENT / (maxx - minx)

    def affine(xy: np.ndarray) -> np.ndarray:
        out = np.empty_like(xy)
        out[:, 0] = np.round((xy[:, 0] - minx) * scale)
        out[:, 1] = np.round((maxy - xy[:, 1]) * scale)  # y down, as MVT stores it
        return out

    return shapely.transform(geoms, affine)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Polygons only: the polygon parts of any collection ``make_valid`` returned (slivers become empty)."""
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    for i in mixed:
        parts = shapely.get_parts(geoms[i])
        geoms[i] = shapely.union_all(parts[shapely.get_type_id(parts) == 3])
    return geoms


def _made_valid(geoms: np.ndarray) -> np.ndarray:
    """``shapely.make_valid``, where GEOS refuses one ("Overlay input is mixed-dimension": rounding to tile
    units collapsed a ring to a point beside real ones) retried on its parts with an area."""
    try:
        return shapely.make_valid(geoms)
    except shapely.errors.GEOSException:
        out = geoms.copy()
        for i, g in enumerate(geoms):
            try:
                out[i] = shapely.make_valid(g)
            except shapely.errors.GEOSException:
                parts = shapely.get_parts(g)
                parts = parts[shapely.area(parts) > 0]
                out[i] = shapely.make_valid(shapely.multipolygons(parts)) if len(parts) else shapely.Polygon()
        return out


def _encode_tile(prepared: list, layers: list[TileLayer], z: int, x: int, y: int) -> bytes | None:
    bounds = tile_bounds(z, x, y)
    pad = BUFFER * (bounds[2] - bounds[0]) / EXTENT
    padded = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    window = shapely.box(*padded)
    out = []
    for layer, (geoms, props, tree) in zip(layers, prepared, strict=False):
        idx = tree.query(window)
        if not len(idx):
            continue
        idx.sort()
        if layer.kind == POINT:
            pts = geoms[idx]
            # a point belongs to exactly one tile, so a label is never drawn twice
            inside = shapely.contains_xy(shapely.box(*bounds), shapely.get_x(pts), shapely.get_y(pts))
            idx, cut = idx[inside], pts[inside]
        else:
            cut = shapely.clip_by_rect(geoms[idx], *padded)
        cut = _to_tile_units(cut, bounds)
        if layer.kind == POLYGON:
            cut = _polygonal(_made_valid(cut))  # rounding to tile units can pinch rings
            # MVT wants outer rings with positive area in y-down tile units: counter-clockwise here
            cut = shapely.orient_polygons(cut, exterior_cw=False)
        keep = ~shapely.is_empty(cut) & np.isin(shapely.get_type_id(cut), _TYPE_IDS[layer.kind])
        if keep.any():
            out.append((layer.name, _MVT_KIND[layer.kind], cut[keep], [props[i] for i in idx[keep]]))
    if not out:
        return None
    data = encode_tile(out, EXTENT)
    return gzip.compress(data, compresslevel=6, mtime=0) if data else None


def _field_types(layer: TileLayer) -> dict[str, str]:
    kinds = {"b": "Boolean", "i": "Number", "u": "Number", "f": "Number"}
    return {c: kinds.get(layer.frame[c].dtype.kind, "String") for c in layer.properties}


def write_pmtiles(path: str | Path, layers: list[TileLayer], bounds_lonlat: tuple[float, float, float, float],
                  minzoom: int, maxzoom: int, metadata: dict | None = None) -> dict:
    """Tile ``layers`` over ``bounds_lonlat`` at zooms ``minzoom``..``maxzoom`` into a PMTiles file.

    Returns a summary: tiles written per zoom, bytes, largest tile. Tiles with nothing in them are
    left out (a reader draws them empty).
    """
    if not 0 <= minzoom <= maxzoom <= 16:
        raise BuildError(f"tile zooms must satisfy 0 <= minzoom <= maxzoom <= 16; got {minzoom}..{maxzoom}")
    lon0, lat0, lon1, lat1 = bounds_lonlat
    corners = gpd.GeoSeries(gpd.points_from_xy([lon0, lon1], [lat0, lat1]), crs=WGS84).to_crs(WEB_MERCATOR)
    bounds = (corners.x.min(), corners.y.min(), corners.x.max(), corners.y.max())
    tiles: list[tuple[int, bytes]] = []
    per_zoom: dict[str, int] = {}
    for z in range(minzoom, maxzoom + 1):
        prepared = [_prepared(layer, z) for layer in layers]
        xs, ys = tile_range(bounds, z)
        n = 0
        for x in xs:
            for y in ys:
                data = _encode_tile(prepared, layers, z, x, y)
                if data is not None:
                    tiles.append((zxy_to_tileid(z, x, y), data))
                    n += 1
        per_zoom[str(z)] = n
    if not tiles:
        raise BuildError("no map features fall inside the area's bounds; check the OSM extract covers the area")
    tiles.sort(key=lambda t: t[0])
    header = {
        "tile_type": TileType.MVT, "tile_compression": Compression.GZIP, "min_zoom": minzoom, "max_zoom": maxzoom,
        "min_lon_e7": int(lon0 * 1e7), "min_lat_e7": int(lat0 * 1e7),
        "max_lon_e7": int(lon1 * 1e7), "max_lat_e7": int(lat1 * 1e7),
        "center_zoom": min(maxzoom, 13),
        "center_lon_e7": int((lon0 + lon1) / 2 * 1e7), "center_lat_e7": int((lat0 + lat1) / 2 * 1e7),
    }
    meta = {**(metadata or {}), "format": "pbf", "minzoom": minzoom, "maxzoom": maxzoom,
            "bounds": ",".join(f"{v:.6f}" for v in bounds_lonlat),
            "vector_layers": [{"id": layer.name, "description": layer.description, "fields": _field_types(layer),
                               "minzoom": int(max(minzoom,
                                                  layer.frame["minzoom"].min())) if len(layer.frame) else minzoom,
                               "maxzoom": maxzoom} for layer in layers]}
    path = Path(path)
    with open(path, "wb") as f:
        writer = Writer(f)
        for tileid, data in tiles:
            writer.write_tile(tileid, data)
        writer.finalize(header, json.loads(json.dumps(meta, default=str)))
    sizes = np.array([len(d) for _, d in tiles])
    return {"file": path.name, "bytes": int(path.stat().st_size), "tiles": int(len(tiles)), "per_zoom": per_zoom,
            "largest_tile_bytes": int(sizes.max()), "median_tile_bytes": int(np.median(sizes)),
            "zooms": [minzoom, maxzoom]}


def read_tile(path: str | Path, z: int, x: int, y: int) -> dict | None:
    """Decode one tile of a PMTiles archive (layer -> features in tile units), or None when absent."""
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as f:
        data = Reader(MmapSource(f)).get(z, x, y)
        if data is None:
            return None
        return mapbox_vector_tile.decode(gzip.decompress(data), default_options={"y_coord_down": True})


def pmtiles_header(path: str | Path) -> tuple[dict, dict]:
    """The header and metadata of a PMTiles archive."""
    from pmtiles.reader import MmapSource, Reader

    with open(path, "rb") as f:
        reader = Reader(MmapSource(f))
        return reader.header(), reader.metadata()


__all__ = ["TileLayer", "write_pmtiles", "read_tile", "pmtiles_header", "tile_bounds", "tile_range",
           "WEB_MERCATOR", "EXTENT", "BUFFER", "POINT", "LINE", "POLYGON"]
