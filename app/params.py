"""Strict query parameters: whole numbers are ASCII digits only.

``str.isdigit()`` accepts ``²`` and other Unicode digits, which ``int()`` then refuses (a 500) or
reads as a number nobody typed (Arabic-Indic digits); these helpers accept ``0-9`` and nothing else.
"""
from __future__ import annotations

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(raw: str | None, lo: int, hi: int) -> int | None:
    """``raw`` as an int in ``lo..hi`` when it is 1-9 ASCII digits, else None."""
    if raw is None or not _ASCII_DIGITS.fullmatch(raw):
        return None
    v = int(raw)
    return v if lo <= v <= hi else None
