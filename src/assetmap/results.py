"""Reading a build directory for serving: everything a request needs is prepared once here.

``load_results`` reads each built area once (GeoParquet -> frames, GeoJSON features serialised
once, a KD-tree over assets, the area's postcode table). Requests then only filter, join
strings or query the tree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .errors import ResultsError, UnknownPostcodeError
from .outputs import feature_collection, features_json, unflatten
from .postcodes import Geocoder, normalise

WALK_KMH = 4.8


@dataclass
class Lookup:
    postcode: str
    lon: float
    lat: float
    area: str
    results: list[dict] = field(default_factory=list)


class AreaResults:
    """One built area, loaded for serving."""

    def __init__(self, build_dir: str | Path):
        self.dir = Path(build_dir)
        try:
            self.report = json.loads((self.dir / "report.json").read_text())
        except FileNotFoundError:
            raise ResultsError(f"{self.dir} holds no report.json; run `assetmap build <area>` first") from None
        self.slug = self.report["area"]["slug"]
        self.name = self.report["area"]["name"]
        self.bounds = tuple(self.report["area"]["bounds"])
        self.attribution = list(self.report.get("attribution", []))
        self.taxonomy = json.loads((self.dir / "taxonomy.json").read_text())
        assets_bng = gpd.read_parquet(self.dir / "assets.parquet")
        assets_bng = gpd.GeoDataFrame(unflatten(assets_bng), geometry="geometry", crs=assets_bng.crs)
        self.assets = assets_bng.to_crs("EPSG:4326")
        for c in self.assets.columns:
            if c != "geometry" and self.assets[c].dtype == object:
                self.assets[c] = self.assets[c].where(self.assets[c].notna(), None)
        if "osm_id" in self.assets:
            self.assets["osm_id"] = self.assets["osm_id"].astype("Int64")
        self.neighbourhoods = gpd.read_parquet(self.dir / "neighbourhoods.parquet").to_crs("EPSG:4326")
        self._xy = np.column_stack([assets_bng.geometry.x, assets_bng.geometry.y])
        self._tree = cKDTree(self._xy) if len(self._xy) else None
        self._features = features_json(self.assets, id_column="asset_id")
        self._cats = self.assets["categories"].tolist()
        self._fams = self.assets["family"].tolist()
        self._nb_geojson = feature_collection(features_json(self.neighbourhoods, id_column="lsoa21_code"))
        self._streets = (self.dir / "streets.geojson").read_text() if (self.dir / "streets.geojson").exists() \
            else feature_collection([])
        pcs = pd.read_parquet(self.dir / "postcodes.parquet")
        self.geocoder = Geocoder(pcs, scope=f"the {self.name} area")

    # --- downloads -------------------------------------------------------------------------
    def assets_geojson(self, category: str | None = None, family: str | None = None) -> str:
        if category and category not in self.taxonomy["categories"]:
            raise ValueError(f"unknown category {category!r}; use one of: {', '.join(self.taxonomy['categories'])}")
        if family and family not in self.taxonomy["families"]:
            raise ValueError(f"unknown family {family!r}; use one of: {', '.join(self.taxonomy['families'])}")
        feats = [f for f, cs, fam in zip(self._features, self._cats, self._fams)
                 if (not category or category in cs) and (not family or fam == family)]
        return feature_collection(feats)

    def neighbourhoods_geojson(self) -> str:
        return self._nb_geojson

    def streets_geojson(self) -> str:
        return self._streets

    def download_file(self, name: str) -> Path:
        allowed = {"assets.geojson", "neighbourhoods.geojson", "assets.csv", "neighbourhoods.csv",
                   f"assetmap-{self.slug}.gpkg"}
        if name not in allowed:
            raise FileNotFoundError(name)
        return self.dir / "downloads" / name

    # --- lookup ----------------------------------------------------------------------------
    def lookup(self, postcode: str, limit: int = 10, category: str | None = None) -> Lookup:
        """The nearest assets (straight line) to a postcode in this area."""
        if category and category not in self.taxonomy["categories"]:
            raise ValueError(f"unknown category {category!r}; use one of: {', '.join(self.taxonomy['categories'])}")
        code, x, y = self.geocoder.locate(postcode)
        lon, lat = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs="EPSG:27700").to_crs("EPSG:4326").iloc[0].coords[0]
        out = Lookup(code, round(lon, 6), round(lat, 6), self.slug)
        if self._tree is None:
            return out
        if category:
            idx = np.flatnonzero([category in cs for cs in self._cats])
            d = np.hypot(self._xy[idx, 0] - x, self._xy[idx, 1] - y)
            order = idx[np.argsort(d, kind="stable")[:limit]]
            dist = np.sort(d, kind="stable")[:limit]
        else:
            k = min(limit, len(self._xy))
            dist, order = self._tree.query([x, y], k=k)
            dist, order = np.atleast_1d(dist), np.atleast_1d(order)
        labels = self.taxonomy["categories"]
        for i, d in zip(order, dist):
            a = self.assets.iloc[int(i)]
            out.results.append({
                "asset_id": a["asset_id"], "name": a["name"], "category": a["category"],
                "category_label": labels[a["category"]]["label"], "family": a["family"],
                "address": a["address"], "postcode": a["postcode"], "website": a["website"], "email": a["email"],
                "sources": list(a["sources"]),
                "phone": a["phone"], "opening_hours": a["opening_hours"],
                "distance_m": int(round(float(d))), "walk_minutes": max(1, int(round(float(d) / 1000 / WALK_KMH * 60))),
                "lon": round(a.geometry.x, 6), "lat": round(a.geometry.y, 6),
            })
        for r in out.results:
            for k, v in r.items():
                if isinstance(v, float) and v != v:
                    r[k] = None
        return out


def load_results(build_root: str | Path) -> dict[str, AreaResults]:
    root = Path(build_root)
    dirs = sorted(p for p in root.glob("*") if (p / "report.json").exists() and not p.name.endswith((".building", ".old")))
    if not dirs:
        raise ResultsError(f"no built areas under {root}; run `assetmap build chesterfield` (or another area) first")
    out = {}
    for d in dirs:
        ar = AreaResults(d)
        out[ar.slug] = ar
    return out


def find_postcode_area(results: dict[str, AreaResults], postcode: str) -> AreaResults:
    code = normalise(postcode)
    for ar in results.values():
        try:
            ar.geocoder.locate(code)
            return ar
        except UnknownPostcodeError:
            continue
    names = ", ".join(ar.name for ar in results.values())
    raise UnknownPostcodeError(
        f"We could not find the postcode {code} in the areas this site covers ({names}). "
        f"Check it on a letter or bill, or try a postcode nearby."
    )
