"""Opening an import file of any format: the format told from the name, the file checked against
the limits before it is read (:func:`preflight`), then read by its reader (:mod:`.readers` for CSV
and GeoJSON, :mod:`.oruk_reader` for Open Referral UK JSON)."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ImportFileError
from .limits import Limits, check_depth, open_bytes, read_whole
from .oruk_reader import read_oruk
from .readers import FORMATS, ReadResult, read_csv, read_geojson


def detect_format(path: Path, head: bytes) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".txt"):
        return "csv"
    if last == ".geojson":
        return "geojson"
    if last == ".json":
        text = head[:4096].decode("utf-8", "replace")
        return "geojson" if re.search(r'"type"\s*:\s*"FeatureCollection"', text) else "oruk"
    raise ImportFileError(f"cannot tell the format of {path.name} from its name; pass --format csv, geojson or oruk")


def read_file(path: str | Path, format: str | None = None, encoding: str | None = None,
              mapping: dict | None = None, taxonomy=None, limits: Limits = Limits()) -> ReadResult:
    """Open ``path`` (``.gz`` is unpacked as it is read, within ``limits``); CSV rows are read as they are
    iterated, JSON is parsed whole. The file's SHA-256 is ``result.sha256()`` once the rows are consumed."""
    path = Path(path)
    stream, raw = open_bytes(path, limits)
    try:
        fmt = format or detect_format(path, stream.peek(4096))
        if fmt not in FORMATS:
            raise ImportFileError(f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
        if fmt == "csv":
            result = read_csv(stream, path.name, encoding, mapping, limits)
        else:
            data = read_whole(stream, path.name, limits)
            if fmt == "oruk":
                result = read_oruk(data, path.name, encoding, mapping, taxonomy=taxonomy, limits=limits)
            else:
                result = read_geojson(data, path.name, encoding, mapping, limits=limits)
    except BaseException:
        stream.close()
        raw.release()
        raise
    result.closer, result.hasher = stream, raw
    return result


def preflight(path: str | Path, format: str | None = None, limits: Limits = Limits()) -> int:
    """Check a file against ``limits`` before importing it (a .gz is unpacked, capped, and thrown away;
    JSON's size and depth are checked) and return a rough count of its rows (lines, for CSV)."""
    path = Path(path)
    stream, raw = open_bytes(path, limits)
    try:
        fmt = format or detect_format(path, stream.peek(4096))
        if fmt == "csv":
            lines = 0
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
            return lines
        data = read_whole(stream, path.name, limits)
        check_depth(data.decode("utf-8", "replace"), path.name, limits.max_depth)
        return max(data.count(b"\n"), len(data) // 500)
    finally:
        stream.close()
        raw.release()
