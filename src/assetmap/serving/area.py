"""One area as the site serves it: its summary plus every asset page, neighbourhood profile and session."""
from __future__ import annotations

import json
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..activities.served import AreaSessions
from ..constants import BNG, WGS84
from ..errors import PostcodeError
from ..outputs.read import AreaResults
from .packmap import PackImages
from .pages import asset_pages
from .place_search import PlannerSearch
from .profiles import neighbourhood_profiles
from .scenario_export import host_buildings
from .summary import AreaSummary


def _with_points(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows without geometry, with lon/lat of a point inside each shape."""
    pts = gpd.GeoSeries(shapely.point_on_surface(frame.geometry.to_numpy()), crs=frame.crs).to_crs(WGS84)
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    out["lon"], out["lat"] = pts.x.to_numpy(), pts.y.to_numpy()
    return out


def planner_search(ar: AreaResults) -> PlannerSearch:
    """The planner's search index for ``ar``, from its build (computed once at load)."""
    pcs = pd.read_parquet(ar.dir / "postcodes.parquet")
    lonlat = gpd.GeoSeries(gpd.points_from_xy(pcs["x"], pcs["y"]), crs=BNG).to_crs(WGS84)
    pcs["lon"], pcs["lat"] = lonlat.x.to_numpy(), lonlat.y.to_numpy()
    gaz = pd.DataFrame(ar.places.entries) if ar.places.entries else pd.DataFrame(
        columns=["name", "label", "kind", "postcode", "lon", "lat"])
    unmapped = gpd.GeoDataFrame.from_features(json.loads(ar.unmapped_geojson)["features"], crs=WGS84)
    return PlannerSearch(_with_points(ar.neighbourhoods), gaz, pcs,
                         _with_points(unmapped) if len(unmapped) else None, ar.unmapped_postcodes)


class ServedArea(AreaSummary):
    """:class:`AreaSummary` with the asset pages (by asset id) and the profiles (by LSOA 2021 code)."""

    def __init__(self, ar: AreaResults):
        super().__init__(ar)
        self.asset_pages = asset_pages(self)
        self.sessions = AreaSessions.load(ar.dir, ar.assets["asset_id"].tolist(),
                                          {k: p["title"] for k, p in self.asset_pages.items()})
        self.profiles = neighbourhood_profiles(self, self.asset_pages)
        self._asset_index = {aid: i for i, aid in enumerate(ar.assets["asset_id"])}
        self.search = planner_search(ar)
        self.host_buildings = host_buildings(ar)

    def postcode_neighbourhood(self, postcode: str) -> dict | None:
        """The profile of the neighbourhood a postcode of this area lies in (None outside them)."""
        code = self.search.postcodes.get(postcode)
        return self.profiles.get(code) if code else None

    def walk_to(self, postcode: str, asset_id: str) -> dict | None:
        """The walk from ``postcode`` to one asset (``walk_m``, ``walk_minutes``…) when it is among the
        postcode's precomputed nearest places, else None (also for a postcode this area does not have)."""
        i = self._asset_index.get(asset_id)
        if i is None or not postcode:
            return None
        where = np.zeros(len(self._asset_index), dtype=bool)
        where[i] = True
        try:
            found = self.ar.lookup(postcode, limit=1, where=where)
        except (PostcodeError, ValueError):
            return None
        return found.results[0] if found.results else None

    @cached_property
    def images(self) -> PackImages:
        """The committee pack's images (map, equity chart), rendered on first use and kept."""
        return PackImages(self.ar)
