""""Use my location": the postcode nearest a point, from a coarsened coordinate.

The lookup searches from postcodes, so a phone's position becomes the nearest postcode of the
built areas. The point is rounded to :data:`PRECISION` decimal places of a degree (about 110 m
north–south and 70 m east–west in England) before anything else, and nothing here keeps or logs
it: only the postcode goes on, as if the reader had typed it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import AssetmapError
from .coords import lonlat_to_bng

PRECISION = 3
MAX_M = 1000.0  # farther than this from every postcode of every area: outside what the site covers
LON = (-8.7, 2.1)  # Great Britain and around, in WGS84 degrees
LAT = (49.8, 60.9)


class LocationError(AssetmapError, ValueError):
    """A position that cannot be used; ``status`` is the HTTP status for the web app."""

    status = 400


@dataclass(frozen=True)
class Near:
    postcode: str
    area: str  # the area's slug
    metres: int  # from the rounded point to the postcode


def coarse(value, lo: float, hi: float, name: str) -> float:
    """A coordinate as a number within ``lo``–``hi``, rounded to :data:`PRECISION` places."""
    if value is None or value == "":
        raise LocationError(f"no {name} was sent; send lat and lon in decimal degrees (WGS84)")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise LocationError(f"the {name} {str(value)[:20]!r} is not a number; send decimal degrees (WGS84)") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise LocationError(f"the {name} {v} is not in Great Britain ({lo} to {hi}); enter a postcode instead")
    return round(v, PRECISION)


def nearest_postcode(results: dict, lon, lat) -> Near:
    """The postcode nearest (``lon``, ``lat``) among the areas in ``results`` (slug -> AreaResults)."""
    x, y = lonlat_to_bng(coarse(lon, *LON, "longitude"), coarse(lat, *LAT, "latitude"))
    best: Near | None = None
    for slug, ar in results.items():
        code, d = ar.nearest_postcode(x, y)
        if best is None or d < best.metres:
            best = Near(code, slug, int(round(d)))
    if best is None or best.metres > MAX_M:
        names = ", ".join(ar.name for ar in results.values())
        err = LocationError(f"You seem to be outside the areas this site covers ({names}). "
                            f"Enter a postcode or the name of a place in {names} instead.")
        err.status = 404
        raise err
    return best
