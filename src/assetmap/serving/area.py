"""One area as the site serves it: its summary plus every asset page and neighbourhood profile."""
from __future__ import annotations

from ..outputs.read import AreaResults
from .pages import asset_pages
from .profiles import neighbourhood_profiles
from .summary import AreaSummary


class ServedArea(AreaSummary):
    """:class:`AreaSummary` with the asset pages (by asset id) and the profiles (by LSOA 2021 code)."""

    def __init__(self, ar: AreaResults):
        super().__init__(ar)
        self.asset_pages = asset_pages(self)
        self.profiles = neighbourhood_profiles(self, self.asset_pages)
