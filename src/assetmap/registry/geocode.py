"""Postcode lookups for validation: canonical postcode -> (lat, lon) in WGS84, or None when unknown.

Validation accepts any of: ``None`` (postcodes are only checked for form; rows need coordinates),
a mapping ``{"S40 1LP": (53.23, -1.42)}`` (tests), a :class:`~assetmap.ingest.postcodes.Geocoder` over
Code-Point Open, or any callable with that signature.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..constants import BNG, WGS84
from ..errors import MalformedPostcodeError, UnknownPostcodeError
from ..ingest.postcode_format import normalise

if TYPE_CHECKING:
    from ..ingest.postcodes import Geocoder

PostcodeLookup = Callable[[str], "tuple[float, float] | None"]


@lru_cache(maxsize=1)
def _to_wgs84():
    from pyproj import Transformer

    return Transformer.from_crs(BNG, WGS84, always_xy=True)


def _from_mapping(table: Mapping) -> PostcodeLookup:
    index = {normalise(k): (float(v[0]), float(v[1])) for k, v in table.items()}
    return index.get


def _from_geocoder(geocoder: Geocoder) -> PostcodeLookup:
    def lookup(code: str) -> tuple[float, float] | None:
        try:
            _, x, y = geocoder.locate(code)
        except (UnknownPostcodeError, MalformedPostcodeError):
            return None
        lon, lat = _to_wgs84().transform(x, y)
        return round(lat, 7), round(lon, 7)
    return lookup


def as_lookup(obj) -> PostcodeLookup | None:
    if obj is None:
        return None
    postcodes = sys.modules.get("assetmap.ingest.postcodes")  # a Geocoder exists only once that module is loaded
    if postcodes is not None and isinstance(obj, postcodes.Geocoder):
        return _from_geocoder(obj)
    if isinstance(obj, Mapping):
        return _from_mapping(obj)
    if callable(obj):
        return obj
    raise TypeError(f"a postcode lookup must be a Geocoder, a mapping or a callable, not {type(obj).__name__}")


def codepoint_lookup(data_root: str | Path | None = None, source: str = "codepoint") -> PostcodeLookup:
    """The national Code-Point Open file declared in ``data/sources.toml`` (a few seconds to load)."""
    import os

    from ..config import DATA_DIR, DEFAULT_DATA_ROOT, _read_toml, _source
    from ..ingest.postcodes import Geocoder, read_codepoint

    path = DATA_DIR / "sources.toml"
    src = _source(source, _read_toml(path)["sources"][source], path)
    root = Path(data_root or os.environ.get("ASSETMAP_DATA_ROOT") or DEFAULT_DATA_ROOT)
    return _from_geocoder(Geocoder(read_codepoint(src, root), scope="Code-Point Open"))


def results_lookup(results) -> PostcodeLookup:
    """Postcodes of built areas (``{slug: AreaResults}``, as the web app holds them): no Code-Point Open
    load, and only places inside the areas the site serves can be suggested."""
    def lookup(code: str) -> tuple[float, float] | None:
        for ar in results.values():
            try:
                x, y = ar.postcode_xy(code)
            except (UnknownPostcodeError, MalformedPostcodeError):
                continue
            lon, lat = _to_wgs84().transform(x, y)
            return round(lat, 7), round(lon, 7)
        return None
    return lookup
