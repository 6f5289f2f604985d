"""Read OpenStreetMap extracts into assets (one point per feature) and streets.

``.osm.pbf`` files are read directly with pyosmium: nodes, ways *and* areas (closed ways and
multipolygon relations, which is how parks and most places of worship are mapped). Each
feature becomes one point: the node itself, or a representative point guaranteed to lie inside
the area (shapely ``point_on_surface``) or on the line.

GDAL/osmextract layers (a GeoPackage with ``points``/``lines``/``multipolygons`` layers and an
``other_tags`` hstore column) are read too, so that an extract published in that form needs a
config, not code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from ..config import OsmConfig
from ..constants import WGS84
from ..errors import DataSourceError
from ..taxonomy import Taxonomy
from .io import vsi_path

_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')

ASSET_COLUMNS = ["osm_type", "osm_id", "name", "category", "categories", "tags", "geometry"]


@dataclass
class OsmExtract:
    features: gpd.GeoDataFrame  # one row per classified feature, points in EPSG:4326
    streets: gpd.GeoDataFrame  # highway lines in EPSG:4326
    bounds: tuple[float, float, float, float] | None  # lon/lat bbox the extract declares (header)
    timestamp: str | None
    counts: dict[str, int]
    places: gpd.GeoDataFrame | None = None  # named place=* nodes (suburbs, villages…), EPSG:4326


# place=* values a resident would search by (not countries, counties or single farms)
PLACE_KINDS = ("city", "town", "village", "hamlet", "suburb", "quarter", "neighbourhood", "locality")
PLACE_COLUMNS = ["osm_id", "place", "name", "geometry"]


def _places(rows: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, columns=PLACE_COLUMNS, geometry="geometry", crs=WGS84)


def parse_hstore(text: str | None) -> dict[str, str]:
    if not text or not isinstance(text, str):
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _HSTORE.findall(text)}


def _row(osm_type, osm_id, tags, geom, taxonomy):
    cats = taxonomy.classify(tags)
    if not cats:
        return None
    return (osm_type, int(osm_id), tags.get("name"), cats[0], ";".join(cats), tags, geom)


def _header(path: Path) -> tuple[tuple[float, float, float, float] | None, str | None]:
    """The extract's declared lon/lat box and timestamp (header), checking it is readable."""
    import osmium

    if not path.exists():
        raise DataSourceError(
            f"OSM extract {path} does not exist; put the .osm.pbf there, run `assetmap fetch` for the area, "
            f"or fix [osm] file in the area config"
        )
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        header = reader.header()
        hbox = header.box()
        stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp") or None
        reader.close()
    except RuntimeError as exc:
        raise DataSourceError(f"{path} is not a readable .osm.pbf ({exc}); download the extract again") from None
    bounds = None
    if hbox.valid():
        bounds = (hbox.bottom_left.lon, hbox.bottom_left.lat, hbox.top_right.lon, hbox.top_right.lat)

    return bounds, stamp


def read_pbf(path: Path, taxonomy: Taxonomy, only=None) -> OsmExtract:
    """The classified features, streets and places of an ``.osm.pbf``, in a canonical order (by OSM type,
    then id). ``only(osm_type, osm_id)``: read just the objects it accepts (assetmap.update patches a build)."""
    import osmium

    bounds, stamp = _header(path)
    keys = list(dict.fromkeys([*taxonomy.osm_keys, "highway", "place"]))
    wkb = osmium.geom.WKBFactory()
    rows, streets, places = [], [], []
    bad = 0
    fp = (osmium.FileProcessor(str(path))
          .with_areas(osmium.filter.KeyFilter(*taxonomy.osm_keys))
          .with_filter(osmium.filter.KeyFilter(*keys)))
    for obj in fp:
        if only is not None and not only(*_type_id(obj)):
            continue
        try:
            if obj.is_node():
                tags = dict(obj.tags)
                if tags.get("place") in PLACE_KINDS and tags.get("name"):
                    point = shapely.Point(obj.location.lon, obj.location.lat)
                    places.append((obj.id, tags["place"], tags["name"], point))
                row = _row("node", obj.id, tags, shapely.Point(obj.location.lon, obj.location.lat), taxonomy)
                if row:
                    rows.append(row)
            elif obj.is_way():
                tags = dict(obj.tags)
                if "highway" in tags:
                    streets.append((obj.id, tags.get("highway"), tags.get("name"),
                                    shapely.from_wkb(wkb.create_linestring(obj))))
                if obj.is_closed():
                    continue  # returned again as an area when it is one
                row = _row("way", obj.id, tags, None, taxonomy)
                if row:
                    line = shapely.from_wkb(wkb.create_linestring(obj))
                    rows.append(row[:-1] + (line.interpolate(0.5, normalized=True),))
            elif obj.is_area():
                tags = dict(obj.tags)
                row = _row("way" if obj.from_way() else "relation", obj.orig_id(), tags, None, taxonomy)
                if row:
                    poly = shapely.from_wkb(wkb.create_multipolygon(obj))
                    rows.append(row[:-1] + (poly.point_on_surface(),))
        except RuntimeError:
            bad += 1  # geometry with nodes missing from the extract (clipped at its edge)
    features = canonical_order(gpd.GeoDataFrame(rows, columns=ASSET_COLUMNS, geometry="geometry", crs=WGS84))
    st = gpd.GeoDataFrame(streets, columns=["osm_id", "highway", "name", "geometry"], geometry="geometry", crs=WGS84)
    st = st.sort_values("osm_id", kind="stable").reset_index(drop=True)
    places.sort(key=lambda p: p[0])
    return OsmExtract(features, st, bounds, stamp,
                      {"features": len(features), "streets": len(st), "places": len(places), "invalid_geometries": bad},
                      _places(places))


def _type_id(obj) -> tuple[str, int]:
    if obj.is_area():
        return ("way" if obj.from_way() else "relation"), obj.orig_id()
    return ("node" if obj.is_node() else "way" if obj.is_way() else "relation"), obj.id


_TYPE_RANK = {"node": 0, "way": 1, "relation": 2}


def canonical_order(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features by OSM type then id (the order a read would find them in whatever the file's layout), so
    a build patched from a change file (assetmap.update) lists them as a full read of the new extract does."""
    if not len(features):
        return features
    rank = features["osm_type"].map(_TYPE_RANK).fillna(3)
    order = np.lexsort((features["osm_id"].to_numpy(dtype=np.int64), rank.to_numpy()))
    return features.iloc[order].reset_index(drop=True)


def read_gdal(path: Path, layers: dict[str, str], taxonomy: Taxonomy) -> OsmExtract:
    """Read GDAL OSM-driver / osmextract layers (``points``, ``lines``, ``multipolygons``)."""
    import pyogrio

    src = vsi_path(path)
    if not path.exists():
        raise DataSourceError(f"OSM layers file {path} does not exist; fix [osm] file in the area config")
    available = {name for name, _ in pyogrio.list_layers(src)}
    want = {"points": layers.get("points", "points"), "lines": layers.get("lines", "lines"),
            "multipolygons": layers.get("multipolygons", "multipolygons")}
    missing = [v for v in want.values() if v not in available and v in layers.values()]
    if missing:
        raise DataSourceError(f"{path} has no layer(s) {missing}; it has {sorted(available)}. Fix [osm.layers]")
    rows, streets, places = [], [], []
    bounds = None
    for role, layer in want.items():
        if layer not in available:
            continue
        df = pyogrio.read_dataframe(src, layer=layer)
        if df.crs is not None and df.crs.to_epsg() != 4326:
            df = df.to_crs(WGS84)
        b = tuple(df.total_bounds)
        bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]),
                                           max(bounds[3], b[3]))
        cols = [c for c in df.columns if c not in ("geometry", "other_tags", "osm_id", "osm_way_id")]
        records = df[cols].to_dict("records")
        other = df["other_tags"] if "other_tags" in df else pd.Series([None] * len(df))
        ids = df["osm_id"] if "osm_id" in df else pd.Series([None] * len(df))
        way_ids = df["osm_way_id"] if "osm_way_id" in df else pd.Series([None] * len(df))
        for rec, ot, oid, wid, geom in zip(records, other, ids, way_ids, df.geometry, strict=False):
            tags = {k: str(v) for k, v in rec.items() if v is not None and not (isinstance(v, float) and np.isnan(v))}
            tags.update(parse_hstore(ot))
            if role == "lines" and "highway" in tags:
                streets.append((int(oid) if oid else -1, tags["highway"], tags.get("name"), geom))
            if role == "points" and tags.get("place") in PLACE_KINDS and tags.get("name") and geom is not None:
                places.append((int(oid) if oid else -1, tags["place"], tags["name"], geom))
            if geom is None:
                continue
            if role == "points":
                osm_type, osm_id, pt = "node", oid, geom
            elif role == "lines":
                osm_type, osm_id, pt = "way", oid, geom.interpolate(0.5, normalized=True)
            else:
                osm_type, osm_id = ("way", wid) if wid else ("relation", oid)
                pt = geom.point_on_surface()
            if osm_id is None or (isinstance(osm_id, float) and np.isnan(osm_id)):
                continue
            row = _row(osm_type, osm_id, tags, pt, taxonomy)
            if row:
                rows.append(row)
    features = gpd.GeoDataFrame(rows, columns=ASSET_COLUMNS, geometry="geometry", crs=WGS84)
    st = gpd.GeoDataFrame(streets, columns=["osm_id", "highway", "name", "geometry"], geometry="geometry", crs=WGS84)
    return OsmExtract(features, st, bounds, None,
                      {"features": len(features), "streets": len(st), "places": len(places), "invalid_geometries": 0},
                      _places(places))


def read_extract(cfg: OsmConfig, data_root: Path, taxonomy: Taxonomy) -> OsmExtract:
    path = cfg.path(data_root)
    if cfg.format == "gdal":
        return read_gdal(path, cfg.layers, taxonomy)
    return read_pbf(path, taxonomy)


def area_coverage(cfg: OsmConfig, data_root: Path, extract: OsmExtract, lads: tuple = ()) -> tuple[object, tuple]:
    """The ground the area's extract(s) cover: (a lon/lat polygon or None, LAD codes covered whole).
    One extract: (:func:`coverage_bbox`, ()), as always; several: their union
    (:func:`assetmap.ingest.extracts.extract_coverage`)."""
    if len(cfg.files) > 1:
        from .extracts import extract_coverage

        return extract_coverage(cfg, data_root, extract, lads)
    return coverage_bbox(cfg, extract), ()


def coverage_bbox(cfg: OsmConfig, extract: OsmExtract):
    """The lon/lat polygon the extract is declared to cover, or None when it is the LADs'."""
    if isinstance(cfg.coverage, tuple):
        return box(*cfg.coverage)
    if cfg.coverage == "hull":
        geoms = list(extract.streets.geometry) + list(extract.features.geometry)
        if not geoms:
            raise DataSourceError("the OSM extract holds no streets or features to take a hull of; set [osm] coverage")
        return shapely.convex_hull(shapely.GeometryCollection(geoms))
    if cfg.coverage == "header":
        if extract.bounds is None:
            raise DataSourceError(
                "the OSM extract declares no bounding box in its header; set [osm] coverage to "
                "\"lads\" or to [min_lon, min_lat, max_lon, max_lat]"
            )
        return box(*extract.bounds)
    return None
