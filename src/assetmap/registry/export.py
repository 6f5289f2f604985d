"""CSV downloads of the registry, safe to open in a spreadsheet.

Text is stored exactly as given; only here, on the way out to CSV, is a cell that a spreadsheet
would run as a formula (one starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) prefixed
with an apostrophe (OWASP's advice on CSV injection). Plain numbers such as ``-1.42`` are left alone.
"""
from __future__ import annotations

import csv
import re
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CuratedAsset

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
EXPORT_COLUMNS = ("id", "source", "source_id", "name", "category", "description", "address", "postcode", "lat", "lon",
                  "url", "email", "phone", "opening_hours", "wheelchair", "status", "last_verified")


def safe_csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet will show rather than evaluate."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def write_assets_csv(session: Session, out: IO[str], source: str | None = None, include_hidden: bool = False) -> int:
    """Write the registry's assets as CSV (formula-safe); returns the number of rows written."""
    q = select(CuratedAsset).order_by(CuratedAsset.source, CuratedAsset.source_id)
    if source:
        q = q.where(CuratedAsset.source == source)
    if not include_hidden:
        q = q.where(CuratedAsset.status == "published")
    w = csv.writer(out)
    w.writerow(EXPORT_COLUMNS)
    n = 0
    for a in session.scalars(q):
        w.writerow([safe_csv_cell(getattr(a, c)) for c in EXPORT_COLUMNS])
        n += 1
    return n
