"""Small helpers shared across the library (and the web layer): missing values, whole numbers,
population-weighted means and CSV cells a spreadsheet cannot run."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Spreadsheets evaluate a cell that starts with one of these (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def present(x: Any) -> Any:
    """``x``, or None for a missing value (None, NaN, pandas NA, empty or blank text)."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return None
    try:
        return None if pd.isna(x) else x
    except (TypeError, ValueError):  # arrays and other values pd.isna cannot answer with one bool
        return x


def to_int(x: Any) -> int | None:
    """An int, or None for a missing value (see :func:`present`)."""
    x = present(x)
    return None if x is None else int(x)


def weighted_mean(values, weights) -> float | None:
    """The weighted mean over the pairs where neither is NaN; None when there are none or their
    weights sum to zero."""
    v, w = np.asarray(values, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    ok = ~np.isnan(v) & ~np.isnan(w)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else None


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows rather than evaluates: text starting with
    = + - @, a tab or a carriage return gets a leading ``'``. Every such text, numbers included
    (``+441246345678`` stays a phone number rather than becoming 441246345678); other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
