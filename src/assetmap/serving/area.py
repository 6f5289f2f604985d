"""One area as the site serves it: its summary plus every asset page, neighbourhood profile and session."""
from __future__ import annotations

from ..activities.served import AreaSessions
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
