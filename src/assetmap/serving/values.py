"""Cell values from the build's tables as the pages show them: None for anything missing."""
from __future__ import annotations

import pandas as pd


def present(x):
    """None for missing values (None, NaN, pandas NA, empty text)."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return None
    try:
        return None if pd.isna(x) else x
    except (TypeError, ValueError):
        return x


def as_float(x) -> float | None:
    x = present(x)
    return None if x is None else float(x)


def as_int(x) -> int | None:
    x = present(x)
    return None if x is None else int(x)
