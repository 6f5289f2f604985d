"""The lookup index as it was before memory-mapped arrays (dict of postcodes, arrays built per worker
from ``lookup.parquet``), kept verbatim as the reference tests/test_lookup_mmap.py compares against."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyproj import Transformer

from assetmap.constants import BNG, WGS84
from assetmap.errors import UnknownPostcodeError
from assetmap.ingest.postcodes import normalise
from assetmap.walk.lookup import Lookup, minutes


class ReferenceLookupIndex:
    """Postcode -> nearest assets on foot, for one built area."""

    def __init__(self, slug: str, scope: str, records: list[dict], categories: list[list[str]],
                 asset_xy: np.ndarray, postcodes: pd.DataFrame, pairs: pd.DataFrame, access: pd.DataFrame | None,
                 speed_kmh: float, reduced_kmh: float):
        self.slug, self.scope = slug, scope
        self.records = records
        self.speed_kmh, self.reduced_kmh = float(speed_kmh), float(reduced_kmh)
        self.asset_xy = asset_xy
        codes = postcodes["postcode"].to_numpy(dtype=object)
        self._row = {c: i for i, c in enumerate(codes)}
        self._codes = codes
        self._tree: Any = None  # postcodes' KD-tree, for :meth:`nearest`
        self._x = postcodes["x"].to_numpy(dtype=np.float64)
        self._y = postcodes["y"].to_numpy(dtype=np.float64)
        lon, lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(self._x, self._y)
        self._lon, self._lat = np.round(lon, 6), np.round(lat, 6)
        if access is not None:
            snap = access.drop_duplicates("postcode").set_index("postcode")["snap_m"]
        else:
            snap = pd.Series(dtype=float)
        self._snap = snap.reindex(codes).to_numpy(dtype=np.float64)
        all_cats = sorted({c for cs in categories for c in cs})
        self.category_mask = {c: np.fromiter((c in cs for cs in categories), bool, len(categories)) for c in all_cats}
        # each asset's name and description in lower case, for keyword search (:meth:`mask`)
        self._texts = [f"{r.get('name') or ''} {r.get('description') or ''}".lower() for r in records]
        self._masks: dict[tuple, np.ndarray] = {}
        # pairs sorted by postcode (in postcodes order) then walking distance: one slice per postcode
        ids = {r["asset_id"]: i for i, r in enumerate(records)}
        p = pairs[pairs["postcode"].isin(self._row) & pairs["asset_id"].isin(ids)]
        row = p["postcode"].map(self._row).to_numpy(dtype=np.int64)
        order = np.lexsort((p["walk_m"].to_numpy(), row))
        row = row[order]
        self._asset = p["asset_id"].map(ids).to_numpy(dtype=np.int64)[order]
        self._walk = p["walk_m"].to_numpy(dtype=np.float64)[order]
        self._start = np.searchsorted(row, np.arange(len(codes)), side="left")
        self._end = np.searchsorted(row, np.arange(len(codes)), side="right")

    def mask(self, categories=(), keywords=()) -> np.ndarray:
        """Assets of any of ``categories``, or whose name or description holds any of ``keywords``
        (a boolean array over the assets, kept per combination: the vocabulary is finite)."""
        key = (tuple(categories), tuple(keywords))
        if key not in self._masks:
            out = np.zeros(len(self.records), dtype=bool)
            for c in categories:
                if c in self.category_mask:
                    out |= self.category_mask[c]
            if keywords:
                out |= np.fromiter((any(k in t for k in keywords) for t in self._texts), bool, len(self._texts))
            self._masks[key] = out
        return self._masks[key]

    def __contains__(self, code: str) -> bool:
        return code in self._row

    def locate(self, text: str) -> tuple[str, int]:
        code = normalise(text)
        i = self._row.get(code)
        if i is None:
            raise UnknownPostcodeError(
                f"We could not find the postcode {code} in {self.scope}. Check it on a letter or bill; "
                f"if it is new (less than a few months old) try a neighbour's postcode.")
        return code, i

    def nearest(self, x: float, y: float) -> tuple[str, float]:
        """The postcode nearest a point in EPSG:27700, and how far it is (m); a KD-tree built on first use."""
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(np.column_stack([self._x, self._y]))
        d, i = self._tree.query([x, y])
        return self._codes[int(i)], float(d)

    def xy(self, postcode: str) -> tuple[float, float]:
        """The postcode's point in EPSG:27700."""
        _, i = self.locate(postcode)
        return float(self._x[i]), float(self._y[i])

    def lookup(self, postcode: str, limit: int = 10, category: str | None = None,
               where: np.ndarray | None = None) -> Lookup:
        """The nearest assets on foot, of ``category`` and/or where the boolean mask ``where`` holds."""
        code, i = self.locate(postcode)
        snap = self._snap[i]
        out = Lookup(code, float(self._lon[i]), float(self._lat[i]), self.slug,
                     None if np.isnan(snap) else round(float(snap)))
        s, e = self._start[i], self._end[i]
        a, w = self._asset[s:e], self._walk[s:e]
        if category is not None:  # a category with no assets here: an empty list, which the page explains
            mask = self.category_mask.get(category)
            keep = mask[a] if mask is not None else np.zeros(len(a), dtype=bool)
            a, w = a[keep], w[keep]
        if where is not None:
            keep = where[a]
            a, w = a[keep], w[keep]
        a, w = a[:limit], w[:limit]
        straight = np.hypot(self.asset_xy[a, 0] - self._x[i], self.asset_xy[a, 1] - self._y[i])
        for j, walk, line in zip(a.tolist(), w.tolist(), straight.tolist(), strict=False):
            out.results.append({
                **self.records[j],
                "distance_m": int(round(walk)), "walk_m": int(round(walk)),
                "walk_minutes": minutes(walk, self.speed_kmh),
                "walk_minutes_reduced": minutes(walk, self.reduced_kmh),
                "straight_m": int(round(line)),
            })
        return out
