"""One area as the site serves it: its summary plus every asset page, neighbourhood profile and session."""
from __future__ import annotations

import numpy as np

from ..activities.served import AreaSessions
from ..errors import PostcodeError
from ..outputs.read import AreaResults
from .pages import asset_pages
from .profiles import neighbourhood_profiles
from .summary import AreaSummary


class ServedArea(AreaSummary):
    """:class:`AreaSummary` with the asset pages (by asset id) and the profiles (by LSOA 2021 code)."""

    def __init__(self, ar: AreaResults):
        super().__init__(ar)
        self.asset_pages = asset_pages(self)
        self.sessions = AreaSessions.load(ar.dir, ar.assets["asset_id"].tolist(),
                                          {k: p["title"] for k, p in self.asset_pages.items()})
        self.profiles = neighbourhood_profiles(self, self.asset_pages)
        self._asset_index = {aid: i for i, aid in enumerate(ar.assets["asset_id"])}

    def walk_to(self, postcode: str, asset_id: str) -> dict | None:
        """The walk from ``postcode`` to one asset (``walk_m``, ``walk_minutes``…) when it is among the
        postcode's precomputed nearest places, else None (also for a postcode this area does not have)."""
        i = self._asset_index.get(asset_id)
        if i is None or not postcode:
            return None
        where = np.zeros(len(self._asset_index), dtype=bool)
        where[i] = True
        try:
            found = self.ar.lookup(postcode, limit=1, where=where)
        except (PostcodeError, ValueError):
            return None
        return found.results[0] if found.results else None
