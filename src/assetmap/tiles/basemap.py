"""The offline base map: the area's own OpenStreetMap extract as vector tiles (``basemap.pmtiles``).

Residents need to read where they are: street names, water, parks and woods, buildings, place
names. ``read_basemap_features`` takes those from the extract (a ``.osm.pbf`` through pyosmium, with
multipolygons assembled, or GDAL/osmextract layers) and ``classify`` sorts each OSM object into a
layer and a ``kind`` with the zoom it first appears at. ``build_basemap`` tiles them around the
area with :mod:`assetmap.tiles.vectortiles`; the web pages draw the archive with protomaps-leaflet,
fetching only the tiles in view.

Layers (the schema ``app/static/js/basemap.js`` styles):

=============  =========  =================================================================
layer          geometry   ``kind`` values (and other attributes)
=============  =========  =================================================================
``landcover``  polygon    park, wood, grass, farmland, cemetery, allotments, pitch, golf
``water``      polygon    water
``waterway``   line       river, canal, stream (``name``)
``buildings``  polygon    building
``roads``      line       motorway, trunk, primary, secondary, tertiary, minor, service,
                          track, path (``name``, ``ref``)
``rail``       line       rail
``places``     point      city, town, village, suburb, hamlet, quarter, neighbourhood,
                          locality (``name``)
=============  =========  =================================================================
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..config import OsmConfig
from ..constants import BNG, WGS84
from ..errors import BuildError, DataSourceError
from ..ingest.io import vsi_path
from ..ingest.osm import parse_hstore
from .pyramid import write_pmtiles_spilled
from .vectortiles import WEB_MERCATOR, TileLayer

MINZOOM, MAXZOOM = 8, 15  # tiles are made up to z15; pages over-zoom them (z16-19) without loss
BATCH_ROWS = 100_000  # features per batch read from the extract
AREA_KEYS = ("building", "landuse", "leisure", "natural", "water", "waterway", "amenity")
LINE_KEYS = ("highway", "railway", "waterway")

ROAD_KINDS = {
    "motorway": "motorway", "motorway_link": "motorway", "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary", "secondary": "secondary", "secondary_link": "secondary",
    "tertiary": "tertiary", "tertiary_link": "tertiary", "residential": "minor", "unclassified": "minor",
    "living_street": "minor", "road": "minor", "pedestrian": "path", "service": "service", "track": "track",
    "footway": "path", "path": "path", "cycleway": "path", "bridleway": "path", "steps": "path",
}
ROAD_MINZOOM = {"motorway": 8, "trunk": 8, "primary": 9, "secondary": 10, "tertiary": 11, "minor": 12,
                "service": 14, "track": 13, "path": 14}
PLACE_MINZOOM = {"city": 8, "town": 9, "village": 11, "suburb": 11, "hamlet": 12, "quarter": 13,
                 "neighbourhood": 14, "locality": 14}
LANDCOVER = {
    ("leisure", "park"): "park", ("leisure", "garden"): "park", ("leisure", "recreation_ground"): "park",
    ("leisure", "common"): "park", ("leisure", "nature_reserve"): "park", ("leisure", "playground"): "park",
    ("landuse", "recreation_ground"): "park", ("landuse", "village_green"): "grass",
    ("leisure", "pitch"): "pitch", ("leisure", "golf_course"): "golf",
    ("landuse", "forest"): "wood", ("natural", "wood"): "wood", ("natural", "scrub"): "wood",
    ("landuse", "grass"): "grass", ("landuse", "meadow"): "farmland", ("natural", "grassland"): "grass",
    ("natural", "heath"): "grass", ("landuse", "farmland"): "farmland", ("landuse", "cemetery"): "cemetery",
    ("amenity", "grave_yard"): "cemetery", ("landuse", "allotments"): "allotments",
}
WATER = {("natural", "water"), ("landuse", "reservoir"), ("landuse", "basin"), ("waterway", "riverbank"),
         ("water", "river"), ("water", "lake"), ("water", "pond")}
WATERWAY_MINZOOM = {"river": 10, "canal": 10, "stream": 13}


def classify(tags: dict[str, str], geometry: str) -> tuple[str, str, int] | None:
    """(layer, kind, minzoom) of an OSM object drawn on the base map, or None.

    ``geometry`` is ``"point"``, ``"line"`` or ``"area"``; an area's minzoom is settled later from
    its size (:func:`area_minzoom`), so it is returned as -1.
    """
    if geometry == "point":
        kind = tags.get("place")
        return ("places", kind, PLACE_MINZOOM[kind]) if kind in PLACE_MINZOOM and tags.get("name") else None
    if geometry == "line":
        if tags.get("highway") in ROAD_KINDS and tags.get("area") != "yes":
            kind = ROAD_KINDS[tags["highway"]]
            return "roads", kind, ROAD_MINZOOM[kind]
        if tags.get("railway") == "rail" and not tags.get("service"):
            return "rail", "rail", 10
        if tags.get("waterway") in WATERWAY_MINZOOM:
            return "waterway", tags["waterway"], WATERWAY_MINZOOM[tags["waterway"]]
        return None
    if any((k, tags.get(k)) in WATER for k in ("natural", "landuse", "waterway", "water")):
        return "water", "water", -1
    if tags.get("building") and tags.get("building") != "no":
        return "buildings", "building", 14
    for key in ("leisure", "landuse", "natural", "amenity"):
        kind = LANDCOVER.get((key, tags.get(key)))
        if kind:
            return "landcover", kind, -1
    return None


def area_minzoom(area_m2: np.ndarray) -> np.ndarray:
    """The zoom an area first shows at: a large park from z10, a pocket park from z14."""
    return np.select([area_m2 >= 500_000, area_m2 >= 50_000, area_m2 >= 5_000], [10, 12, 13], 14)


def _pbf_objects(path: Path):
    import osmium

    wkb = osmium.geom.WKBFactory()
    fp = (osmium.FileProcessor(str(path))
          .with_areas(osmium.filter.KeyFilter(*AREA_KEYS))
          .with_filter(osmium.filter.KeyFilter(*AREA_KEYS, *LINE_KEYS, "place")))
    for obj in fp:
        try:
            if obj.is_node():
                if "place" in obj.tags:
                    yield dict(obj.tags), "point", shapely.Point(obj.location.lon, obj.location.lat)
            elif obj.is_way():
                tags = dict(obj.tags)
                if any(k in tags for k in LINE_KEYS):
                    yield tags, "line", shapely.from_wkb(wkb.create_linestring(obj))
            elif obj.is_area():
                yield dict(obj.tags), "area", shapely.from_wkb(wkb.create_multipolygon(obj))
        except RuntimeError:
            continue  # a way or relation clipped at the extract's edge


def _gdal_objects(path: Path, layers: dict[str, str]):
    import pyogrio

    src = vsi_path(path)
    available = {name for name, _ in pyogrio.list_layers(src)}
    roles = {"points": "point", "lines": "line", "multipolygons": "area"}
    for role, geometry in roles.items():
        layer = layers.get(role, role)
        if layer not in available:
            continue
        df = pyogrio.read_dataframe(src, layer=layer)
        if df.crs is not None and df.crs.to_epsg() != 4326:
            df = df.to_crs(WGS84)
        cols = [c for c in df.columns if c not in ("geometry", "other_tags", "osm_id", "osm_way_id")]
        other = df["other_tags"] if "other_tags" in df else pd.Series([None] * len(df), index=df.index)
        for rec, ot, geom in zip(df[cols].to_dict("records"), other, df.geometry, strict=False):
            if geom is None:
                continue
            tags = {k: str(v) for k, v in rec.items() if v is not None and not (isinstance(v, float) and np.isnan(v))}
            tags.update(parse_hstore(ot))
            yield tags, geometry, geom


def iter_basemap_features(cfg: OsmConfig, data_root: Path,
                          batch_rows: int = BATCH_ROWS) -> Iterator[dict[str, gpd.GeoDataFrame]]:
    """The extract's base-map features in batches of about ``batch_rows``, in the extract's order: one
    GeoDataFrame (EPSG:4326) per layer with kind/minzoom/name/ref."""
    path = cfg.path(data_root)
    if not path.exists():
        raise DataSourceError(f"OSM extract {path} does not exist; fix [osm] file in the area config")
    objects = _gdal_objects(path, cfg.layers) if cfg.format == "gdal" else _pbf_objects(path)
    rows: dict[str, list] = {}
    n = 0
    for tags, geometry, geom in objects:
        found = classify(tags, geometry)
        if found is None or geom is None or geom.is_empty:
            continue
        layer, kind, minzoom = found
        rows.setdefault(layer, []).append((kind, minzoom, tags.get("name"), tags.get("ref"), geom))
        n += 1
        if n >= batch_rows:
            yield _frames(rows)
            rows, n = {}, 0
    if rows:
        yield _frames(rows)


def _frames(rows: dict[str, list]) -> dict[str, gpd.GeoDataFrame]:
    return {layer: gpd.GeoDataFrame(r, columns=["kind", "minzoom", "name", "ref", "geometry"], crs=WGS84)
            for layer, r in rows.items()}


def read_basemap_features(cfg: OsmConfig, data_root: Path) -> dict[str, gpd.GeoDataFrame]:
    """The extract's base-map features, one GeoDataFrame (EPSG:4326) per layer with kind/minzoom/name/ref."""
    parts: dict[str, list[gpd.GeoDataFrame]] = {}
    for batch in iter_basemap_features(cfg, data_root):
        for layer, frame in batch.items():
            parts.setdefault(layer, []).append(frame)
    return {layer: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84) for layer, frames in parts.items()}


LAYER_PROPERTIES = {"landcover": ("kind",), "water": ("kind",), "waterway": ("kind", "name"),
                    "buildings": (), "roads": ("kind", "name", "ref"), "rail": ("kind",), "places": ("kind", "name")}
LAYER_ORDER = ("landcover", "water", "waterway", "buildings", "rail", "roads", "places")


def tile_layers(features: dict[str, gpd.GeoDataFrame], region_lonlat,
                seen_places: set | None = None) -> list[TileLayer]:
    """The features inside ``region_lonlat`` as :class:`TileLayer` s in Web Mercator, drawing order.

    A place is drawn once per name and kind (the first met); with batches, ``seen_places`` carries
    the (name, kind) pairs of earlier batches.
    """
    out = []
    for name in LAYER_ORDER:
        frame = features.get(name)
        if frame is None or not len(frame):
            continue
        frame = frame[frame.intersects(region_lonlat)]
        lat = np.radians(shapely.get_y(shapely.point_on_surface(frame.geometry.values)))
        frame = frame.to_crs(WEB_MERCATOR)
        if name in ("landcover", "water"):
            # true area: Web Mercator inflates it by 1/cos²(latitude)
            frame = frame.assign(minzoom=area_minzoom(frame.geometry.area.to_numpy() * np.cos(lat) ** 2))
        if name == "places":
            frame = frame.drop_duplicates(subset=["name", "kind"])
            if seen_places is not None:
                pairs = list(zip(frame["name"], frame["kind"], strict=True))
                frame = frame[[p not in seen_places for p in pairs]]
                seen_places.update(pairs)
        out.append(TileLayer(name, frame.reset_index(drop=True), LAYER_PROPERTIES[name]))
    return out


def basemap_metadata(attribution: str) -> dict:
    return {"name": "assetmap base map", "attribution": attribution, "type": "baselayer",
            "description": "Streets, water, green space, buildings and places from the area's OpenStreetMap extract"}


def iter_tile_layers(cfg: OsmConfig, data_root: Path, region_lonlat, read: dict) -> Iterator[list[TileLayer]]:
    """The extract's features inside ``region_lonlat``, batch by batch, as TileLayers; ``read["features"]``
    counts the features read (inside the region or not)."""
    seen: set = set()
    for batch in iter_basemap_features(cfg, data_root):
        read["features"] = read.get("features", 0) + sum(len(f) for f in batch.values())
        yield tile_layers(batch, region_lonlat, seen)


def build_basemap(cfg: OsmConfig, data_root: Path, region_bng, out: Path, attribution: str) -> dict:
    """Write ``out`` (a PMTiles archive) of the extract around ``region_bng`` (a polygon in EPSG:27700).

    Features stream from the extract to a spill beside ``out``, by parent tile
    (:mod:`assetmap.tiles.pyramid`): memory is bounded by the largest parent, not by the area.
    """
    region = gpd.GeoSeries([region_bng], crs=BNG).to_crs(WGS84).iloc[0]
    read: dict = {}
    try:
        return write_pmtiles_spilled(out, iter_tile_layers(cfg, data_root, region, read), tuple(region.bounds),
                                     MINZOOM, MAXZOOM, basemap_metadata(attribution),
                                     order=LAYER_ORDER, workdir=out.parent)
    except BuildError:
        if not read.get("features"):
            raise DataSourceError(f"the OSM extract {cfg.file} has no streets, water, green space or buildings "
                                  "to draw a base map from; check [osm] file and format in the area config") from None
        raise
