"""The public lookup's fast path: "what is near me?" answered from arrays built once at load.

The build stores, for every postcode, the assets within a walk of it (``lookup.parquet``: the
nearest ones overall, the nearest of each category, and each category's nearest however far),
ranked by walking distance on the street network; the build also writes it as flat arrays
(:mod:`.lookup_arrays`, ``lookup/``) that :class:`LookupIndex` memory-maps, one slice per postcode,
and each asset becomes a ready result record, so a request is a binary search, a slice, a mask and
a few dict copies: no graph search, no CRS set-up, no DataFrame row access.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UnknownPostcodeError
from ..ingest.postcodes import normalise
from .lookup_arrays import LookupArrays, lookup_arrays


@dataclass
class Lookup:
    postcode: str
    lon: float
    lat: float
    area: str
    snap_m: float | None = None  # how far the postcode is from the nearest walkable way
    results: list[dict] = field(default_factory=list)


def minutes(metres: float, kmh: float) -> int:
    return max(1, int(round(float(metres) / (kmh * 1000.0 / 60.0))))


class LookupIndex:
    """Postcode -> nearest assets on foot, for one built area, over :class:`LookupArrays` (memory-mapped
    from the build's ``lookup/`` when it has them: shared by every worker, nothing copied per worker)."""

    def __init__(self, slug: str, scope: str, records: list[dict], categories: list[list[str]],
                 asset_xy: np.ndarray, arrays: LookupArrays, speed_kmh: float, reduced_kmh: float):
        self.slug, self.scope = slug, scope
        self.records = records
        self.speed_kmh, self.reduced_kmh = float(speed_kmh), float(reduced_kmh)
        self.asset_xy = asset_xy
        self.arrays = arrays
        self._tree: Any = None  # postcodes' KD-tree, for :meth:`nearest`
        all_cats = sorted({c for cs in categories for c in cs})
        self.category_mask = {c: np.fromiter((c in cs for cs in categories), bool, len(categories)) for c in all_cats}
        # each asset's name and description in lower case, for keyword search (:meth:`mask`)
        self._texts = [f"{r.get('name') or ''} {r.get('description') or ''}".lower() for r in records]
        self._masks: dict[tuple, np.ndarray] = {}

    @classmethod
    def from_frames(cls, slug: str, scope: str, records: list[dict], categories: list[list[str]],
                    asset_xy: np.ndarray, postcodes: pd.DataFrame, pairs: pd.DataFrame, access: pd.DataFrame | None,
                    speed_kmh: float, reduced_kmh: float) -> LookupIndex:
        """The index from the build's frames (held in this process's memory: builds without ``lookup/``)."""
        arrays = lookup_arrays(postcodes, pairs, access, [r["asset_id"] for r in records])
        return cls(slug, scope, records, categories, asset_xy, arrays, speed_kmh, reduced_kmh)

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
        return self.arrays.row(code) is not None

    def locate(self, text: str) -> tuple[str, int]:
        code = normalise(text)
        i = self.arrays.row(code)
        if i is None:
            raise UnknownPostcodeError(
                f"We could not find the postcode {code} in {self.scope}. Check it on a letter or bill; "
                f"if it is new (less than a few months old) try a neighbour's postcode.")
        return code, i

    def nearest(self, x: float, y: float) -> tuple[str, float]:
        """The postcode nearest a point in EPSG:27700, and how far it is (m); a KD-tree built on first use."""
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(np.column_stack([self.arrays.x, self.arrays.y]))
        d, i = self._tree.query([x, y])
        return self.arrays.code(int(i)), float(d)

    def xy(self, postcode: str) -> tuple[float, float]:
        """The postcode's point in EPSG:27700."""
        _, i = self.locate(postcode)
        return float(self.arrays.x[i]), float(self.arrays.y[i])

    def lookup(self, postcode: str, limit: int = 10, category: str | None = None,
               where: np.ndarray | None = None) -> Lookup:
        """The nearest assets on foot, of ``category`` and/or where the boolean mask ``where`` holds."""
        code, i = self.locate(postcode)
        arr = self.arrays
        snap = arr.snap[i]
        out = Lookup(code, float(arr.lon[i]), float(arr.lat[i]), self.slug,
                     None if np.isnan(snap) else round(float(snap)))
        s, e = arr.start[i], arr.start[i + 1]
        a, w = arr.asset[s:e], arr.walk[s:e]
        if category is not None:  # a category with no assets here: an empty list, which the page explains
            mask = self.category_mask.get(category)
            keep = mask[a] if mask is not None else np.zeros(len(a), dtype=bool)
            a, w = a[keep], w[keep]
        if where is not None:
            keep = where[a]
            a, w = a[keep], w[keep]
        a, w = a[:limit], w[:limit]
        straight = np.hypot(self.asset_xy[a, 0] - arr.x[i], self.asset_xy[a, 1] - arr.y[i])
        for j, walk, line in zip(a.tolist(), w.astype(np.float64).tolist(), straight.tolist(), strict=False):
            out.results.append({
                **self.records[j],
                "distance_m": int(round(walk)), "walk_m": int(round(walk)),
                "walk_minutes": minutes(walk, self.speed_kmh),
                "walk_minutes_reduced": minutes(walk, self.reduced_kmh),
                "straight_m": int(round(line)),
            })
        return out
