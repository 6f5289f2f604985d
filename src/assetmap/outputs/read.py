"""Reading a build directory for serving: everything a request needs is prepared once here.

``load_results`` reads each built area once (GeoParquet -> frames, GeoJSON features serialised
once, the lookup's arrays of precomputed nearest assets on foot). Requests then only filter,
slice arrays and join strings.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..constants import BNG, WGS84
from ..errors import OutsideMappedAreaError, ResultsError, UnknownPostcodeError
from ..ingest.places import PLACE_COLUMNS, PlaceIndex
from ..ingest.postcodes import normalise
from ..trust.view import trust_view
from ..walk.lookup import Lookup, LookupIndex
from ..walk.lookup_arrays import load_arrays
from .dictionary import DOCS, download_licences
from .write import feature_collection, features_json, licence_members, unflatten


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
        self.assets = assets_bng.to_crs(WGS84)
        for c in self.assets.columns:
            if c != "geometry" and self.assets[c].dtype == object:
                self.assets[c] = self.assets[c].where(self.assets[c].notna(), None)
        if "osm_id" in self.assets:
            self.assets["osm_id"] = self.assets["osm_id"].astype("Int64")
        self.neighbourhoods = gpd.read_parquet(self.dir / "neighbourhoods.parquet").to_crs(WGS84)
        self._xy = np.column_stack([assets_bng.geometry.x, assets_bng.geometry.y])
        self._features = features_json(self.assets, id_column="asset_id")
        self._cats = self.assets["categories"].tolist()
        self._fams = self.assets["family"].tolist()
        self._nb_geojson = feature_collection(features_json(self._map_neighbourhoods(), id_column="lsoa21_code"))
        self.basemap = self.dir / "basemap.pmtiles" if (self.dir / "basemap.pmtiles").exists() else None
        self._streets = (self.dir / "streets.geojson").read_text() if (self.dir / "streets.geojson").exists() \
            else feature_collection([])
        self._lookup = self._lookup_index()
        eq = self.dir / "downloads" / "equity.json"
        # the equity table by IMD decile (built with the gap measure), read once for every page that shows it
        self.equity_by_decile: list[dict] = json.loads(eq.read_text()).get("by_decile", []) if eq.exists() else []
        self._unmapped()
        gaz = self.dir / "places.parquet"
        self.places = PlaceIndex(pd.read_parquet(gaz) if gaz.exists() else pd.DataFrame(columns=PLACE_COLUMNS),
                                 self.slug)

    def _unmapped(self) -> None:
        """The named districts' neighbourhoods outside the mapped extract and their postcodes."""
        path = self.dir / "unmapped.geojson"
        self.unmapped_geojson = path.read_text() if path.exists() else feature_collection([])
        self.unmapped = {f["properties"]["lsoa21_code"]: f["properties"]
                         for f in json.loads(self.unmapped_geojson)["features"]}
        pcs = self.dir / "unmapped_postcodes.parquet"
        frame = pd.read_parquet(pcs) if pcs.exists() else pd.DataFrame(columns=["postcode", "lsoa21_code"])
        self.unmapped_postcodes: dict[str, str] = dict(zip(frame["postcode"], frame["lsoa21_code"], strict=True))
        self.district_coverage = [
            {"code": code, "name": v.get("name") or code, "lsoas": v.get("lsoas"), "covered": v.get("covered")}
            for code, v in self.report.get("neighbourhoods", {}).get("named_lads", {}).items()]

    MAP_TOLERANCE_M = 5.0  # simplification of the map's neighbourhood outlines (downloads keep full detail)
    # measures the map never draws (they are in the downloads and on the profile pages): left out of
    # the map data, which is then a fifth of the size. Kept: priority_<category> and count_<category>
    # of the kinds mapped, for the planner's per-category priority layer and list (js/priority.js)
    MAP_DROP = ("bfca_", "e2sfca_", "sa_", "gapz_", "dist_", "per1k_", "shortfall_", "covered_")

    def _map_neighbourhoods(self) -> gpd.GeoDataFrame:
        """The neighbourhoods for the map: outlines simplified together (shapely.coverage_simplify),
        so shared borders stay shared — no gaps, no overlaps — at a fraction of the vertices."""
        nb = self.neighbourhoods.to_crs(BNG)
        simple = shapely.coverage_simplify(nb.geometry.to_numpy(), self.MAP_TOLERANCE_M)
        drop = [c for c in nb.columns if c.startswith(self.MAP_DROP)
                or (c.startswith("count_") and f"priority_{c[6:]}" not in nb.columns)  # a kind not mapped
                or (c != "geometry" and nb[c].isna().all())]  # e.g. walks to kinds not mapped: absent = none
        return gpd.GeoDataFrame(self.neighbourhoods.drop(columns=["geometry", *drop]),
                                geometry=gpd.GeoSeries(simple, index=nb.index, crs=BNG).to_crs(WGS84))

    # --- downloads -------------------------------------------------------------------------
    def assets_geojson(self, category: str | None = None, family: str | None = None) -> str:
        if category and category not in self.taxonomy["categories"]:
            raise ValueError(f"unknown category {category!r}; use one of: {', '.join(self.taxonomy['categories'])}")
        if family and family not in self.taxonomy["families"]:
            raise ValueError(f"unknown family {family!r}; use one of: {', '.join(self.taxonomy['families'])}")
        feats = [f for f, cs, fam in zip(self._features, self._cats, self._fams, strict=False)
                 if (not category or category in cs) and (not family or fam == family)]
        return feature_collection(feats, licence_members(download_licences(self.report)["assets.geojson"]))

    def neighbourhoods_geojson(self) -> str:
        return self._nb_geojson

    def streets_geojson(self) -> str:
        return self._streets

    def download_file(self, name: str) -> Path:
        allowed = {"assets.geojson", "neighbourhoods.geojson", "assets.csv", "neighbourhoods.csv", "sessions.csv",
                   "equity_summary.csv", "equity_by_decile.csv", "equity.json",
                   f"assetmap-{self.slug}.gpkg", *DOCS}
        if name not in allowed:
            raise FileNotFoundError(name)
        return self.dir / "downloads" / name

    # --- lookup ---------------------------------------------------------------------------
    def _lookup_index(self) -> LookupIndex:
        labels = self.taxonomy["categories"]
        lists = {"osm": "OpenStreetMap",
                 **{k: (v.get("label") or k) for k, v in self.report.get("curated", {}).items()}}
        records = []
        for r, g in zip(self.assets.drop(columns="geometry").to_dict("records"), self.assets.geometry, strict=False):
            rec = {k: r.get(k) for k in ("asset_id", "name", "category", "family", "address", "postcode",
                                         "website", "email", "phone", "opening_hours", "last_verified", "wheelchair",
                                         "description")}
            rec["category_label"] = labels.get(r["category"], {}).get("label", r["category"])
            rec["sources"] = list(r["sources"])
            rec["trust"] = trust_view(r, lists)
            rec["lon"], rec["lat"] = round(g.x, 6), round(g.y, 6)
            records.append({k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()})
        walking = self.report.get("walking", {})
        args = (self.slug, f"the {self.name} area", records, [list(c) for c in self._cats], self._xy)
        speeds = (walking.get("speed_kmh", 4.8), walking.get("reduced_mobility_kmh", 3.0))
        arrays = load_arrays(self.dir, [r["asset_id"] for r in records])
        if arrays is not None:  # memory-mapped: one copy in the page cache for every worker
            return LookupIndex(*args, arrays, *speeds)
        missing = [n for n in ("lookup.parquet", "access.parquet") if not (self.dir / n).exists()]
        if missing:
            raise ResultsError(f"{self.dir} has no {' or '.join(missing)} (built by an older assetmap); "
                               f"run `assetmap build {self.slug}` again")
        pcs = pd.read_parquet(self.dir / "postcodes.parquet")
        return LookupIndex.from_frames(*args, pcs, pd.read_parquet(self.dir / "lookup.parquet"),
                                       pd.read_parquet(self.dir / "access.parquet", columns=["postcode", "snap_m"]),
                                       *speeds)

    def postcode_xy(self, postcode: str) -> tuple[float, float]:
        """A postcode of this area as a point in EPSG:27700 (raises the lookup's postcode errors)."""
        return self._lookup.xy(postcode)

    def nearest_postcode(self, x: float, y: float) -> tuple[str, float]:
        """The postcode of this area nearest a point in EPSG:27700, and its distance in metres."""
        return self._lookup.nearest(x, y)

    def lookup(self, postcode: str, limit: int = 10, category: str | None = None,
               where: np.ndarray | None = None) -> Lookup:
        """The nearest assets on foot to a postcode in this area, ranked by walking distance
        (optionally only those of ``category`` and where the mask ``where`` — see :meth:`mask` — holds)."""
        if category and category not in self.taxonomy["categories"]:
            raise ValueError(f"unknown category {category!r}; use one of: {', '.join(self.taxonomy['categories'])}")
        return self._lookup.lookup(postcode, limit=limit, category=category, where=where)

    def mask(self, categories=(), keywords=()) -> np.ndarray:
        """Which assets are of any of ``categories`` or have any of ``keywords`` in their name or
        description (a boolean array over the assets, kept per combination)."""
        return self._lookup.mask(categories, keywords)


def load_results(build_root: str | Path) -> dict[str, AreaResults]:
    root = Path(build_root)
    dirs = sorted(p for p in root.glob("*")
                  if (p / "report.json").exists() and not p.name.endswith((".building", ".old")))
    if not dirs:
        raise ResultsError(f"no built areas under {root}; run `assetmap build chesterfield` (or another area) first")
    out = {}
    for d in dirs:
        ar = AreaResults(d)
        out[ar.slug] = ar
    return out


def find_places(results: dict[str, AreaResults], text: str, limit: int = 8) -> list[dict]:
    """Places and streets named ``text`` in any loaded area (each with its nearest postcode)."""
    found = []
    for ar in results.values():
        found += [{**e, "area_name": ar.name} for e in ar.places.find(text, limit)]
    return found[:limit]


def place_by_label(results: dict[str, AreaResults], label: str) -> dict | None:
    """The place or street with exactly this label (as :func:`find_places` gave it), if any."""
    for ar in results.values():
        if label in ar.places.by_label:
            return {**ar.places.by_label[label], "area_name": ar.name}
    return None


def find_postcode_area(results: dict[str, AreaResults], postcode: str) -> AreaResults:
    code = normalise(postcode)
    for ar in results.values():
        if code in ar._lookup:
            return ar
    names = ", ".join(ar.name for ar in results.values())
    for ar in results.values():
        if code in ar.unmapped_postcodes:
            raise outside_error(ar, code, names)
    raise UnknownPostcodeError(
        f"We could not find the postcode {code} in the areas this site covers ({names}). "
        f"Check it on a letter or bill, or try a postcode nearby."
    )


def outside_error(ar: AreaResults, code: str, names: str) -> OutsideMappedAreaError:
    """The message for a real postcode of ``ar``'s districts outside its mapped part."""
    nb = ar.unmapped.get(ar.unmapped_postcodes[code], {})
    lad = nb.get("lad_name") or "the district"
    cov = next((c for c in ar.district_coverage if c["code"] == nb.get("lad_code")), None)
    where = nb.get("display_name") or nb.get("lsoa21_name") or ar.unmapped_postcodes[code]
    ons = ", ".join(x for x in (nb.get("lsoa21_name") or ar.unmapped_postcodes[code],
                                f"{nb['ward_name']} ward" if nb.get("ward_name") else "") if x)
    place = f"{nb['local_name']} ({ons})" if nb.get("local_name") else ons
    share = (f"it covers {cov['covered']} of {lad}’s {cov['lsoas']} neighbourhoods, and not this one"
             if cov and cov.get("lsoas") else "it does not cover this neighbourhood")
    message = (f"{code} is a real postcode in {lad}, in the neighbourhood {place}, but that part of {lad} is "
               f"not mapped on this site yet: the {ar.name} map is made from an OpenStreetMap extract that does "
               f"not reach it ({share}). The areas mapped here are: {names}.")
    return OutsideMappedAreaError(message, {
        "area": ar.slug, "area_name": ar.name, "lad_code": nb.get("lad_code"), "lad_name": nb.get("lad_name"),
        "lsoa21_code": ar.unmapped_postcodes[code], "display_name": where,
        "covered": cov.get("covered") if cov else None, "lsoas": cov.get("lsoas") if cov else None})
