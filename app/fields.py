"""The downloadable fields for the downloads page, from the library's data dictionary
(:mod:`assetmap.outputs.dictionary`, the one definition the dictionary files are made from).

The tests check every column of the real downloads with :func:`documented`.
"""
from __future__ import annotations

from assetmap.outputs.dictionary import UndescribedColumn, describe, field_rows

ASSET_FIELDS = tuple((name, typ, f"{meaning} Unit: {unit}." if unit else meaning)
                     for name, typ, unit, _, meaning in field_rows("assets"))
NEIGHBOURHOOD_FIELDS = tuple((name, typ, f"{meaning} Unit: {unit}." if unit else meaning)
                             for name, typ, unit, _, meaning in field_rows("neighbourhoods"))


def documented(column: str, kind: str) -> bool:
    """Whether ``column`` of the assets or neighbourhoods download is described."""
    try:
        describe(column, kind)
    except UndescribedColumn:
        return False
    return True
