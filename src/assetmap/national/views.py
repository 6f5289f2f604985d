"""Districts as views of a bigger build: an area file with ``[area] view_of = "england"`` (or any
bigger area's slug) and ``lads = [...]`` is built by *slicing* the bigger build in the same build
root, without reading an extract or searching the walk network again:

* neighbourhoods: the bigger build's LSOAs of the named districts, with their national columns
  kept and their local ones recomputed among themselves (:mod:`assetmap.national.local` lists which);
* postcodes: those within ``edge_buffer_m`` of the districts (the bbox a build of them would read),
  their walking access rows (``access.parquet``) and lookup rows (``lookup.parquet``) as they are;
* assets: those within ``edge_buffer_m`` of the districts plus any asset those postcodes' nearest
  or lookup rows name (a nearest hospital may be far outside), and their sessions;
* shared, not cut: the walk network (``network.npz``) and the base map (``basemap.pmtiles``) are
  hard links to the bigger build's files (copies where the file system cannot link), so a view
  costs no tiles; a later rebuild of the bigger area leaves the view's linked files as they were.

So every walking distance of a view equals the bigger build's (test_national.py checks a district
of a two-extract build against the district built alone). Equity by IMD decile and the report are
recomputed on the slice; the merge, trust and curated figures in the report are the bigger build's.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import shapely

from .. import __version__
from ..config import AreaConfig
from ..constants import BNG, WGS84
from ..errors import BuildError
from ..gap.equity import equity_tables
from ..locks import area_lock
from ..outputs.dictionary import download_licences, write_data_docs
from ..outputs.write import unflatten, write_equity, write_lookup_arrays, write_outputs, write_report, write_unmapped
from ..taxonomy import Taxonomy, load_taxonomy
from ..walk.access import metres_per_minute
from .local import LOCAL_COLUMNS, LOCAL_PREFIXES, equity_inputs, local_columns, mapped_categories, top_priority
from .ranks import NATIONAL_COLUMNS, compared_settings

SHARED_FILES = ("network.npz", "basemap.pmtiles")


def _stderr(msg: str) -> None:
    import sys

    print(msg, file=sys.stderr, flush=True)


def build_view(cfg: AreaConfig, out_dir: str | Path, taxonomy: Taxonomy | None = None,
               echo: Callable[[str], None] = _stderr) -> dict:
    """Cut ``cfg`` (``view_of`` set) from the bigger build beside ``out_dir``; returns the report."""
    out_dir = Path(out_dir)
    with area_lock(out_dir):
        return _build_view(cfg, out_dir, taxonomy or load_taxonomy(), echo)


def bigger_build(cfg: AreaConfig, out_dir: Path) -> tuple[Path, dict]:
    """The bigger build's directory and report, checked: it exists and measured as this view would."""
    big = out_dir.parent / str(cfg.view_of)
    if not (big / "report.json").exists() or not (big / "access.parquet").exists():
        raise BuildError(f"{cfg.slug} is a view of {cfg.view_of} ([area] view_of), but there is no build of "
                         f"{cfg.view_of} at {big}; build it first (`assetmap build {cfg.view_of}`)")
    report = json.loads((big / "report.json").read_text(encoding="utf-8"))
    own = json.loads(json.dumps({"gaps": {k: v for k, v in cfg.gaps.as_dict().items() if k != "rank_against"},
                                 "speed_kmh": cfg.walking.speed_kmh}))
    theirs = compared_settings(report)
    if own != theirs:
        diff = sorted(k for k in own["gaps"] if own["gaps"][k] != theirs["gaps"].get(k))
        diff += ["[walking] speed_kmh"] if own["speed_kmh"] != theirs["speed_kmh"] else []
        raise BuildError(f"{cfg.slug} differs from the {cfg.view_of} build it is a view of in {', '.join(diff)}; "
                         f"a view keeps the bigger build's walks and scores, so remove those settings from "
                         f"{cfg.config_path} (or rebuild {cfg.view_of} with them)")
    return big, report


def _build_view(cfg: AreaConfig, out_dir: Path, tx: Taxonomy, echo: Callable[[str], None]) -> dict:
    t0 = time.perf_counter()
    big, big_report = bigger_build(cfg, out_dir)
    echo(f"Cutting {cfg.name} ({cfg.slug}) from the {cfg.view_of} build at {big}")
    nb_big = gpd.read_parquet(big / "neighbourhoods.parquet")
    nb = nb_big[nb_big["lad_code"].isin(cfg.lads)].reset_index(drop=True)
    if nb.empty:
        raise BuildError(f"the {cfg.view_of} build holds no LSOA of {list(cfg.lads)}; check [area] lads in "
                         f"{cfg.config_path}")
    nb = gpd.GeoDataFrame(local_columns(nb, tx, cfg.gaps), geometry="geometry", crs=nb_big.crs).to_crs(BNG)
    coverage = shapely.union_all(nb.geometry.values)
    region = coverage.buffer(cfg.edge_buffer_m)
    postcodes, access, lookup = slice_walks(big, region.bounds, set(nb["lsoa21_code"]))
    assets = slice_assets(big, region, access, lookup)
    tmp = out_dir.with_name(out_dir.name + ".building")
    if tmp.exists():
        shutil.rmtree(tmp)
    files = _write_view(cfg, tx, big, big_report, tmp, nb, postcodes, access, lookup, assets, coverage, region)
    equity = _equity(cfg, tx, access, nb, tmp, files)
    report = view_report(cfg, big_report, nb, postcodes, assets, equity, files)
    report["timings"] = {"view": round(time.perf_counter() - t0, 3), "total": round(time.perf_counter() - t0, 3)}
    write_report(tmp, report)
    from ..build import swap_in  # the build's own atomic swap (imported here: build imports this package)

    swap_in(tmp, out_dir)
    echo(f"Cut {cfg.name}: {len(nb)} LSOAs, {len(postcodes):,} postcodes, {len(assets)} assets in "
         f"{report['timings']['total']:.1f} s -> {out_dir}")
    return report


def slice_walks(big: Path, bounds, codes: set) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The postcodes within ``bounds`` (EPSG:27700), their access rows (plus the stand-in origins of
    ``codes``' LSOAs) and lookup rows; an LSOA code outside ``codes`` is blanked, as a build of the
    districts alone leaves a postcode outside its neighbourhoods."""
    minx, miny, maxx, maxy = bounds
    pcs = pd.read_parquet(big / "postcodes.parquet")
    pcs = pcs[pcs.x.between(minx, maxx) & pcs.y.between(miny, maxy)].reset_index(drop=True)
    keep = set(pcs["postcode"])
    acc = pd.read_parquet(big / "access.parquet")
    acc = acc[acc["postcode"].isin(keep) | (acc["postcode"].isna() & acc["lsoa21_code"].isin(codes))]
    acc = acc.reset_index(drop=True)
    for frame in (pcs, acc):
        frame["lsoa21_code"] = frame["lsoa21_code"].where(frame["lsoa21_code"].isin(codes), None)
    lookup = pd.read_parquet(big / "lookup.parquet")
    lookup = lookup[lookup["postcode"].isin(keep)].reset_index(drop=True)
    return pcs, acc, lookup


def slice_assets(big: Path, region, access: pd.DataFrame, lookup: pd.DataFrame) -> gpd.GeoDataFrame:
    """The bigger build's assets within ``region`` and every asset the walks name, LSOA codes
    outside the view blanked."""
    assets = gpd.read_parquet(big / "assets.parquet")
    named = set(lookup["asset_id"]).union(*(set(access[c].dropna()) for c in access.columns
                                            if c.startswith("nearest_")))
    keep = assets.geometry.within(region).to_numpy() | assets["asset_id"].isin(named).to_numpy()
    return unflatten(assets[keep].reset_index(drop=True))


def _link(src: Path, dest: Path) -> None:
    """A hard link to ``src`` (the bigger build's file, shared), or a copy across file systems."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def _write_view(cfg, tx, big, big_report, tmp, nb, postcodes, access, lookup, assets, coverage, region) -> dict:
    codes = set(nb["lsoa21_code"])
    assets["lsoa21_code"] = assets["lsoa21_code"].where(assets["lsoa21_code"].isin(codes), None)
    streets = gpd.read_parquet(big / "streets.parquet")
    if len(streets):
        streets = streets[streets.to_crs(BNG).intersects(coverage.buffer(500))].reset_index(drop=True)
    sources = big_report.get("sources", [])
    files = write_outputs(tmp, cfg.slug, assets.sort_values(["category", "name", "asset_id"], na_position="last")
                          .reset_index(drop=True), nb, postcodes, streets, tx.as_dict(),
                          download_licences({"sources": sources}))
    access.to_parquet(tmp / "access.parquet", index=False)
    lookup.to_parquet(tmp / "lookup.parquet", index=False)
    files.update(write_lookup_arrays(tmp, lookup, access))  # the server maps these, one copy for all workers
    for name in SHARED_FILES:
        if (big / name).exists():
            _link(big / name, tmp / name)
    sessions = pd.read_parquet(big / "sessions.parquet")
    sessions = sessions[sessions["asset_id"].isin(set(assets["asset_id"])) | sessions["asset_id"].isna()]
    from ..activities.stage import write_sessions

    files.update(write_sessions(tmp, sessions.reset_index(drop=True)))
    files.update(write_data_docs(tmp, cfg.name, cfg.slug, tx.as_dict(), sources))
    places = pd.read_parquet(big / "places.parquet")
    pts = gpd.GeoSeries(gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84).to_crs(BNG)
    places[pts.within(region).to_numpy()].reset_index(drop=True).to_parquet(tmp / "places.parquet")
    files.update(write_unmapped(tmp, None, None))
    files.update({n: (tmp / n).stat().st_size for n in ("access.parquet", "lookup.parquet", "places.parquet",
                                                         *SHARED_FILES) if (tmp / n).exists()})
    return files


def _equity(cfg: AreaConfig, tx: Taxonomy, access: pd.DataFrame, nb: pd.DataFrame, tmp: Path, files: dict):
    """Equity by IMD decile over the view's own postcodes (written as a build writes it)."""
    m_per_min = metres_per_minute(cfg.walking.speed_kmh)
    minutes, pop, decile = equity_inputs(access, nb, mapped_categories(nb, tx), m_per_min)
    by_decile, summary = equity_tables(minutes, pop, decile, cfg.gaps.threshold_min)
    eq = SimpleNamespace(by_decile=by_decile, equity=summary)
    files.update(write_equity(tmp, eq, {k: c.label for k, c in tx.categories.items()}, cfg.name,
                              cfg.gaps.threshold_min))
    return summary


def view_report(cfg: AreaConfig, big: dict, nb: gpd.GeoDataFrame, postcodes: pd.DataFrame,
                assets: gpd.GeoDataFrame, equity: pd.DataFrame, files: dict) -> dict:
    """The bigger build's report with what the view changes: its area, neighbourhoods, postcodes,
    assets, gap figures and files, and a ``view`` block saying what is national and what local."""
    by_cat = assets["category"].value_counts()
    any_cat = assets["categories"].explode().value_counts()
    gaps = dict(big.get("gaps", {}))
    gaps.update({"top_priority": top_priority(nb), "equity": json.loads(equity.to_json(orient="records")),
                 "lsoas_double_disadvantage": int(nb["double_disadvantage"].sum()),
                 "lsoas_left_behind_england": int(nb["left_behind_england"].sum())})
    national = [c for c in NATIONAL_COLUMNS if c in nb.columns]
    return {**big,
            "area": {"slug": cfg.slug, "name": cfg.name, "lads": list(cfg.lads), "config": str(cfg.config_path),
                     "bounds": [round(float(v), 6) for v in nb.to_crs(WGS84).total_bounds], "view_of": cfg.view_of},
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "assetmap_version": __version__,
            "neighbourhoods": _neighbourhoods(cfg, big, nb),
            "postcodes": {**big.get("postcodes", {}), "in_area": int(len(postcodes)),
                          "in_neighbourhoods": int(postcodes["lsoa21_code"].notna().sum())},
            "assets": {**big.get("assets", {}), "total": int(len(assets)),
                       "in_neighbourhoods": int(assets["lsoa21_code"].notna().sum()),
                       "by_category": {k: int(v) for k, v in by_cat.items()},
                       "by_category_any": {k: int(v) for k, v in any_cat.items()},
                       "categories_present": int(len(any_cat))},
            "gaps": gaps, "files": files, "refresh": False,
            "view": {"of": cfg.view_of, "lads": list(cfg.lads), "shared_files": [f for f in SHARED_FILES if f in files],
                     "national_columns": "every column but the local ones (walks, access, need, shortfalls, "
                                         "priority scores" + (", " + ", ".join(national) if national else "") + ")",
                     "local_columns": [*LOCAL_COLUMNS, *(p + "*" for p in LOCAL_PREFIXES)],
                     "from_bigger_build": ["merge", "trust", "curated", "osm", "network", "basemap", "walking"]}}


def _neighbourhoods(cfg: AreaConfig, big: dict, nb: gpd.GeoDataFrame) -> dict:
    """The report's neighbourhoods block for the view's LSOAs."""
    lad = nb["lad_code"]
    named = {code: {"lsoas": int((lad == code).sum()), "covered": int((lad == code).sum()),
                    "name": str(nb.loc[lad == code, "lad_name"].iloc[0]) if (lad == code).any() else None}
             for code in cfg.lads}
    dec = nb["imd_decile"].dropna().astype(int).value_counts().sort_index()
    domains = [c for c in nb.columns if c.endswith(("_score", "_rank", "_decile")) and c.split("_")[0] in
               big.get("neighbourhoods", {}).get("deprivation_domains", [])]
    return {**big.get("neighbourhoods", {}), "mode": "view", "lsoas": int(len(nb)),
            "by_lad": {str(k): int(v) for k, v in lad.value_counts().sort_index().items()},
            "named_lads": named, "not_covered": [],
            "with_deprivation": int(nb[domains].notna().all(axis=1).sum()) if domains else 0,
            "with_population": int(nb["residents"].notna().sum()),
            "with_postcodes": int((pd.to_numeric(nb["n_postcodes"]) > 0).sum()),
            "residents": int(pd.to_numeric(nb["residents"], errors="coerce").sum()),
            "households": int(pd.to_numeric(nb["households"], errors="coerce").sum()),
            "imd_deciles": {str(k): int(v) for k, v in dec.items()},
            "unmapped": {"lsoas": 0, "postcodes": 0, "file": "unmapped.geojson",
                         "postcodes_file": "unmapped_postcodes.parquet"}}


def is_view(cfg: AreaConfig) -> bool:
    return bool(cfg.view_of)


__all__ = ["build_view", "bigger_build", "slice_walks", "slice_assets", "view_report", "is_view"]
