"""The data behind each OGC API collection, prepared once from an area's loaded results.

A :class:`CollectionData` keeps every feature as the same RFC 7946 dict the downloads hold
(``outputs.features_json``, CRS84, so the API serves exactly ``downloads/*.geojson``), a copy of
each geometry in British National Grid (EPSG:27700, metres to the centimetre), a spatial index
for geometry-true bbox tests and a small frame of the queryable properties for CQL2 filters.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..constants import BNG as BNG_EPSG
from ..constants import WGS84
from ..outputs.write import features_json

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
BNG = "http://www.opengis.net/def/crs/EPSG/0/27700"
CRS_LIST = [CRS84, BNG]

ODBL = {"href": "https://opendatacommons.org/licenses/odbl/1-0/", "rel": "license", "type": "text/html",
        "title": "ODbL 1.0: © OpenStreetMap contributors, merged with curated lists"}
OGL = {"href": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "rel": "license",
       "type": "text/html", "title": "OGL v3: ONS and MHCLG data (Crown copyright)"}
OPL = {"href": "https://www.parliament.uk/site-information/copyright/open-parliament-licence", "rel": "license",
       "type": "text/html", "title": "Open Parliament Licence v3.0: House of Commons Library MSOA Names (local_name, "
                                   "display_name; not official names)"}
ODBL_DERIVED = {**ODBL, "title": "ODbL 1.0 for the columns derived from OpenStreetMap (counts, distances, "
                                 "walking times, gaps): © OpenStreetMap contributors"}

# The properties a client may filter and sort on (CQL2 text, property=value, sortby): the main ones.
ASSET_QUERYABLES = ("asset_id", "name", "category", "categories", "family", "lsoa21_code", "postcode",
                    "wheelchair", "osm_type", "osm_id", "src_name", "last_verified")
LSOA_QUERYABLES = ("lsoa21_code", "lsoa21_name", "display_name", "local_name", "ward_name", "lad_code", "lad_name",
                   "residents", "households",
                   "imd_score", "imd_rank", "imd_decile", "gap_score", "gap_rank", "gap_quintile",
                   "need_tercile", "gap_tercile", "bivariate_class", "double_disadvantage",
                   "left_behind_england", "priority_score", "priority_rank")


@dataclass
class CollectionData:
    id: str
    title: str
    description: str
    id_field: str
    licences: list[dict]
    features: list[dict]          # CRS84 features, as in downloads/*.geojson
    bng_geometries: list[dict | None]  # the same geometries in EPSG:27700
    geometries: np.ndarray        # shapely geometries, CRS84
    table: gpd.GeoDataFrame       # queryable properties (+ geometry, CRS84) for filters and sorting
    fields: dict[str, dict]       # queryable -> JSON schema (type, format)
    list_fields: frozenset[str] = frozenset()
    schema: dict = field(default_factory=dict)  # JSON Schema of every property
    tree: shapely.STRtree = field(init=False, repr=False)
    bng_tree: shapely.STRtree = field(init=False, repr=False)
    positions: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.tree = shapely.STRtree(self.geometries)
        self.bng_tree = shapely.STRtree(np.array([None if g is None else shapely.geometry.shape(g)
                                                  for g in self.bng_geometries], dtype=object))
        self.positions = {str(f["id"]): i for i, f in enumerate(self.features)}

    def __deepcopy__(self, memo):  # pygeoapi deep-copies its configuration: share, never copy, the data
        return self

    @property
    def extent(self) -> list[float]:
        if not len(self.geometries):
            return [-180.0, -90.0, 180.0, 90.0]
        b = shapely.total_bounds(self.geometries)
        return [round(float(v), 6) for v in b]

    def intersecting(self, bbox: tuple[float, float, float, float], bng: bool = False) -> np.ndarray:
        """Positions of the features whose geometry (not envelope) meets the box, in order; the box
        is in CRS84, or in British National Grid metres when ``bng``."""
        tree = self.bng_tree if bng else self.tree
        return np.sort(tree.query(shapely.box(*bbox), predicate="intersects"))

    def feature(self, i: int, bng: bool = False) -> dict:
        f = dict(self.features[i])
        if bng:
            f["geometry"] = self.bng_geometries[i]
        return f


def _schema(series: pd.Series) -> dict:
    kind = series.dtype.kind
    if series.dtype == bool or str(series.dtype) == "boolean":
        return {"type": "boolean"}
    if kind in "iu":
        return {"type": "integer", "format": "int64"}
    if kind == "f":
        return {"type": "number", "format": "double"}
    if series.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
        return {"type": "array", "items": {"type": "string"}}
    if series.map(lambda v: isinstance(v, dict)).any():
        return {"type": "object"}
    return {"type": "string"}


def item_schema(g: gpd.GeoDataFrame, cid: str, title: str) -> dict:
    """A JSON Schema of every property (OGC API Features Part 5), linked as ``describedby`` so clients
    such as GDAL type columns from it, not from the first page (``osm_id`` is a 64-bit integer)."""
    props = {"geometry": {"x-ogc-role": "primary-geometry", "format": "geometry-any"}}
    for name in g.columns:
        if name != g.geometry.name:
            props[name] = {"title": name, **_schema(g[name])}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": cid, "title": title,
            "type": "object", "properties": props}


def _round(coords, nd: int):
    if isinstance(coords[0], (int, float)):
        return [round(c, nd) for c in coords]
    return [_round(c, nd) for c in coords]


def _as_text(g: gpd.GeoDataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Identifier columns as decimal text: an OSM id passes 2^31, and clients that type a column
    from a sample page (GDAL's OAPIF driver, so QGIS) would clamp it to a 32-bit integer."""
    g = g.copy()
    for name in columns:
        if name in g:
            g[name] = pd.array([None if pd.isna(v) else str(int(v)) for v in g[name]], dtype=object)
    return g


def prepare(gdf: gpd.GeoDataFrame, id_field: str, cid: str, title: str, description: str,
            queryables: tuple[str, ...], licences: list[dict], as_text: tuple[str, ...] = ()) -> CollectionData:
    """Serialise a collection's features once (as the downloads do) and index them."""
    g = gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    g = _as_text(g, as_text)
    features = [json.loads(text) for text in features_json(g, id_column=id_field)]
    for f in features:
        f["id"] = str(f["id"])
    bng = []
    for geom in g.geometry.to_crs(BNG_EPSG).values:
        gi = None if geom is None else shapely.geometry.mapping(geom)
        bng.append(None if gi is None else {"type": gi["type"], "coordinates": _round(gi["coordinates"], 2)})
    names = [q for q in queryables if q in g]
    table = gpd.GeoDataFrame(g[names].reset_index(drop=True), geometry=g.geometry.reset_index(drop=True).values,
                             crs=WGS84)
    fields = {n: _schema(table[n]) for n in names}
    lists = frozenset(n for n, s in fields.items() if s["type"] == "array")
    return CollectionData(cid, title, description, id_field, licences, features, bng,
                          np.asarray(table.geometry.values, dtype=object), table, fields, lists,
                          item_schema(g, cid, title))


def area_collections(results: dict) -> dict[str, CollectionData]:
    """Two collections per built area (``<slug>-assets``, ``<slug>-neighbourhoods``), in area order."""
    out = {}
    for slug, ar in results.items():
        a = prepare(ar.assets, "asset_id", f"{slug}-assets", f"{ar.name}: community assets",
                    "Community assets (OpenStreetMap and curated lists, merged), one point each.",
                    ASSET_QUERYABLES, [ODBL], as_text=("osm_id",))
        n = prepare(ar.neighbourhoods, "lsoa21_code", f"{slug}-neighbourhoods", f"{ar.name}: neighbourhoods",
                    "LSOA 2021 neighbourhoods with deprivation, population, walking access and the gap measure.",
                    LSOA_QUERYABLES, [OGL, ODBL_DERIVED, *([OPL] if "local_name" in ar.neighbourhoods else [])])
        out[a.id], out[n.id] = a, n
    return out
