"""Reading import files into rows of assetmap fields, keeping every row's original values.

Formats: CSV (UTF-8, with or without BOM, or ``--encoding``), GeoJSON FeatureCollections of
points, and Open Referral UK / HSDS JSON (:mod:`.oruk_reader`). A reader refuses a whole file
(:class:`~assetmap.errors.ImportFileError`, naming the fix) when it cannot be read as that format;
otherwise it yields one :class:`RawRow` per record, with problems it saw while reading (wrong field
count, a non-point geometry, a service without a location) as reasons for the validator to add to.

Invalid UTF-8: the file is decoded with ``surrogateescape``, so a row holding bytes that are not
UTF-8 keeps them (shown as ``\\udcXX`` escapes in its JSON) and is quarantined with a reason naming
``--encoding``. When the header, or more than :data:`MAX_UNDECODABLE_SHARE` of the rows, hold such
bytes, the file is in another encoding and is refused whole: nothing is guessed or mangled.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ImportFileError
from .validate import FIELDS

FORMATS = ("csv", "geojson", "oruk")
MAX_UNDECODABLE_SHARE = 0.10
ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon", "website": "url", "web": "url",
           "telephone": "phone", "tel": "phone", "e_mail": "email", "hours": "opening_hours",
           "post_code": "postcode", "postal_code": "postcode", "type": "category", "verified": "last_verified",
           "source_id": "id", "title": "name"}
_UNDECODED = re.compile(r"[\udc80-\udcff]")


@dataclass
class RawRow:
    number: int  # 1-based: the Nth record of the file (after a CSV header)
    original: dict[str, Any]  # the record exactly as read
    values: dict[str, Any]  # the same as assetmap fields
    reasons: list[str] = field(default_factory=list)  # problems seen while reading


@dataclass
class ReadResult:
    format: str
    rows: list[RawRow]
    columns: dict[str, str] = field(default_factory=dict)  # file column -> field
    ignored_columns: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def _key(col: str) -> str:
    return re.sub(r"[\s\-]+", "_", col.strip().lower())


def resolve_columns(columns: list[str], mapping: dict[str, str] | None, name: str) -> tuple[dict[str, str], list[str]]:
    """File column -> assetmap field, from ``--map COL=field`` first, then the documented names and aliases."""
    mapping = dict(mapping or {})
    bad = sorted(f for f in mapping.values() if f not in FIELDS)
    if bad:
        raise ImportFileError(f"--map names unknown field(s) {bad}; map columns to one of {', '.join(FIELDS)}")
    by_key = {_key(c): c for c in columns}
    out: dict[str, str] = {}
    for col, fld in mapping.items():
        real = col if col in columns else by_key.get(_key(col))
        if real is None:
            raise ImportFileError(f"--map {col}={fld}: {name} has no column {col!r}; its columns are {columns}")
        out[real] = fld
    for c in columns:
        if c in out:
            continue
        k = _key(c)
        fld = k if k in FIELDS else ALIASES.get(k)
        if fld and fld not in out.values():
            out[c] = fld
    taken: dict[str, str] = {}
    for c, f in out.items():
        if f in taken:
            raise ImportFileError(f"{name}: columns {taken[f]!r} and {c!r} both map to {f!r}; keep one, or map the "
                                  f"other elsewhere with --map")
        taken[f] = c
    if "name" not in taken:
        raise ImportFileError(f"{name} has no name column (columns: {columns}); add one called 'name', or say which "
                              f"column holds names with --map COLUMN=name")
    return out, [c for c in columns if c not in out]


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Text of the file: UTF-8 (BOM dropped, bad bytes kept as surrogate escapes) or strictly ``encoding``."""
    enc = (encoding or "utf-8").strip().lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        for bom, what in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                          (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
            if data.startswith(bom):
                raise ImportFileError(f"{name} is {what}, not UTF-8; re-save it as UTF-8, or import it with "
                                      f"--encoding {what.lower()}")
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        return data.decode("utf-8", "surrogateescape")
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ImportFileError(f"--encoding {encoding!r} is not an encoding Python knows; use a name such as "
                              f"utf-8, cp1252 or latin-1") from None
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{name} is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                              f"check the --encoding option") from None


def _too_many_undecodable(bad: list[int], total: int, name: str, sample: str) -> None:
    if bad and len(bad) > MAX_UNDECODABLE_SHARE * total:
        raise ImportFileError(
            f"{name} does not look like UTF-8: {len(bad)} of {total} rows hold bytes that are not UTF-8 (first in row "
            f"{bad[0]}, byte 0x{ord(sample) - 0xDC00:02x}); re-save it as UTF-8, or give its encoding with "
            f"--encoding (for example --encoding cp1252)")


def read_csv(data: bytes, name: str, encoding: str | None = None, mapping: dict | None = None) -> ReadResult:
    text = decode(data, name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{name} is empty; a CSV import needs a header row (name, category, …) and rows") from None
    except csv.Error as exc:
        raise ImportFileError(f"{name} header: {exc}; check the file is a CSV") from None
    if m := _UNDECODED.search(",".join(header)):
        raise ImportFileError(f"{name}: the header row holds bytes that are not UTF-8 (0x{ord(m.group()) - 0xDC00:02x}); "
                              f"re-save the file as UTF-8, or give its encoding with --encoding (e.g. cp1252)")
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ImportFileError(f"{name}: the header repeats column(s) {dupes}; give every column its own name")
    columns, ignored = resolve_columns(header, mapping, name)
    index = {header.index(c): f for c, f in columns.items()}
    rows: list[RawRow] = []
    bad: list[int] = []
    sample = ""
    blank_lines = 0
    try:
        for rec in reader:
            if not rec:
                blank_lines += 1
                continue
            n = len(rows) + 1
            original: dict[str, Any] = {h: (rec[i] if i < len(rec) else None) for i, h in enumerate(header)}
            if len(rec) > len(header):
                original["…extra"] = rec[len(header):]
            values = {f: (rec[i] if i < len(rec) else "") for i, f in index.items()}
            reasons = []
            if len(rec) != len(header):
                reasons.append(f"row: has {len(rec)} fields but the header has {len(header)}; check the commas and "
                               f"quotes in this row")
            if m := _UNDECODED.search("\x1f".join(rec)):
                bad.append(n)
                sample = sample or m.group()
            rows.append(RawRow(n, original, values, reasons))
    except csv.Error as exc:
        raise ImportFileError(f"{name} line {reader.line_num}: {exc}; fix the quoting there") from None
    _too_many_undecodable(bad, len(rows), name, sample)
    return ReadResult("csv", rows, columns, ignored, {"blank_lines": blank_lines, "rows_with_undecodable_bytes": len(bad)})


def _json(data: bytes, name: str, encoding: str | None) -> Any:
    text = decode(data, name, encoding)
    if m := _UNDECODED.search(text):
        raise ImportFileError(f"{name} holds bytes that are not UTF-8 (0x{ord(m.group()) - 0xDC00:02x} at character "
                              f"{m.start()}); JSON must be UTF-8: re-save it, or give its encoding with --encoding")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name} is not valid JSON ({exc}); fix it at that line and column") from None


def json_value(v: Any, fld: str) -> Any:
    """A JSON property as a field value: text stays text, numbers stay numbers for lat/lon."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)) and fld not in ("lat", "lon"):
        return str(v)
    return v


def read_geojson(data: bytes, name: str, encoding: str | None = None, mapping: dict | None = None,
                 obj: Any = None) -> ReadResult:
    obj = _json(data, name, encoding) if obj is None else obj
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection" or not isinstance(obj.get("features"), list):
        raise ImportFileError(f"{name} is not a GeoJSON FeatureCollection; give {{\"type\": \"FeatureCollection\", "
                              f"\"features\": [...]}}, or choose another --format")
    keys: list[str] = []
    for f in obj["features"]:
        for k in ((f or {}).get("properties") or {}) if isinstance(f, dict) else {}:
            if k not in keys:
                keys.append(k)
    columns, ignored = resolve_columns(keys, mapping, name)
    rows = []
    for n, feat in enumerate(obj["features"], 1):
        reasons: list[str] = []
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            rows.append(RawRow(n, {"feature": feat}, {}, ["feature: not a GeoJSON Feature object; give "
                                                          "{\"type\": \"Feature\", \"geometry\": …, \"properties\": …}"]))
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            props, reasons = {}, ["properties: not an object; give the asset's fields as an object"]
        values = {f: json_value(props.get(c), f) for c, f in columns.items() if c in props}
        geom = feat.get("geometry")
        if isinstance(geom, dict) and geom.get("type") == "Point" and isinstance(geom.get("coordinates"), list) \
                and len(geom["coordinates"]) >= 2:
            values["lon"], values["lat"] = geom["coordinates"][0], geom["coordinates"][1]
        elif geom is not None:
            kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
            reasons.append(f"geometry: a {kind} is not a point; give Point geometries [lon, lat], or a null geometry "
                           f"and a postcode")
        rows.append(RawRow(n, feat, values, reasons))
    return ReadResult("geojson", rows, columns, ignored)


def detect_format(path: Path, data: bytes) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    last = suffixes[-1] if suffixes else ""
    if last in (".csv", ".txt"):
        return "csv"
    if last == ".geojson":
        return "geojson"
    if last == ".json":
        head = data[:4096].decode("utf-8", "replace")
        return "geojson" if re.search(r'"type"\s*:\s*"FeatureCollection"', head) else "oruk"
    raise ImportFileError(f"cannot tell the format of {path.name} from its name; pass --format csv, geojson or oruk")


def read_file(path: str | Path, format: str | None = None, encoding: str | None = None,
              mapping: dict | None = None, taxonomy=None) -> tuple[ReadResult, bytes]:
    """Read ``path`` (``.gz`` is unpacked); returns the rows and the file's raw bytes (for its checksum)."""
    from .oruk_reader import read_oruk

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path} ({exc.strerror}); check the path") from None
    data = raw
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ImportFileError(f"{path.name} is not a valid gzip file ({exc}); unpack it or fix the name") from None
    fmt = format or detect_format(path, data)
    if fmt not in FORMATS:
        raise ImportFileError(f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    if fmt == "oruk":
        return read_oruk(data, path.name, encoding, mapping, taxonomy=taxonomy), raw
    reader = {"csv": read_csv, "geojson": read_geojson}[fmt]
    return reader(data, path.name, encoding, mapping), raw
