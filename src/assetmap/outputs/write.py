"""Writing build outputs: GeoParquet (the pipeline's own format), a GeoPackage and the
pre-serialised downloads (RFC 7946 GeoJSON in WGS84 lon/lat, CSV), plus ``report.json``."""
from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..constants import BNG, WGS84
from ..util import csv_cell

LIST_COLUMNS = ("categories", "sources")
DICT_COLUMNS = ("provenance",)


def _plain(v):
    """A JSON-ready Python value (numpy scalars; NaN and ±infinity -> None, which JSON cannot hold)."""
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _round_coords(coords, nd=6):
    if isinstance(coords, (float, int)):
        return round(coords, nd)
    return [_round_coords(c, nd) for c in coords]


def features_json(gdf: gpd.GeoDataFrame, precision: int = 6, id_column: str | None = None) -> list[str]:
    """One RFC 7946 Feature (compact JSON text) per row, in lon/lat."""
    g = gdf.to_crs(WGS84) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    props = g.drop(columns=g.geometry.name)
    geoms = g.geometry.__geo_interface__["features"]
    cols = list(props.columns)
    out = []
    for values, gf in zip(props.itertuples(index=False, name=None), geoms, strict=False):
        geom = gf["geometry"]
        if geom is not None:
            geom = {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"], precision)}
        p = {c: _plain(v) for c, v in zip(cols, values, strict=False)}
        feat = {"type": "Feature", "geometry": geom, "properties": p}
        if id_column:
            feat["id"] = p[id_column]
        out.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    return out


def feature_collection(features: list[str], meta: dict | None = None) -> str:
    """A GeoJSON FeatureCollection; ``meta`` adds foreign members (RFC 7946 §6.1) such as the licence."""
    head = "".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=False)}," for k, v in (meta or {}).items())
    return '{"type":"FeatureCollection",' + head + '"features":[' + ",\n".join(features) + "]}\n"


def licence_members(licence: dict | None) -> dict | None:
    """A download's licence (:func:`assetmap.outputs.dictionary.download_licences`) as GeoJSON members."""
    if not licence:
        return None
    return {"licence": licence["licence"], "licence_note": licence["also"], "attribution": licence["attribution"]}


def flatten(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists joined with ';' and dicts as JSON text, for formats without nested types."""
    g = gdf.copy()
    for c in LIST_COLUMNS:
        if c in g:
            g[c] = g[c].map(lambda v: ";".join(v) if isinstance(v, (list, tuple, np.ndarray)) else v)
    for c in DICT_COLUMNS:
        if c in g:
            g[c] = g[c].map(lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict) else v)
    return g


def unflatten(df: pd.DataFrame) -> pd.DataFrame:
    d = df.copy()
    for c in LIST_COLUMNS:
        if c in d:
            d[c] = d[c].map(lambda v: v.split(";") if isinstance(v, str) and v else [])
    for c in DICT_COLUMNS:
        if c in d:
            d[c] = d[c].map(lambda v: json.loads(v) if isinstance(v, str) and v else {})
    return d


def write_csv(gdf: gpd.GeoDataFrame, path: Path, points: bool) -> None:
    g = flatten(gdf).to_crs(WGS84)
    df = pd.DataFrame(g.drop(columns=g.geometry.name))
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype).startswith(("string", "str")):
            df[c] = df[c].map(csv_cell)
    if points:
        df["lon"] = g.geometry.x.round(6)
        df["lat"] = g.geometry.y.round(6)
    df.to_csv(path, index=False)


def gpkg_metadata(licence: dict | None) -> dict:
    """GeoPackage metadata of a licence: the dataset's LICENCE and ATTRIBUTION items and each layer's
    description (what QGIS shows in the layer's properties)."""
    if not licence:
        return {}
    text = f"Licence: {licence['licence']} {licence['also']} Attribution: " + " | ".join(licence["attribution"])
    return {"dataset_metadata": {"LICENCE": licence["licence"], "LICENCE_NOTE": licence["also"],
                                 "ATTRIBUTION": " | ".join(licence["attribution"])},
            "layer_options": {"DESCRIPTION": text}}


def write_outputs(out: Path, slug: str, assets: gpd.GeoDataFrame, lsoas: gpd.GeoDataFrame,
                  postcodes: pd.DataFrame, streets: gpd.GeoDataFrame, taxonomy: dict,
                  licences: dict | None = None) -> dict[str, int]:
    """Write every output; returns file name -> size in bytes. ``licences`` (download name -> licence)
    go into the GeoJSON files (foreign members) and the GeoPackage (dataset metadata, layer descriptions)."""
    lic = licences or {}
    out.mkdir(parents=True, exist_ok=True)
    dl = out / "downloads"
    dl.mkdir(exist_ok=True)
    flat_assets = flatten(assets)
    flat_assets.to_parquet(out / "assets.parquet", index=False)
    lsoas.to_parquet(out / "neighbourhoods.parquet", index=False)
    postcodes.to_parquet(out / "postcodes.parquet", index=False)
    streets.to_parquet(out / "streets.parquet", index=False)
    (out / "taxonomy.json").write_text(json.dumps(taxonomy, ensure_ascii=False, indent=1))

    gpkg = dl / f"assetmap-{slug}.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    meta = gpkg_metadata(lic.get("assetmap-{slug}.gpkg"))
    flat_assets.to_file(gpkg, layer="assets", driver="GPKG", engine="pyogrio", **meta)
    lsoas.to_file(gpkg, layer="neighbourhoods", driver="GPKG", engine="pyogrio", append=False, **meta)
    (dl / "assets.geojson").write_text(feature_collection(features_json(assets, id_column="asset_id"),
                                                          licence_members(lic.get("assets.geojson"))))
    (dl / "neighbourhoods.geojson").write_text(feature_collection(features_json(lsoas, id_column="lsoa21_code"),
                                                                  licence_members(lic.get("neighbourhoods.geojson"))))
    street_lines = streets.to_crs(BNG).simplify(2.0).to_crs(WGS84)
    (out / "streets.geojson").write_text(feature_collection(
        features_json(gpd.GeoDataFrame(streets[["highway", "name"]], geometry=street_lines, crs=WGS84), precision=5)))
    write_csv(assets, dl / "assets.csv", points=True)
    write_csv(lsoas, dl / "neighbourhoods.csv", points=False)
    return {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}


def write_review(out: Path, review: pd.DataFrame) -> dict[str, int]:
    """The merge's review list (pairs left to curators) as ``downloads/merge_review.csv``."""
    path = out / "downloads" / "merge_review.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    df = review.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(csv_cell)
    df.to_csv(path, index=False)
    return {"downloads/merge_review.csv": path.stat().st_size}


def write_access(out: Path, net, walk) -> dict[str, int]:
    """The walk network (``network.npz``), per-origin walking access (``access.parquet``) and the
    lookup's precomputed nearest assets (``lookup.parquet``, and as memory-mappable arrays in
    ``lookup/``: see :func:`write_lookup_arrays`); returns file name -> size."""
    net.save(out / "network.npz")
    walk.origins.to_parquet(out / "access.parquet", index=False)
    walk.lookup.to_parquet(out / "lookup.parquet", index=False)
    sizes = {n: (out / n).stat().st_size for n in ("network.npz", "access.parquet", "lookup.parquet")}
    return {**sizes, **write_lookup_arrays(out, walk.lookup, walk.origins)}


def write_lookup_arrays(out: Path, pairs: pd.DataFrame | None = None,
                        access: pd.DataFrame | None = None) -> dict[str, int]:
    """``lookup/``: the lookup as flat arrays the server memory-maps (:mod:`assetmap.walk.lookup_arrays`),
    indexing ``out``'s ``postcodes.parquet`` and ``assets.parquet`` (written first). ``pairs`` and
    ``access`` default to ``lookup.parquet`` and ``access.parquet``; call it again whenever any of
    these files changes."""
    from ..walk.lookup_arrays import lookup_arrays, save_arrays

    if not (out / "postcodes.parquet").exists() or not (out / "assets.parquet").exists():
        return {}  # nothing to index yet: the server builds the lookup from lookup.parquet
    if pairs is None:
        pairs = pd.read_parquet(out / "lookup.parquet")
    if access is None:
        access = pd.read_parquet(out / "access.parquet", columns=["postcode", "snap_m"])
    ids = pd.read_parquet(out / "assets.parquet", columns=["asset_id"])["asset_id"].tolist()
    postcodes = pd.read_parquet(out / "postcodes.parquet", columns=["postcode", "x", "y"])
    return save_arrays(out, lookup_arrays(postcodes, pairs, access, ids), ids)


EQUITY_CHART_CATEGORIES = ("gp", "pharmacy", "library", "community_centre", "food_bank", "park")


def write_equity(out: Path, gaps, labels: dict, area_name: str, threshold: float) -> dict[str, int]:
    """Equity by IMD decile as CSV and JSON downloads, and the chart (``equity.svg``)."""
    from ..gap.equity import equity_chart

    dl = out / "downloads"
    gaps.by_decile.to_csv(dl / "equity_by_decile.csv", index=False)
    gaps.equity.to_csv(dl / "equity_summary.csv", index=False)
    (dl / "equity.json").write_text(json.dumps(_plain({
        "threshold_min": threshold, "summary": gaps.equity.to_dict("records"),
        "by_decile": gaps.by_decile.to_dict("records")}), ensure_ascii=False, indent=1, allow_nan=False))
    present = set(gaps.equity["category"]) if len(gaps.equity) else set()
    chart = [c for c in EQUITY_CHART_CATEGORIES if c in present] or sorted(present)[:6]
    equity_chart(gaps.by_decile, labels, chart, out / "equity.svg",
                 f"{area_name}: walking time to the nearest place, by deprivation", threshold)
    names = ("downloads/equity_by_decile.csv", "downloads/equity_summary.csv", "downloads/equity.json", "equity.svg")
    return {n: (out / n).stat().st_size for n in names}


def write_unmapped(out: Path, lsoas: gpd.GeoDataFrame | None, postcodes: pd.DataFrame | None) -> dict[str, int]:
    """The named districts' neighbourhoods outside the mapped extract (``unmapped.geojson``, outlines
    simplified for the map) and their postcodes (``unmapped_postcodes.parquet``)."""
    from ..ingest.outside import UNMAPPED_COLUMNS

    if lsoas is None:
        lsoas = gpd.GeoDataFrame({c: [] for c in UNMAPPED_COLUMNS}, geometry=[], crs=BNG)
    keep = [c for c in UNMAPPED_COLUMNS if c in lsoas.columns]
    simple = gpd.GeoDataFrame(lsoas[keep], geometry=lsoas.geometry.to_crs(BNG).simplify(20.0), crs=BNG)
    (out / "unmapped.geojson").write_text(feature_collection(features_json(simple, precision=5,
                                                                           id_column="lsoa21_code")))
    pcs = postcodes if postcodes is not None else pd.DataFrame(columns=["postcode", "lsoa21_code"])
    pcs.to_parquet(out / "unmapped_postcodes.parquet", index=False)
    return {n: (out / n).stat().st_size for n in ("unmapped.geojson", "unmapped_postcodes.parquet")}


def write_report(out: Path, report: dict) -> None:
    tmp = out / "report.json.tmp"
    tmp.write_text(json.dumps(_plain(report), ensure_ascii=False, indent=2, allow_nan=False))
    tmp.replace(out / "report.json")
