"""Curated asset lists (council, NHS and voluntary-sector directories, community suggestions).

One reader serves every list: the source's configuration says the format, which column holds
what (``fields``), which rows to keep (``include``/``exclude``/``require_empty``) and the
category. Every record keeps its source and source id. Records without usable coordinates are
geocoded by postcode; records that can be neither located nor geocoded are reported by name,
never silently dropped.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..activities.columns import schedules_column
from ..config import SourceConfig
from ..constants import BNG, WGS84
from ..errors import DataSourceError
from ..taxonomy import Taxonomy
from .io import read_csv, require_columns, require_file
from .postcodes import Geocoder, normalise_series

TEXT_FIELDS = ("name", "address", "postcode", "website", "phone", "email", "opening_hours",
               "hours_text", "description", "origin", "wheelchair", "toilets_wheelchair", "hearing_loop",
               "wheelchair_description")
# the shared contract for activities (docs/methodology.md, "Activities and sessions"): optional, None when unknown
CONTRACT_FIELDS = ("record_kind", "service_name", "cost", "access", "eligibility", "contact_name", "languages",
                   "schedules", "area_wide", "venue")
CURATED_COLUMNS = ["source", "source_id", "category", *TEXT_FIELDS, *CONTRACT_FIELDS, "located_by", "geometry"]
_PC_IN_TEXT = r"\b([A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})\b"
# Great Britain, generously: coordinates outside are treated as missing.
_GB = (-8.7, 49.8, 1.9, 60.9)


@dataclass
class CuratedList:
    records: gpd.GeoDataFrame  # EPSG:27700
    report: dict = field(default_factory=dict)


def _load_geojson(src: SourceConfig, path) -> pd.DataFrame:
    """GeoJSON point features (a file, or every file a glob such as ``tiles/10/*/*.geojson`` matches)
    as records: their properties flattened (``hours.opening``) plus ``lon`` and ``lat``."""
    path = Path(path).absolute()
    files = sorted(Path(path.anchor).glob(str(path.relative_to(path.anchor)))) if "*" in str(path) else [path]
    files = [f for f in files if f.is_file()]
    if not files:
        raise DataSourceError(f"curated list '{src.name}': no file matches {path}; check 'file' in the source "
                              "config and the data root")
    rows = []
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise DataSourceError(f"curated list {f} is not valid GeoJSON ({exc}); check the file") from None
        for feat in data.get("features", []) if isinstance(data, dict) else []:
            geom = feat.get("geometry") or {}
            xy = geom.get("coordinates") if geom.get("type") == "Point" else None
            props = feat.get("properties") or {}
            rows.append({**props, "lon": xy[0] if xy else None, "lat": xy[1] if xy else None})
    return pd.json_normalize(rows, sep=".").astype(object) if rows else pd.DataFrame(columns=["lon", "lat"])


def _load_raw(src: SourceConfig, path) -> pd.DataFrame:
    fmt = src.option("format") or ("geojson" if ".geojson" in path.name else "json" if ".json" in path.name
                                   else "csv")
    if fmt == "geojson":
        return _load_geojson(src, path)
    require_file(path, f"curated list '{src.name}'")
    if fmt == "json":
        opener = gzip.open if path.name.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise DataSourceError(f"curated list {path} is not valid JSON ({exc}); check the file") from None
        key = src.option("records")
        if key:
            data = data[key]
        if not isinstance(data, list):
            raise DataSourceError(f"curated list {path} is not a JSON list of records; set 'records' to the key "
                                  "holding the list")
        return pd.json_normalize(data, sep=".").astype(object)
    header = src.option("header", True)
    names = src.option("column_names")
    kw = {"dtype": str, "keep_default_na": False, "encoding": src.option("encoding", "utf-8")}
    if not header:
        if not names:
            raise DataSourceError(f"source '{src.name}': header = false needs column_names")
        kw.update(header=None, names=names, index_col=False)
    return read_csv(path, f"curated list '{src.name}'", **kw)


def _clean(col: pd.Series) -> pd.Series:
    s = col.astype("string").str.replace(r"\s*[\r\n]+\s*", ", ", regex=True).str.split().str.join(" ")
    s = s.str.replace(r"\s+([.,])", r"\1", regex=True).str.replace(r"([.,])(?:\s*[.,])+", r"\1", regex=True)
    s = s.str.strip(" ,")
    return s.where(~s.str.lower().isin(["", "nan", "none"]), pd.NA)


def _text(df: pd.DataFrame, spec, sep=", ") -> pd.Series:
    """A field from one column or from several joined (empty parts skipped)."""
    if spec is None:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    cols = [spec] if isinstance(spec, str) else list(spec)
    joined = None
    for c in cols:
        part = _clean(df[c])
        if joined is None:
            joined = part
        else:
            both = joined.notna() & part.notna()
            joined = joined.where(part.isna() | both, part).where(~both, joined + sep + part)
    return joined.astype(object).where(joined.notna(), None)


def _title(s: pd.Series) -> pd.Series:
    def fix(v):
        if not isinstance(v, str) or not v.isupper():
            return v
        words = []
        for w in v.split(" "):
            words.append(w if (len(w) <= 3 and any(ch.isdigit() for ch in w)) or w in ("GP", "NHS", "PCN")
                         else w.capitalize())
        return " ".join(words)
    return s.map(fix)


def _filters(df: pd.DataFrame, src: SourceConfig, path) -> pd.Series:
    keep = pd.Series(True, index=df.index)
    for col, values in src.option("include", {}).items():
        require_columns(df, [col], path, f"curated list '{src.name}'")
        keep &= df[col].astype(str).isin([str(v) for v in values])
    for col, values in src.option("exclude", {}).items():
        require_columns(df, [col], path, f"curated list '{src.name}'")
        keep &= ~df[col].astype(str).isin([str(v) for v in values])
    for col in src.option("require_empty", []):
        require_columns(df, [col], path, f"curated list '{src.name}'")
        keep &= df[col].isna() | (df[col].astype(str).str.strip() == "")
    return keep


def _opening_hours(df: pd.DataFrame, days: dict[str, str]) -> pd.Series:
    def one(row):
        parts = []
        for day, col in days.items():
            v = row.get(col)
            if isinstance(v, str) and v.strip():
                parts.append(f"{day} {v.strip().replace(' ', '')}")
        return "; ".join(parts) or None
    return df.apply(one, axis=1) if len(df) else pd.Series([], dtype=object)


def read_curated(src: SourceConfig, data_root, taxonomy: Taxonomy, geocoder: Geocoder) -> CuratedList:
    path = src.path(data_root)
    raw = _load_raw(src, path)
    fields = src.option("fields", {})
    used = [c for spec in fields.values() for c in ([spec] if isinstance(spec, str) else spec)]
    for c in ("lat", "lon"):  # a GeoJSON tile may hold no features at all
        if fields.get(c) in used and fields[c] not in raw:
            raw[fields[c]] = pd.Series(dtype=object)
    if src.option("category_field"):
        used.append(src.option("category_field"))
    require_columns(raw, used + list(src.option("opening_hours", {}).values()), path, f"curated list '{src.name}'")
    n_read = len(raw)
    df = raw[_filters(raw, src, path)].reset_index(drop=True)

    out = _text_fields(df, src, fields)
    skipped: list[dict] = []
    out["category"] = _categories(df, src, taxonomy, skipped)
    out["source_id"] = _ids(df, out, fields)
    out["source"] = src.name
    x, y, located = _locate(df, out, fields, geocoder)
    out["located_by"] = located
    # an activity with a venue but no location is located by its venue's name (assetmap.activities.venues)
    by_venue = x.isna() & out["record_kind"].astype("string").str.lower().eq("service").fillna(False) \
        & out["venue"].notna()
    located[by_venue] = "venue"
    out["located_by"] = located
    failed = out[x.isna() & ~by_venue]
    for r in failed.itertuples():
        reason = "no coordinates and no postcode" if not r.postcode else f"postcode {r.postcode} not found"
        skipped.append({"reason": reason, "name": r.name, "source_id": r.source_id})
    keep = (x.notna() | by_venue) & out["category"].notna()
    out = out.astype(object).where(out.notna(), None)
    points = gpd.GeoSeries(gpd.points_from_xy(x[keep], y[keep]), index=out.index[keep], crs=BNG)
    gdf = gpd.GeoDataFrame(out[keep], geometry=points.where(~by_venue[keep], None), crs=BNG)
    reasons = pd.Series(["postcode not found" if s["reason"].startswith("postcode ") else s["reason"]
                         for s in skipped if "name" in s], dtype=object)
    report = {
        "rows": int(n_read), "kept_by_filters": int(len(df)),
        "located_by_coordinates": int((located[keep] == "coordinates").sum()),
        "geocoded_by_postcode": int((located[keep] == "postcode").sum()),
        "not_located": int((x.isna() & ~by_venue).sum()), "to_locate_by_venue": int(by_venue.sum()),
        "not_located_by_reason": {k: int(v) for k, v in reasons.value_counts().items()},
        "skipped_examples": skipped[:10],
    }
    return CuratedList(gdf[CURATED_COLUMNS].reset_index(drop=True), report)


def _text_fields(df: pd.DataFrame, src: SourceConfig, fields: dict) -> pd.DataFrame:
    """The text fields (name, address, ..., opening hours), title-cased and suffixed as the source says."""
    out = pd.DataFrame(index=df.index)
    for f in TEXT_FIELDS + CONTRACT_FIELDS:
        out[f] = _text(df, fields.get(f), sep="; " if f == "opening_hours" else ", ")
    if isinstance(fields.get("schedules"), str):  # JSON text: kept as written, line breaks and all
        out["schedules"] = df[fields["schedules"]].map(lambda v: v.strip() if isinstance(v, str) and v.strip()
                                                       else None).astype(object)
    if src.option("record_kind") and "record_kind" not in fields:
        out["record_kind"] = src.option("record_kind")
    if "day" in fields and "schedules" not in fields:  # session columns (assetmap.activities.columns)
        out["schedules"], _ = schedules_column(df, fields)
    if src.option("opening_hours") and "opening_hours" not in fields:
        out["opening_hours"] = _opening_hours(df, src.option("opening_hours"))
    for f in src.option("title_case", []):
        out[f] = _title(out[f])
    word = src.option("name_suffix")  # e.g. "Library" for lists that name a library by its place
    if word:
        names = out["name"].astype("string").str.lower()
        bare = out["name"].notna()
        for w in src.option("name_suffix_unless", [word]):
            bare &= ~names.str.contains(w.lower(), regex=False).fillna(False)
        out.loc[bare, "name"] = out.loc[bare, "name"] + " " + word
    return out


def _categories(df: pd.DataFrame, src: SourceConfig, taxonomy: Taxonomy, skipped: list[dict]):
    """Each record's category: the source's one, or its category field through the taxonomy's aliases
    (unknown words are added to ``skipped``)."""
    if src.option("category_field"):
        words = df[src.option("category_field")].astype(str)
        category = words.map(taxonomy.resolve)
        for w, n in words[category.isna()].value_counts().items():
            skipped.append({"reason": f"unknown category {w!r}; add it to aliases in data/taxonomy.toml",
                            "count": int(n)})
        return category
    cat = src.option("category")
    if cat not in taxonomy.categories:
        raise DataSourceError(
            f"source '{src.name}' has category {cat!r}, which is not in data/taxonomy.toml; "
            f"use one of {sorted(taxonomy.categories)}"
        )
    return cat


def _ids(df: pd.DataFrame, out: pd.DataFrame, fields: dict) -> pd.Series:
    """The source's ids, else a hash of name, address, postcode (and coordinates); repeats numbered #1, #2."""
    if "id" in fields:
        ids = _text(df, fields["id"], sep=" / ")
    else:
        ids = pd.Series([None] * len(df), index=df.index, dtype=object)
    blank = ids.isna()
    if blank.any():
        parts = [out["name"], out["address"], out["postcode"]]
        if "lat" in fields:
            parts += [df[fields["lat"]], df[fields["lon"]]]
        basis = pd.Series(["|".join("" if (v is None or v != v) else str(v) for v in row)
                           for row in zip(*parts, strict=False)], index=df.index)
        ids[blank] = basis[blank].map(lambda s: hashlib.sha1(s.encode()).hexdigest()[:12])
    dup = ids.duplicated(keep=False)
    ids[dup] = ids[dup] + "#" + ids[dup].groupby(ids[dup]).cumcount().add(1).astype(str)
    return ids


def _locate(df: pd.DataFrame, out: pd.DataFrame, fields: dict, geocoder: Geocoder
            ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Location (x, y in EPSG:27700, and how it was found): coordinates when given and plausible, else the
    postcode. Sets ``out["postcode"]`` to the canonical postcode (from the address when the field has none)."""
    lon = lat = None
    if "latlon" in fields:
        ll = df[fields["latlon"]].astype(str).str.split(",", n=1, expand=True)
        if ll.shape[1] == 2:
            lat, lon = pd.to_numeric(ll[0], errors="coerce"), pd.to_numeric(ll[1], errors="coerce")
    elif "lat" in fields and "lon" in fields:
        lat, lon = pd.to_numeric(df[fields["lat"]], errors="coerce"), pd.to_numeric(df[fields["lon"]], errors="coerce")
    x = pd.Series(np.nan, index=df.index)
    y = pd.Series(np.nan, index=df.index)
    located = pd.Series(None, index=df.index, dtype=object)
    if "easting" in fields:
        x = pd.to_numeric(df[fields["easting"]], errors="coerce")
        y = pd.to_numeric(df[fields["northing"]], errors="coerce")
        located[x.notna() & y.notna()] = "coordinates"
    elif lat is not None:
        ok = lat.between(_GB[1], _GB[3]) & lon.between(_GB[0], _GB[2])
        pts = gpd.points_from_xy(lon.where(ok), lat.where(ok), crs=WGS84)
        bng = gpd.GeoSeries(pts, index=df.index).to_crs(BNG)
        x, y = bng.x.where(ok), bng.y.where(ok)
        located[ok] = "coordinates"
    # a postcode field that holds no postcode falls back to one written in the address
    from_address = out["address"].astype("string").str.upper().str.extract(_PC_IN_TEXT, expand=False)
    given = normalise_series(out["postcode"].astype("string"))
    out["postcode"] = given.fillna(normalise_series(from_address)).astype(object)
    out["postcode"] = out["postcode"].where(out["postcode"].notna(), None)
    geo = geocoder.locate_many(out["postcode"])
    out["postcode"] = geo["postcode"].astype(object).where(geo["postcode"].notna(), out["postcode"])
    need = x.isna() & geo["x"].notna()
    x, y = x.where(~need, geo["x"]), y.where(~need, geo["y"])
    located[need] = "postcode"
    return x, y, located


def read_area_lists(cfg, taxonomy: Taxonomy, geocoder: Geocoder, region, coverage,
                    echo=lambda m: None) -> tuple[dict[str, tuple[gpd.GeoDataFrame, bool]], dict]:
    """Every curated source of an area, kept to ``region`` (the extract's coverage plus the edge
    buffer): source name -> (records, authoritative?), and the per-source report."""
    curated, report = {}, {}
    for src in cfg.sources_of("curated"):
        lst = read_curated(src, cfg.data_root, taxonomy, geocoder)
        inside = lst.records[lst.records.within(region) | lst.records.geometry.isna()]  # isna: located by venue
        in_cov = inside.within(coverage)
        curated[src.name] = (inside.reset_index(drop=True), bool(src.option("authoritative", False)))
        report[src.name] = {
            "label": src.option("label", src.name), "category": src.option("category"),
            **lst.report, "in_area": int(len(inside)), "inside_coverage": int(in_cov.sum()),
            "beyond_edge": int((~in_cov).sum()),
            "in_area_geocoded_by_postcode": int((inside["located_by"] == "postcode").sum()),
            "in_area_located_by_coordinates": int((inside["located_by"] == "coordinates").sum()),
        }
        echo(f"    {src.name}: {len(inside)} in the area (of {lst.report['rows']:,} rows)")
    return curated, report
