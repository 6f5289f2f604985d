"""One area as the site serves it: its summary plus every asset page and neighbourhood profile."""
from __future__ import annotations

from functools import cached_property

from ..outputs.read import AreaResults
from .packmap import PackImages
from .pages import asset_pages
from .profiles import neighbourhood_profiles
from .scenario_export import host_buildings
from .summary import AreaSummary


class ServedArea(AreaSummary):
    """:class:`AreaSummary` with the asset pages (by asset id) and the profiles (by LSOA 2021 code)."""

    def __init__(self, ar: AreaResults):
        super().__init__(ar)
        self.asset_pages = asset_pages(self)
        self.profiles = neighbourhood_profiles(self, self.asset_pages)
        self.host_buildings = host_buildings(ar)

    @cached_property
    def images(self) -> PackImages:
        """The committee pack's images (map, equity chart), rendered on first use and kept."""
        return PackImages(self.ar)
