"""Feature collections for OGC API – Features: each area's assets and neighbourhoods, indexed once.

A :class:`FeatureCollectionIndex` keeps every feature as pre-serialised RFC 7946 JSON, its
bounding box (lon/lat) and its queryable properties; a query is a bbox test on arrays, equality
filters on a few properties, and a slice. The web layer (``app/blueprints/ogc.py``) adds links.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .outputs import features_json


@dataclass
class FeatureCollectionIndex:
    id: str
    title: str
    description: str
    features: list[str]  # RFC 7946 Feature JSON text, one per feature
    ids: list[str]
    bounds: np.ndarray  # (n, 4) lon/lat: minx, miny, maxx, maxy
    queryables: dict[str, list]  # property -> per-feature value (a set for list-valued properties)

    def __post_init__(self):
        self._pos = {fid: i for i, fid in enumerate(self.ids)}

    @property
    def extent(self) -> list[float]:
        if not len(self.bounds):
            return [-180.0, -90.0, 180.0, 90.0]
        return [round(float(v), 6) for v in (self.bounds[:, 0].min(), self.bounds[:, 1].min(),
                                              self.bounds[:, 2].max(), self.bounds[:, 3].max())]

    @classmethod
    def of(cls, gdf: gpd.GeoDataFrame, id_column: str, cid: str, title: str, description: str,
           queryables: tuple[str, ...]) -> "FeatureCollectionIndex":
        g = gdf.to_crs("EPSG:4326") if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
        q = {}
        for name in queryables:
            col = g[name].tolist()
            q[name] = [set(v) if isinstance(v, (list, tuple, np.ndarray)) else (None if v is None or v != v else str(v))
                       for v in col]
        return cls(cid, title, description, features_json(g, id_column=id_column), [str(v) for v in g[id_column]],
                   shapely.bounds(g.geometry.values), q)

    def query(self, bbox: tuple[float, float, float, float] | None = None,
              filters: dict[str, str] | None = None) -> np.ndarray:
        """Indices of the features intersecting ``bbox`` (lon/lat) and equal to every filter."""
        keep = np.ones(len(self.features), dtype=bool)
        if bbox is not None:
            minx, miny, maxx, maxy = bbox
            b = self.bounds
            keep &= (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
        for name, value in (filters or {}).items():
            col = self.queryables[name]
            keep &= np.fromiter(((value in v) if isinstance(v, set) else (v == value) for v in col), bool, len(col))
        return np.flatnonzero(keep)

    def index_of(self, feature_id: str) -> int | None:
        return self._pos.get(feature_id)
