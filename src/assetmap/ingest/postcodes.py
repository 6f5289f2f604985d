"""Postcodes: normalising, validating and geocoding with OS Code-Point Open (offline).

Code-Point Open gives one point per live postcode (the mean of its delivery points) in British
National Grid metres. Postcodes are compared in their canonical form: upper case, one space
before the three-character inward code ("s401lp" -> "S40 1LP").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..config import SourceConfig
from ..errors import DataSourceError, UnknownPostcodeError
from .io import require_file
from .postcode_format import _JUNK, _POSTCODE, normalise  # noqa: F401 (re-exported)


def normalise_series(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise`; values that are not postcodes become <NA>."""
    s = values.astype("string").str.upper().str.replace(_JUNK, "", regex=True)
    ok = s.str.fullmatch(_POSTCODE.pattern[1:-1]).fillna(False).astype(bool)
    out = s.str[:-3] + " " + s.str[-3:]
    return out.where(ok, pd.NA)


def read_codepoint(src: SourceConfig, data_root, bbox=None) -> pd.DataFrame:
    """Postcodes with x/y (EPSG:27700), optionally only those inside ``bbox`` (minx, miny, maxx, maxy)."""
    path = src.path(data_root)
    require_file(path, "postcode (Code-Point Open)")
    cols = src.option("columns", {})
    c_pc, c_x, c_y = cols.get("postcode", "Postcode"), cols.get("x", "Eastings"), cols.get("y", "Northings")
    c_q = cols.get("quality")
    want = [c for c in (c_pc, c_x, c_y, c_q) if c]
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(include_columns=want))
    except (KeyError, ValueError, OSError) as exc:
        msg = str(exc)
        raise DataSourceError(
            f"postcode file {path} could not be read with columns {want} ({msg[:200]}); "
            f"fix [sources.{src.name}] columns"
        ) from None
    drop = src.option("drop_quality", [])
    if c_q and drop:
        table = table.filter(pc.invert(pc.is_in(table[c_q], value_set=pa.array(drop).cast(table[c_q].type))))
    if bbox is not None:
        x, y = table[c_x], table[c_y]
        mask = pc.and_(pc.and_(pc.greater_equal(x, bbox[0]), pc.less_equal(x, bbox[2])),
                       pc.and_(pc.greater_equal(y, bbox[1]), pc.less_equal(y, bbox[3])))
        table = table.filter(mask)
    df = pd.DataFrame({
        "postcode": normalise_series(pd.Series(table[c_pc].to_pylist(), dtype="string")),
        "x": np.asarray(table[c_x].to_numpy(), dtype="float64"),
        "y": np.asarray(table[c_y].to_numpy(), dtype="float64"),
    })
    return df.dropna(subset=["postcode"]).drop_duplicates("postcode").reset_index(drop=True)


@dataclass
class Geocoder:
    """Postcode -> (x, y) in EPSG:27700, from a frame with postcode/x/y columns."""

    table: pd.DataFrame
    scope: str = "Great Britain"

    def __post_init__(self):
        self._index = self.table.set_index("postcode")[["x", "y"]]

    def __len__(self) -> int:
        return len(self._index)

    def locate(self, text: str) -> tuple[str, float, float]:
        code = normalise(text)
        try:
            x, y = self._index.loc[code]
        except KeyError:
            raise UnknownPostcodeError(
                f"We could not find the postcode {code} in {self.scope}. Check it on a letter or bill; "
                f"if it is new (less than a few months old) try a neighbour's postcode."
            ) from None
        return code, float(x), float(y)

    def locate_many(self, values: pd.Series) -> pd.DataFrame:
        """Aligned x/y (NaN where malformed or unknown) and the canonical postcode."""
        codes = normalise_series(values.astype("string"))
        found = self._index.reindex(codes.fillna("").values)
        return pd.DataFrame({"postcode": codes.values, "x": found["x"].values, "y": found["y"].values},
                            index=values.index)
