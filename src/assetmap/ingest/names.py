"""Human names for neighbourhoods: the names people use beside the LSOA 2021 codes.

An LSOA code ("E01019561") and its ONS name ("Chesterfield 012A") mean little to a resident or a
councillor. A build gives every neighbourhood, as columns beside its code:

- ``local_name``: the House of Commons Library's name for its MSOA ("Spital & Hasland"; Open
  Parliament Licence; not an official name). An LSOA's name minus its last letter is its MSOA's
  ONS name ("Chesterfield 012A" -> "Chesterfield 012"), which the names file lists;
- ``ward_code``, ``ward_name``: the electoral ward (ONS LSOA 2021 -> ward 2024 lookup);
- ``osm_places``: the named OpenStreetMap places (suburbs, villages, neighbourhoods…) inside it;
- ``display_name``: what pages show, "Spital & Hasland (Chesterfield 012A)", or the ONS name alone
  when no local name is known.

Both sources are optional (an area without them keeps its ONS names) and read through their
``[sources.*]`` entries (kinds ``neighbourhood_names`` and ``wards``), so another release needs
only a config change.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ..config import AreaConfig, SourceConfig
from ..constants import BNG
from .io import read_csv, require_columns

NAME_COLUMNS = ["display_name", "local_name", "msoa21_code", "msoa21_name", "ward_code", "ward_name", "osm_places"]
PLACE_ORDER = {"city": 0, "town": 1, "suburb": 2, "village": 3, "quarter": 4, "neighbourhood": 5, "hamlet": 6,
               "locality": 7, "isolated_dwelling": 8}
MAX_PLACES = 6


def read_msoa_names(src: SourceConfig, data_root) -> pd.DataFrame:
    """MSOA 2021 ONS name -> code and local name (columns msoa21_name, msoa21_code, local_name)."""
    cols = src.option("columns", {})
    c_code, c_name = cols.get("code", "msoa21cd"), cols.get("name", "msoa21nm")
    c_local = cols.get("local_name", "msoa21hclnm")
    path = src.path(data_root)
    df = read_csv(path, "MSOA names", dtype=str, encoding="utf-8-sig")
    require_columns(df, [c_code, c_name, c_local], path, f"MSOA names ([sources.{src.name}] columns)")
    out = pd.DataFrame({"msoa21_name": df[c_name].str.strip(), "msoa21_code": df[c_code].str.strip(),
                        "local_name": df[c_local].str.strip()})
    out["local_name"] = out["local_name"].where(out["local_name"].fillna("") != "", None)
    return out.drop_duplicates("msoa21_name")


def read_wards(src: SourceConfig, data_root, codes) -> pd.DataFrame:
    """LSOA 2021 code -> ward code and name, for ``codes``."""
    cols = src.option("columns", {})
    c_lsoa = cols.get("lsoa_code", "lsoa21_code")
    c_code, c_name = cols.get("code", "ward24_code"), cols.get("name", "ward24_name")
    path = src.path(data_root)
    df = read_csv(path, "ward lookup", dtype=str)
    require_columns(df, [c_lsoa, c_code, c_name], path, f"ward lookup ([sources.{src.name}] columns)")
    df = df[df[c_lsoa].isin(set(codes))]
    return pd.DataFrame({"lsoa21_code": df[c_lsoa].values, "ward_code": df[c_code].values,
                         "ward_name": df[c_name].values}).drop_duplicates("lsoa21_code")


def places_inside(lsoas: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None) -> pd.Series:
    """Per LSOA (aligned to ``lsoas``): the named OSM places inside it, largest kind first, joined with '; '."""
    empty = pd.Series([None] * len(lsoas), index=lsoas.index, dtype=object)
    if places is None or len(places) == 0 or len(lsoas) == 0:
        return empty
    pts = places[places["name"].notna()].to_crs(BNG)[["name", "place", "geometry"]]
    polys = gpd.GeoDataFrame({"_row": range(len(lsoas))}, geometry=lsoas.geometry.to_crs(BNG).values, crs=BNG)
    hit = gpd.sjoin(pts, polys, predicate="within", how="inner")
    if hit.empty:
        return empty
    hit["_order"] = hit["place"].map(PLACE_ORDER).fillna(9)
    hit = hit.sort_values(["_row", "_order", "name"]).drop_duplicates(["_row", "name"])
    joined = hit.groupby("_row")["name"].apply(lambda s: "; ".join(s.astype(str).head(MAX_PLACES)))
    out = empty.copy()
    out.iloc[joined.index.to_numpy()] = joined.to_numpy()
    return out


def msoa_of(lsoa_name: str) -> str:
    """'Chesterfield 012A' -> 'Chesterfield 012' (the ONS naming: an LSOA is its MSOA plus a letter)."""
    s = str(lsoa_name).strip()
    return s[:-1] if s[-1:].isalpha() and s[-2:-1].isdigit() else s


def display_name(local: str | None, lsoa_name: str) -> str:
    return f"{local} ({lsoa_name})" if local else str(lsoa_name)


def add_names(lsoas: gpd.GeoDataFrame, msoa_names: pd.DataFrame | None, wards: pd.DataFrame | None,
              places: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """``lsoas`` with NAME_COLUMNS added after ``lsoa21_name`` (None where a source is missing)."""
    out = lsoas.drop(columns=[c for c in NAME_COLUMNS if c in lsoas.columns])
    msoa = out["lsoa21_name"].map(msoa_of)
    if msoa_names is not None:
        by = msoa_names.set_index("msoa21_name")
        out["msoa21_code"] = msoa.map(by["msoa21_code"])
        out["local_name"] = msoa.map(by["local_name"])
        out["msoa21_name"] = msoa.where(out["msoa21_code"].notna(), None)
    else:
        out["msoa21_code"] = out["local_name"] = None
        out["msoa21_name"] = msoa
    if wards is not None:
        by_w = wards.set_index("lsoa21_code")
        out["ward_code"] = out["lsoa21_code"].map(by_w["ward_code"])
        out["ward_name"] = out["lsoa21_code"].map(by_w["ward_name"])
    else:
        out["ward_code"] = out["ward_name"] = None
    out["osm_places"] = places_inside(out, places)
    out["display_name"] = [display_name(loc if isinstance(loc, str) else None, n)
                           for loc, n in zip(out["local_name"], out["lsoa21_name"], strict=True)]
    for c in NAME_COLUMNS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    cols = [c for c in out.columns if c not in NAME_COLUMNS]
    at = cols.index("lsoa21_name") + 1 if "lsoa21_name" in cols else 1
    return gpd.GeoDataFrame(out[cols[:at] + NAME_COLUMNS + cols[at:]], geometry=lsoas.geometry.name, crs=lsoas.crs)


def name_neighbourhoods(cfg: AreaConfig, frames: list[gpd.GeoDataFrame],
                        places: gpd.GeoDataFrame | None) -> list[gpd.GeoDataFrame]:
    """Each of ``frames`` (LSOAs) named from the area's configured name sources, read once."""
    names_src = cfg.sources_of("neighbourhood_names")
    ward_src = cfg.sources_of("wards")
    msoa_names = read_msoa_names(names_src[0], cfg.data_root) if names_src else None
    codes = {c for f in frames for c in f["lsoa21_code"]}
    wards = read_wards(ward_src[0], cfg.data_root, codes) if ward_src else None
    return [add_names(f, msoa_names, wards, places) for f in frames]
