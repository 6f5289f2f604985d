"""Neighbourhoods: LSOA 2021 boundaries joined to IoD2025 and Census 2021.

The neighbourhoods of an area are the LSOA21s its OpenStreetMap extract covers. An LSOA that the
extract covers only in part has no complete street network or asset data, so it is left out
and *reported* (code, name, covered share) rather than given misleading results.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from ..config import AreaConfig, SourceConfig
from ..constants import BNG, WGS84
from ..errors import BuildError, DataSourceError
from .io import read_csv, require_columns, require_file, vsi_path

MEASURES = ("score", "rank", "decile")


@dataclass
class Neighbourhoods:
    frame: gpd.GeoDataFrame  # selected LSOAs, EPSG:27700
    coverage: gpd.GeoSeries  # the covered ground, EPSG:27700 (one polygon)
    report: dict = field(default_factory=dict)
    # the named districts' LSOAs the extract does not cover (code, name, LAD, covered share), EPSG:27700
    left_out: gpd.GeoDataFrame | None = None


def read_boundaries(src: SourceConfig, data_root, lads, bbox_lonlat=None) -> gpd.GeoDataFrame:
    """LSOA polygons of the given LADs plus any intersecting ``bbox_lonlat``; columns renamed to
    code, name, lad_code, lad_name; EPSG:27700."""
    path = src.path(data_root)
    require_file(path, "LSOA boundaries")
    cols = src.option("columns", {})
    c_code, c_name = cols.get("code", "lsoa21_code"), cols.get("name", "lsoa21_name")
    c_lad, c_ladn = cols.get("lad_code", "ltla24_code"), cols.get("lad_name", "ltla24_name")
    gpath = vsi_path(path)
    layer = src.option("layer")
    try:
        info = pyogrio.read_info(gpath, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError subclasses
        raise DataSourceError(f"LSOA boundaries {path} could not be opened ({exc}); check the file and its "
                              "'layer'") from None
    missing = [c for c in (c_code, c_name, c_lad) if c not in list(info["fields"])]
    if missing:
        raise DataSourceError(
            f"LSOA boundaries {path} have no field(s) {missing}; they have {list(info['fields'])}. "
            f"Fix [sources.{src.name}] columns"
        )
    quoted = ", ".join("'" + str(x).replace("'", "''") + "'" for x in lads or ())
    # lads None: every row (a national area)
    where = None if lads is None else f"{c_lad} IN ({quoted})"
    parts = [pyogrio.read_dataframe(gpath, layer=layer, where=where)]
    if bbox_lonlat is not None:
        # the bbox filter is in the layer's CRS
        b = gpd.GeoSeries([shapely.box(*bbox_lonlat)], crs=WGS84).to_crs(info["crs"]).total_bounds
        parts.append(pyogrio.read_dataframe(gpath, layer=layer, bbox=tuple(b)))
    df = pd.concat(parts, ignore_index=True).drop_duplicates(subset=[c_code])
    df = gpd.GeoDataFrame(df, geometry=df.geometry.name, crs=parts[0].crs).to_crs(BNG)
    rename = {c_code: "lsoa21_code", c_name: "lsoa21_name", c_lad: "lad_code"}
    if c_ladn in df.columns:
        rename[c_ladn] = "lad_name"
    df = df.rename(columns=rename)
    if "lad_name" not in df.columns:
        df["lad_name"] = df["lad_code"]
    df["geometry"] = shapely.make_valid(df.geometry.values)
    return df[["lsoa21_code", "lsoa21_name", "lad_code", "lad_name", "geometry"]].reset_index(drop=True)


def deprivation_columns(src: SourceConfig) -> dict[str, str]:
    """output column (e.g. ``income_score``) -> source column, for every domain and measure."""
    pattern = src.option("pattern", "{label}_{measure}")
    explicit = src.option("columns", {})
    out = {}
    for key, label in src.option("domains", {}).items():
        for m in MEASURES:
            out[f"{key}_{m}"] = explicit.get(f"{key}_{m}", pattern.format(label=label, measure=m))
    return out


def read_deprivation(src: SourceConfig, data_root, codes) -> pd.DataFrame:
    path = src.path(data_root)
    mapping = deprivation_columns(src)
    code_col = src.option("code", "lsoa21_code")
    df = read_csv(path, "deprivation", dtype={code_col: str})
    require_columns(df, [code_col, *mapping.values()], path, "deprivation")
    if codes is not None:  # None: all of England (for national ranks)
        df = df[df[code_col].isin(set(codes))]
    renames = {code_col: "lsoa21_code", **{v: k for k, v in mapping.items()}}
    out = df[[code_col, *mapping.values()]].rename(columns=renames)
    for k in mapping:
        if k.endswith(("_rank", "_decile")):
            out[k] = pd.to_numeric(out[k], errors="coerce").astype("Int64")
        else:
            out[k] = pd.to_numeric(out[k], errors="coerce")
    return out


def read_population(src: SourceConfig, data_root, codes) -> pd.DataFrame:
    path = src.path(data_root)
    cols = src.option("columns", {})
    c_code = cols.get("code", "lsoa21_code")
    c_res, c_hh = cols.get("residents", "total_residents"), cols.get("households", "total_households")
    df = read_csv(path, "population", dtype={c_code: str})
    require_columns(df, [c_code, c_res, c_hh], path, "population")
    df = df[df[c_code].isin(set(codes))]
    return pd.DataFrame({
        "lsoa21_code": df[c_code].values,
        "residents": pd.to_numeric(df[c_res], errors="coerce").astype("Int64").values,
        "households": pd.to_numeric(df[c_hh], errors="coerce").astype("Int64").values,
    })


def select_neighbourhoods(cfg: AreaConfig, coverage_lonlat, deprivation: pd.DataFrame | None = None,
                          coverage_lads: tuple = ()) -> Neighbourhoods:
    """Read, select and enrich the area's LSOAs (``neighbourhoods = "england"``: every English LSOA21).

    ``coverage_lonlat`` is the extract's lon/lat polygon, or None when the extract covers exactly
    the named LADs (``coverage = "lads"``); ``coverage_lads``: districts several extracts cover
    whole, added to the polygon (:func:`assetmap.ingest.osm.area_coverage`). ``deprivation``: the IoD
    for all of England, when the caller has read it already (``read_deprivation(..., None)``).
    """
    england = cfg.neighbourhoods == "england"
    bbox = coverage_lonlat.bounds if (coverage_lonlat is not None and cfg.neighbourhoods == "covered") else None
    lsoa = read_boundaries(cfg.source("boundaries"), cfg.data_root, None if england else cfg.lads, bbox)
    if england:  # every English LSOA21 (E01…), whatever its district
        lsoa = lsoa[lsoa["lsoa21_code"].str.startswith("E")].reset_index(drop=True)
    if lsoa.empty:
        raise BuildError(
            f"no LSOA21 boundaries found for LADs {list(cfg.lads)}; check the LAD codes in "
            f"{cfg.config_path} (England: E06/E07/E08/E09 + six digits)"
        )
    in_lads = lsoa["lad_code"].isin(cfg.lads) | england
    if coverage_lonlat is None and not coverage_lads:
        cov = shapely.union_all(lsoa.loc[in_lads, "geometry"].values)
    else:
        parts = [] if coverage_lonlat is None else [gpd.GeoSeries([coverage_lonlat], crs=WGS84).to_crs(BNG).iloc[0]]
        parts += list(lsoa.loc[lsoa["lad_code"].isin(coverage_lads), "geometry"].values)
        cov = shapely.union_all(parts)
    if england and coverage_lonlat is None and not coverage_lads:
        share = pd.Series(1.0, index=lsoa.index)  # the coverage is their union: each covered whole
    else:
        share = lsoa.geometry.intersection(cov).area / lsoa.geometry.area
    lsoa["covered_share"] = share.round(4)
    covered = share >= cfg.coverage_threshold
    chosen = covered & (in_lads if cfg.neighbourhoods == "lads" else True)
    sel = lsoa[chosen].copy()
    if sel.empty:
        raise BuildError(
            f"the OSM extract covers none of the LSOAs of {list(cfg.lads)} (threshold "
            f"{cfg.coverage_threshold:.0%} of each LSOA's area); check [osm] coverage and the extract"
        )
    left_out = lsoa[in_lads & ~covered]
    if deprivation is None:
        dep = read_deprivation(cfg.source("deprivation"), cfg.data_root, sel.lsoa21_code)
    else:
        dep = deprivation[deprivation["lsoa21_code"].isin(set(sel.lsoa21_code))]
    pop = read_population(cfg.source("population"), cfg.data_root, sel.lsoa21_code)
    sel = sel.merge(pop, on="lsoa21_code", how="left").merge(dep, on="lsoa21_code", how="left")
    sel = gpd.GeoDataFrame(sel, geometry="geometry", crs=BNG).sort_values("lsoa21_code").reset_index(drop=True)

    dom = [c for c in sel.columns if c.endswith(("_score", "_rank", "_decile"))]
    complete = sel[dom].notna().all(axis=1) if dom else pd.Series(False, index=sel.index)
    per_lad = {}
    for code in cfg.lads:
        m = lsoa["lad_code"] == code
        per_lad[code] = {"lsoas": int(m.sum()), "covered": int((m & covered).sum()),
                         "name": str(lsoa.loc[m, "lad_name"].iloc[0]) if m.any() else None}
    report = {
        "mode": cfg.neighbourhoods,
        "coverage_threshold": cfg.coverage_threshold,
        "lsoas": int(len(sel)),
        "by_lad": {str(k): int(v) for k, v in sel["lad_code"].value_counts().sort_index().items()},
        "named_lads": per_lad,
        "not_covered": [
            {"lsoa21_code": r.lsoa21_code, "lsoa21_name": r.lsoa21_name, "covered_share": float(r.covered_share)}
            for r in left_out.itertuples()
        ],
        "with_deprivation": int(complete.sum()),
        "deprivation_domains": sorted({c.rsplit("_", 1)[0] for c in dom}),
        "with_population": int(sel["residents"].notna().sum()),
        "residents": int(sel["residents"].sum(skipna=True)),
        "households": int(sel["households"].sum(skipna=True)),
        "imd_deciles": {str(int(k)): int(v) for k, v in sel["imd_decile"].value_counts().sort_index().items()}
        if "imd_decile" in sel else {},
    }
    missing_dep = sel.loc[~complete, "lsoa21_code"].tolist()
    if missing_dep:
        report["missing_deprivation"] = missing_dep
    left_cols = ["lsoa21_code", "lsoa21_name", "lad_code", "lad_name", "covered_share", "geometry"]
    return Neighbourhoods(sel, gpd.GeoSeries([cov], crs=BNG), report,
                          gpd.GeoDataFrame(left_out[left_cols].reset_index(drop=True), geometry="geometry", crs=BNG))
