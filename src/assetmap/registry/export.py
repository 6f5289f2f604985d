"""CSV downloads of the registry, safe to open in a spreadsheet.

Text is stored exactly as given; only here, on the way out to CSV, is a cell that a spreadsheet
would run as a formula (one starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) prefixed
with an apostrophe (OWASP's advice on CSV injection), by the one rule the build's downloads use too
(:func:`assetmap.util.csv_cell`): text such as ``-1.42`` or ``+44...`` is prefixed as well.
"""
from __future__ import annotations

import csv
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..util import csv_cell
from .models import CuratedAsset

EXPORT_COLUMNS = ("id", "source", "source_id", "name", "category", "description", "address", "postcode", "lat", "lon",
                  "url", "email", "phone", "opening_hours", "wheelchair", "status", "last_verified")


def safe_csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet will show rather than evaluate."""
    return "" if value is None else csv_cell(value)


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
