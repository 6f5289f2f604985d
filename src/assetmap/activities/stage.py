"""The build's sessions: activities joined to their venues (before the merge) and every curated
record's sessions as one table (after it), with their asset ids, seasons and figures."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..util import csv_cell
from .table import SESSION_COLUMNS, as_table, season, session_rows
from .venues import is_service


def _asset_of(assets: gpd.GeoDataFrame) -> dict[str, str]:
    """Record ref ("osm:node/1", "libraries:…") -> the asset id it ended in."""
    return {ref: aid for aid, refs in zip(assets["asset_id"], assets["sources"], strict=True) for ref in refs}


def sessions_table(sources: dict, curated: dict[str, tuple[gpd.GeoDataFrame, bool]],
                   activities: list[tuple[str, dict, str | None]], assets: gpd.GeoDataFrame
                   ) -> tuple[pd.DataFrame, dict]:
    """The sessions table and its report. ``sources``: source name -> its config (options ``date``,
    ``sessions = "opening_hours"`` and ``season_end = "MM-DD"``); ``curated``: the lists the merge
    read; ``activities``: (source, record, ref of the place it is held at) from the venue join."""
    asset_of = _asset_of(assets)

    def opts(name):
        src = sources.get(name)
        return (src.option("date") if src else None, src.option("season_end") if src else None,
                bool(src and src.option("sessions") == "opening_hours"))

    rows: list[dict] = []
    for name, (recs, _) in curated.items():
        date, season_end, from_hours = opts(name)
        places = recs[~is_service(recs)]
        if not from_hours and ("schedules" not in places or places["schedules"].isna().all()):
            continue
        for r in places.drop(columns="geometry").to_dict("records"):
            rows += session_rows(r, name, asset_of.get(f"{name}:{r['source_id']}"), season(date, season_end),
                                 from_hours, date)
    for name, r, ref in activities:
        date, season_end, from_hours = opts(name)
        rows += session_rows(r, name, asset_of.get(ref) if ref else None, season(date, season_end), from_hours, date)
    table = as_table(rows)
    by_source = table["source"].value_counts()
    report = {"sessions": int(len(table)), "with_days_and_times": int(table["byday"].notna().sum()),
              "places_with_sessions": int(table["asset_id"].nunique()),
              "area_wide": int(table["area_wide"].sum()) if len(table) else 0,
              "not_at_a_place": int((table["asset_id"].isna() & ~table["area_wide"].astype(bool)).sum()),
              "by_source": {k: int(v) for k, v in by_source.items()},
              "file": "sessions.parquet", "download": "downloads/sessions.csv"}
    return table, report


def write_sessions(out: Path, table: pd.DataFrame) -> dict[str, int]:
    """``sessions.parquet`` (read by the site) and ``downloads/sessions.csv`` (user text neutralised)."""
    table.to_parquet(out / "sessions.parquet", index=False)
    (out / "downloads").mkdir(exist_ok=True)
    csv = table[SESSION_COLUMNS].copy()
    for c in csv.columns:
        if csv[c].dtype == object:
            csv[c] = csv[c].map(csv_cell)
    csv.to_csv(out / "downloads" / "sessions.csv", index=False)
    return {n: (out / n).stat().st_size for n in ("sessions.parquet", "downloads/sessions.csv")}
