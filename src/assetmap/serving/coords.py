"""Longitude/latitude (WGS84) to the British National Grid, for requests that give a point."""
from __future__ import annotations

from pyproj import Transformer

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def lonlat_to_bng(lon: float, lat: float) -> tuple[float, float]:
    """(easting, northing) in metres on the British National Grid (EPSG:27700)."""
    x, y = _TO_BNG.transform(lon, lat)
    return float(x), float(y)


_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def bng_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """(longitude, latitude) in WGS84 of a British National Grid point."""
    lon, lat = _TO_WGS84.transform(x, y)
    return float(lon), float(lat)
