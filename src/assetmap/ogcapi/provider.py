"""A pygeoapi feature provider over a prepared :class:`~assetmap.ogcapi.collections.CollectionData`.

pygeoapi builds a provider per request from the collection's provider definition, whose ``data``
is the prepared (shared, never copied) collection. Queries are answered from memory: a
geometry-true bbox test on an STRtree, CQL2 filters evaluated on the queryables' frame by
pygeofilter's GeoPandas backend, property=value equality (membership for list properties),
sorting, paging, and output in CRS84 or British National Grid.
"""
from __future__ import annotations

from contextvars import ContextVar

import numpy as np
import pandas as pd
import shapely
from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError
from pygeofilter.backends.geopandas.evaluate import to_filter

from .collections import CollectionData

# A bbox given in British National Grid (bbox-crs=EPSG:27700), exactly as the client sent it:
# pygeoapi hands providers the box's two corners reprojected to CRS84, which is not the same
# area (the grid is rotated against the meridians); the service sets this for the request.
BNG_BBOX: ContextVar[tuple[float, float, float, float] | None] = ContextVar("BNG_BBOX", default=None)


def _lower(v):
    return v.str.lower() if isinstance(v, pd.Series) else str(v).lower()


# CQL2 functions pygeofilter's CQL2 text parser produces: CASEI() -> lower(), BBOX(...) in spatial ops
FUNCTIONS = {"lower": _lower, "casei": _lower, "bbox": lambda *xy: shapely.box(*xy[:2], *xy[-2:]) if len(xy) == 6
             else shapely.box(*xy)}


class UnknownQueryable(ProviderInvalidQueryError):
    pass


class AssetmapProvider(BaseProvider):
    """Features of one assetmap collection (assets or neighbourhoods of an area)."""

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.collection: CollectionData = provider_def["data"]
        self.id_field = self.collection.id_field
        self._fields = self.get_fields()

    def get_fields(self) -> dict:
        return dict(self.collection.fields)

    def _bng(self, crs_transform_spec) -> bool:
        return crs_transform_spec is not None and crs_transform_spec.target_crs_uri.endswith("27700")

    def _filter(self, filterq) -> np.ndarray:
        c = self.collection
        mapping = {name: name for name in c.fields if name not in c.list_fields}
        mapping["geometry"] = c.table.geometry.name
        try:
            mask = to_filter(c.table, filterq, mapping, FUNCTIONS)
        except KeyError as err:
            raise UnknownQueryable(user_msg=f"filter: {err.args[0]!r} is not a queryable; use one of "
                                            f"{', '.join(sorted(mapping))} (see /queryables)") from None
        except (TypeError, ValueError, AttributeError) as err:
            raise ProviderInvalidQueryError(user_msg=f"filter cannot be evaluated: {err}") from None
        if isinstance(mask, (bool, np.bool_)):
            return np.full(len(c.table), bool(mask))
        return np.asarray(pd.Series(mask).fillna(False).astype(bool), dtype=bool)

    def _equal(self, name: str, value: str) -> np.ndarray:
        """property=value: equal as text (true/false for booleans); membership for list properties."""
        col = self.collection.table[name]
        if name in self.collection.list_fields:
            return col.map(lambda vs: vs is not None and value in list(vs)).to_numpy(bool)

        def same(v) -> bool:
            if v is None or (np.isscalar(v) and pd.isna(v)):
                return False
            if isinstance(v, (bool, np.bool_)):
                return str(bool(v)).lower() == value.lower()
            return str(v) == value

        return col.map(same).to_numpy(bool)

    def _order(self, keep: np.ndarray, sortby: list[dict]) -> np.ndarray:
        if not sortby:
            return keep
        frame = self.collection.table.iloc[keep]
        for s in reversed(sortby):
            if s["property"] in self.collection.list_fields:
                raise ProviderInvalidQueryError(user_msg=f"sortby: {s['property']} is a list; sort by another property")
            frame = frame.sort_values(s["property"], ascending=s["order"] != "-", kind="stable", na_position="last")
        return keep[np.asarray(frame.index)]

    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None, properties=None,
              sortby=None, select_properties=None, skip_geometry=False, q=None, filterq=None,
              crs_transform_spec=None, **kwargs):
        c = self.collection
        keep = np.ones(len(c.features), dtype=bool)
        exact = BNG_BBOX.get()
        if exact or bbox:
            b = (bbox[0], bbox[1], bbox[3], bbox[4]) if len(bbox) == 6 else tuple(bbox)
            inside = np.zeros_like(keep)
            inside[c.intersecting(exact, bng=True) if exact else c.intersecting(b)] = True
            keep &= inside
        for name, value in properties or []:
            keep &= self._equal(name, str(value))
        if filterq is not None:
            keep &= self._filter(filterq)
        order = self._order(np.flatnonzero(keep), sortby or [])
        out = {"type": "FeatureCollection", "features": [], "numberMatched": int(len(order))}
        if resulttype != "hits":
            bng = self._bng(crs_transform_spec)
            out["features"] = [self._shape(c.feature(int(i), bng), select_properties, skip_geometry)
                               for i in order[offset:offset + limit]]
        out["numberReturned"] = len(out["features"])
        return out

    @staticmethod
    def _shape(f: dict, select_properties, skip_geometry: bool) -> dict:
        if select_properties:
            f["properties"] = {k: v for k, v in f["properties"].items() if k in select_properties}
        if skip_geometry:
            f["geometry"] = None
        return f

    def get(self, identifier, crs_transform_spec=None, **kwargs):
        i = self.collection.positions.get(str(identifier))
        if i is None:
            raise ProviderItemNotFoundError(user_msg=f"no feature {str(identifier)[:80]!r} in {self.collection.id}")
        return self.collection.feature(i, self._bng(crs_transform_spec))
