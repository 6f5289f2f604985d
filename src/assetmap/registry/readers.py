"""Reading import files into rows of assetmap fields, keeping every row's original values.

Formats: CSV (UTF-8, with or without BOM, or ``--encoding``), GeoJSON FeatureCollections of
points, and Open Referral UK / HSDS JSON (:mod:`.oruk_reader`); :mod:`.import_files` opens a file
and picks the reader. A reader refuses a whole file
(:class:`~assetmap.errors.ImportFileError`, naming the fix) when it cannot be read as that format;
otherwise it yields one :class:`RawRow` per record, with problems it saw while reading (wrong field
count, a non-point geometry, a service without a location) as reasons for the validator to add to.

CSV is read as a stream (one row in memory at a time; ``.gz`` unpacked as it is read within
:class:`~.limits.Limits`); JSON is parsed whole, within a size and a nesting depth.

Invalid UTF-8 (or bytes not in ``--encoding``): the text is decoded with ``surrogateescape``, so
the validator sees which field holds such bytes and quarantines the row with a reason naming
``--encoding``; the quarantine stores them displayably (``\\xff`` in the original, U+FFFD in the
editable values: see :func:`~.models.displayable`). When the header, or more than
:data:`MAX_UNDECODABLE_SHARE` of the rows, hold such bytes, the file is in another encoding and is
refused whole: nothing is guessed or mangled.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ImportFileError
from .limits import HashingReader, ImportLimitError, Limits, check_depth
from .validate import FIELDS

FORMATS = ("csv", "geojson", "oruk")
MAX_UNDECODABLE_SHARE = 0.10
UTF8 = ("utf-8", "utf8", "utf-8-sig")
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
    rows: Iterator[RawRow]  # read as iterated: consume once
    columns: dict[str, str] = field(default_factory=dict)  # file column -> field
    ignored_columns: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # filled in as the rows are read
    closer: Any = None
    hasher: HashingReader | None = None
    hsds: Any = None  # an ORUK feed's services with their parts (see .oruk_reader), stored after the rows

    def sha256(self) -> str:
        """SHA-256 of the file as stored (packed, for a .gz): call after the rows are consumed."""
        return self.hasher.finish() if self.hasher is not None else ""

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()
        if self.hasher is not None:
            self.hasher.release()


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


def _encoding(encoding: str | None) -> str:
    enc = (encoding or "utf-8").strip().lower().replace("_", "-")
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ImportFileError(f"--encoding {encoding!r} is not an encoding Python knows; use a name such as "
                              f"utf-8, cp1252 or latin-1") from None
    return enc


def _check_bom(head: bytes, name: str) -> None:
    for bom, what in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if head.startswith(bom):
            raise ImportFileError(f"{name} is {what}, not UTF-8; re-save it as UTF-8, or import it with "
                                  f"--encoding {what.lower()}")


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Text of the file: UTF-8 (BOM dropped) or ``encoding``; bytes not in it kept as surrogate escapes."""
    enc = _encoding(encoding)
    if enc in UTF8:
        _check_bom(data[:4], name)
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        enc = "utf-8"
    return data.decode(enc, "surrogateescape")


def text_stream(stream: io.BufferedReader, name: str, encoding: str | None) -> io.TextIOWrapper:
    """The file as text, decoded as it is read (bytes not in the encoding kept as surrogate escapes)."""
    enc = _encoding(encoding)
    if enc in UTF8:
        _check_bom(stream.peek(4)[:4], name)
        enc = "utf-8-sig"
    return io.TextIOWrapper(stream, encoding=enc, errors="surrogateescape", newline="")


def _too_many_undecodable(bad: list[int], total: int, name: str, sample: str, encoding: str | None) -> None:
    if bad and len(bad) > MAX_UNDECODABLE_SHARE * total:
        which = "UTF-8" if _encoding(encoding) in UTF8 else encoding
        raise ImportFileError(
            f"{name} does not look like {which}: {len(bad)} of {total} rows hold bytes that are not {which} (first in "
            f"row {bad[0]}, byte 0x{ord(sample) - 0xDC00:02x}); re-save it as UTF-8, or give its encoding with "
            f"--encoding (for example --encoding cp1252)")


def _csv_header(reader, name: str) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{name} is empty; a CSV import needs a header row (name, category, …) "
                              "and rows") from None
    except csv.Error as exc:
        raise ImportFileError(f"{name} header: {exc}; check the file is a CSV") from None
    if m := _UNDECODED.search(",".join(header)):
        raise ImportFileError(f"{name}: the header row holds bytes that are not UTF-8 "
                              f"(0x{ord(m.group()) - 0xDC00:02x}); re-save the file as UTF-8, "
                              "or give its encoding with --encoding (e.g. cp1252)")
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ImportFileError(f"{name}: the header repeats column(s) {dupes}; give every column its own name")
    return header


def _csv_rows(reader, header: list[str], index: dict[int, str], name: str, encoding: str | None, limits: Limits,
              notes: dict) -> Iterator[RawRow]:
    n = 0
    bad: list[int] = []
    sample = ""
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            why = (f"a cell of more than {limits.max_cell:,} characters starts by line {reader.line_num}: a quote is "
                   f"probably not closed" if "field limit" in str(exc) else f"line {reader.line_num}: {exc}")
            raise ImportFileError(f"{name}: {why}; fix the quoting there") from None
        if not rec:
            notes["blank_lines"] += 1
            continue
        n += 1
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
            notes["rows_with_undecodable_bytes"] += 1
            sample = sample or m.group()
            if not any(_UNDECODED.search(v) for v in values.values() if isinstance(v, str)):
                reasons.append(f"row: holds bytes that are not {encoding or 'UTF-8'} in a column that is not "
                               f"imported (shown as \\xNN); re-save the file as UTF-8 or give its encoding")
            if n >= 2000:
                _too_many_undecodable(bad, n, name, sample, encoding)
        yield RawRow(n, original, values, reasons)
    _too_many_undecodable(bad, n, name, sample, encoding)


def read_csv(stream: io.BufferedReader, name: str, encoding: str | None = None, mapping: dict | None = None,
             limits: Limits = Limits()) -> ReadResult:
    """Read the header now and the rows as they are iterated (one row in memory at a time)."""
    csv.field_size_limit(limits.max_cell)
    reader = csv.reader(text_stream(stream, name, encoding))
    header = _csv_header(reader, name)
    columns, ignored = resolve_columns(header, mapping, name)
    index = {header.index(c): f for c, f in columns.items()}
    notes = {"blank_lines": 0, "rows_with_undecodable_bytes": 0}
    return ReadResult("csv", _csv_rows(reader, header, index, name, encoding, limits, notes), columns, ignored, notes)


def _json(data: bytes, name: str, encoding: str | None, limits: Limits = Limits()) -> Any:
    text = decode(data, name, encoding)
    if m := _UNDECODED.search(text):
        raise ImportFileError(f"{name} holds bytes that are not UTF-8 (0x{ord(m.group()) - 0xDC00:02x} at character "
                              f"{m.start()}); JSON must be UTF-8: re-save it, or give its encoding with --encoding")
    check_depth(text, name, limits.max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{name} is not valid JSON ({exc}); fix it at that line and column") from None
    except RecursionError:
        raise ImportLimitError(f"{name} nests arrays or objects too deeply to read (over {limits.max_depth} levels); "
                               f"check the file is the export you meant") from None


def json_value(v: Any, fld: str) -> Any:
    """A JSON property as a field value: text stays text, numbers stay numbers for lat/lon."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)) and fld not in ("lat", "lon"):
        return str(v)
    return v


def read_geojson(data: bytes, name: str, encoding: str | None = None, mapping: dict | None = None,
                 obj: Any = None, limits: Limits = Limits()) -> ReadResult:
    obj = _json(data, name, encoding, limits) if obj is None else obj
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
            why = ('feature: not a GeoJSON Feature object; give '
                   '{"type": "Feature", "geometry": …, "properties": …}')
            rows.append(RawRow(n, {"feature": feat}, {}, [why]))
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
    return ReadResult("geojson", iter(rows), columns, ignored)
