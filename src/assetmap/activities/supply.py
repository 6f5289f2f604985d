"""Sessions a week, as supply for the gap measure.

A place that hosts a lunch club every weekday offers more than one that hosts it once a month:
for the categories named in ``[gaps] session_weighted``, the gap stage counts each place's
sessions a week of that category (whatever the place's own category) rather than one per site.
A weekly session on *k* days every *n* weeks counts *k*/*n*; a monthly one on *k* days a month
*k* × 12/52. Sessions whose season ended before the build are not counted.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def per_week(s: dict) -> float:
    """How many times a week the session takes place, on average."""
    days = [d for d in str(s.get("byday") or "").split(",") if d]
    if s.get("freq") == "MONTHLY":
        k = len(days) or len([d for d in str(s.get("bymonthday") or "").split(",") if d])
        return k * 12 / 52
    interval = max(1, int(s.get("interval") or 1))
    return len(days) / interval


def weekly_supply(table: pd.DataFrame, asset_ids: list[str], categories, on: dt.date) -> dict[str, np.ndarray]:
    """Per category: sessions a week at each asset (aligned on ``asset_ids``), from sessions still in
    season on ``on``; only categories with at least one session."""
    index = {a: i for i, a in enumerate(asset_ids)}
    out: dict[str, np.ndarray] = {}
    today = on.isoformat()
    for r in table.to_dict("records"):
        c, i = r.get("category"), index.get(r.get("asset_id") or "")
        ended = r.get("valid_to") and str(r["valid_to"])[:10] < today
        if c not in categories or i is None or ended:
            continue
        out.setdefault(c, np.zeros(len(asset_ids)))[i] += per_week(r)
    return out


def sessions_within(pairs: pd.DataFrame, weights: np.ndarray, supply: np.ndarray, n_origins: int) -> np.ndarray:
    """Per origin: the sessions a week within the walk, each place's count weighted by the decay of the
    walk to it (``pairs``: origin, asset; ``weights`` the decay of each pair)."""
    o, a = pairs["origin"].to_numpy(), pairs["asset"].to_numpy()
    return np.bincount(o, weights=weights * supply[a], minlength=n_origins)
