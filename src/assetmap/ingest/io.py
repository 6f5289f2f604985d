"""Small I/O helpers shared by the readers (the edges of the pipeline)."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..errors import DataSourceError

# Reading a .gz through /vsigzip/ makes GDAL write a "<file>.gz.properties" index beside it by
# default: the data root is read-only to assetmap, so switch that off (GDAL reads config options
# from the environment as well as from its own API).
os.environ["CPL_VSIL_GZIP_WRITE_PROPERTIES"] = "NO"
try:
    import pyogrio

    pyogrio.set_gdal_config_options({"CPL_VSIL_GZIP_WRITE_PROPERTIES": "NO"})
except ImportError:  # pragma: no cover - pyogrio is a dependency
    pass


def vsi_path(path: Path) -> str:
    """A path GDAL can read: gzip files are read in place through /vsigzip/, never unpacked."""
    p = str(path)
    return f"/vsigzip/{p}" if p.endswith(".gz") else p


def require_file(path: Path, what: str) -> None:
    if not Path(path).exists():
        raise DataSourceError(
            f"{what} file {path} does not exist; put it there, run `assetmap fetch <area>` to download it, "
            f"or point the source's 'file' (or --data-root) at it"
        )


def read_csv(path: Path, what: str, **kw) -> pd.DataFrame:
    require_file(path, what)
    try:
        return pd.read_csv(path, **kw)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise DataSourceError(f"{what} file {path} could not be read as CSV ({exc}); check it is the right "
                              "file") from None


def require_columns(df: pd.DataFrame, columns, path: Path, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataSourceError(
            f"{what} file {path} has no column(s) {missing}; it has {list(df.columns)[:40]}. "
            f"Fix the source's column mapping in the config"
        )
