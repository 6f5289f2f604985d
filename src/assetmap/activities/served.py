"""The sessions of one built area as the site serves them, read once at load.

Everything that does not depend on the time (the words for when a session recurs, the place it is
held at, the words searched) is prepared here; a request asks only what is on now, today or this
week (:mod:`.words`, a few comparisons per session).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .table import empty_table
from .words import DAY_CODES, access_words, in_season, occurs_on, open_now, season_ended, status, when_words

_SORT = {d: i for i, d in enumerate(DAY_CODES)}


def _first_day(s: dict) -> int:
    codes = str(s.get("byday") or "").split(",")
    return min((_SORT.get(c[-2:], 7) for c in codes), default=7)


class AreaSessions:
    """One area's sessions, by the asset they are held at (``area_wide``: those held nowhere in particular)."""

    def __init__(self, table: pd.DataFrame, asset_ids: list[str], names: dict[str, str | None]):
        table = table.astype(object).where(table.notna(), None)
        self.rows: list[dict] = []
        for r in table.to_dict("records"):
            r["when"] = when_words(r)
            r["access_text"] = access_words(r)
            r["venue_name"] = names.get(r["asset_id"]) or r.get("venue") if r.get("asset_id") else r.get("venue")
            r["_text"] = " ".join(str(r.get(k) or "") for k in ("service_name", "description")).lower()
            self.rows.append(r)
        self.rows.sort(key=lambda r: (_first_day(r), r.get("opens_at") or "", r.get("service_name") or ""))
        self.by_asset: dict[str, list[dict]] = {}
        for r in self.rows:
            if r.get("asset_id"):
                self.by_asset.setdefault(r["asset_id"], []).append(r)
        self.area_wide = [r for r in self.rows if r.get("area_wide")]
        self._order = {aid: i for i, aid in enumerate(asset_ids)}
        self._masks: dict[tuple, np.ndarray] = {}

    @classmethod
    def load(cls, build_dir: Path, asset_ids: list[str], names: dict[str, str | None]) -> AreaSessions:
        path = Path(build_dir) / "sessions.parquet"
        return cls(pd.read_parquet(path) if path.exists() else empty_table(), asset_ids, names)

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, asset_id: str) -> list[dict]:
        return self.by_asset.get(asset_id, [])

    @staticmethod
    def fits(r: dict, categories=(), keywords=()) -> bool:
        """Whether a session is of one of ``categories`` or names one of ``keywords``."""
        return r.get("category") in categories or any(k.lower() in r["_text"] for k in keywords)

    def mask(self, categories=(), keywords=()) -> np.ndarray:
        """Over the assets (in build order): which hold a session fitting the categories or keywords."""
        key = (tuple(sorted(categories)), tuple(sorted(keywords)))
        found = self._masks.get(key)
        if found is None:
            found = np.zeros(len(self._order), dtype=bool)
            for r in self.rows:
                i = self._order.get(str(r.get("asset_id")))
                if i is not None and self.fits(r, categories, keywords):
                    found[i] = True
            self._masks[key] = found
        return found

    def with_status(self, sessions: list[dict], now: dt.datetime) -> list[dict]:
        """The sessions, each with its ``status`` words at ``now`` ("on today", "season ended …")."""
        return [{**r, "status": status(r, now)} for r in sessions]

    def any_now(self, asset_id: str, now: dt.datetime) -> bool:
        return any(open_now(r, now) for r in self.at(asset_id))

    def any_on(self, asset_id: str, day: dt.date) -> bool:
        return any(occurs_on(r, day) for r in self.at(asset_id))

    def for_result(self, asset_id: str, now: dt.datetime, categories=(), keywords=(), limit: int = 3
                   ) -> tuple[list[dict], int]:
        """The sessions a lookup result shows (those fitting the search first, in season first) with
        their status at ``now``, and how many more the place's page lists."""
        found = self.at(asset_id)
        if not found:
            return [], 0
        today = now.date()
        ranked = sorted(found, key=lambda r: (not self.fits(r, categories, keywords), not in_season(r, today)))
        return self.with_status(ranked[:limit], now), max(0, len(found) - limit)

    def area_wide_for(self, now: dt.datetime, categories=(), keywords=()) -> list[dict]:
        """Area-wide sessions (held at no place: a phone befriending service) fitting the search, in
        season, with their status at ``now``."""
        today = now.date()
        return self.with_status([r for r in self.area_wide if self.fits(r, categories, keywords)
                                 and not season_ended(r, today)], now)
