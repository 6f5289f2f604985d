"""Strict parsing of whole numbers given as text (query parameters, command-line values).

``int()`` accepts far more than people type: ``"²"``, ``"١٢"`` (Arabic-Indic digits), ``" 12 "``,
``"+12"`` and ``"1_000"``. A parameter here is ASCII digits only, within bounds, or a
:class:`ValueError` whose message names the parameter and what it must be.
"""
from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_int(text: str | None, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """``text`` as a whole number of ASCII digits (0-9) between ``lo`` and ``hi``; ``ValueError`` otherwise."""
    bounds = (f" from {lo}" if lo is not None else "") + (f" to {hi}" if hi is not None else "")
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        raise ValueError(f"{name} must be a whole number written with the digits 0-9{bounds}; got {str(text)[:40]!r}")
    value = int(text)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be a whole number{bounds}; got {value}")
    return value
