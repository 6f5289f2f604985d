"""The tables a replica (bench/replica.py) needs beside its extract: shifted LSOA21 polygons with
synthetic codes, the matching IoD2025, Census 2021, MSOA-name and ward rows, postcodes, and the
area config naming them. Real rows stay (national ranks read all of England); copy 0 is the
template itself, copies 1.. get codes no real area uses (E019/E029/E059/E069 + five digits)."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely
from replica import postcode_string

from assetmap.config import AreaConfig
from assetmap.ingest.neighbourhoods import read_boundaries


def syn_name(name: str, k: int) -> str:
    """'Rutland 001A' -> 'Rutland R5 001A' (its MSOA name, 'Rutland R5 001', follows the same rule)."""
    head, _, tail = str(name).rpartition(" ")
    return f"{head} R{k} {tail}"


def code(prefix: str, k: int, i: int, per_copy: int) -> str:
    return f"{prefix}9{(k - 1) * per_copy + i:05d}"


def template_lsoas(cfg: AreaConfig) -> gpd.GeoDataFrame:
    """The template districts' LSOAs (renamed columns, EPSG:27700), by code."""
    return read_boundaries(cfg.source("boundaries"), cfg.data_root, cfg.lads).sort_values("lsoa21_code") \
        .reset_index(drop=True)


def boundaries(cfg: AreaConfig, tmpl: gpd.GeoDataFrame, offsets: np.ndarray, out: Path) -> list[str]:
    """The template LSOAs and their shifted copies, written where the config's columns expect them:
    every LAD code."""
    src = cfg.source("boundaries")
    cols = src.option("columns", {})
    n = len(tmpl)
    parts, lads = [tmpl], list(cfg.lads)
    for k in range(1, len(offsets)):
        c = tmpl.copy()
        c["geometry"] = c.geometry.translate(*offsets[k])
        c["lsoa21_code"] = [code("E01", k, i, n) for i in range(n)]
        c["lsoa21_name"] = [syn_name(x, k) for x in tmpl["lsoa21_name"]]
        c["lad_code"] = f"E069{k:05d}"
        c["lad_name"] = tmpl["lad_name"] + f" R{k}"
        lads.append(f"E069{k:05d}")
        parts.append(c)
    allp = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=tmpl.crs)
    allp = allp.rename(columns={"lsoa21_code": cols.get("code", "lsoa21_code"),
                                "lsoa21_name": cols.get("name", "lsoa21_name"),
                                "lad_code": cols.get("lad_code", "ltla24_code"),
                                "lad_name": cols.get("lad_name", "ltla24_name")})
    allp.to_file(out / "lsoa21.gpkg", layer=src.option("layer", "lsoa21"), driver="GPKG")
    return lads


def code_map(tmpl: gpd.GeoDataFrame, k: int) -> dict[str, str]:
    """Template LSOA code -> copy ``k``'s code."""
    n = len(tmpl)
    return {c: code("E01", k, i, n) for i, c in enumerate(tmpl["lsoa21_code"])}


def copy_rows(path: Path, key: str, tmpl: gpd.GeoDataFrame, copies: int, out: Path, **read) -> int:
    """A CSV with the template LSOAs' rows repeated for every copy under its codes: rows written."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, **read)
    t = df[df[key].isin(set(tmpl["lsoa21_code"]))]
    parts = [df]
    for k in range(1, copies):
        c = t.copy()
        c[key] = c[key].map(code_map(tmpl, k))
        parts.append(c)
    res = pd.concat(parts, ignore_index=True)
    res.to_csv(out, index=False)
    return len(res)


def msoa_names(cfg: AreaConfig, tmpl: gpd.GeoDataFrame, copies: int, out: Path) -> None:
    src = cfg.source("neighbourhood_names")
    cols = src.option("columns", {})
    c_code, c_name = cols.get("code", "msoa21cd"), cols.get("name", "msoa21nm")
    c_local = cols.get("local_name", "msoa21hclnm")
    df = pd.read_csv(src.path(cfg.data_root), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    t = df[df[c_name].isin({str(x)[:-1] for x in tmpl["lsoa21_name"]})].reset_index(drop=True)
    parts = [df]
    for k in range(1, copies):
        c = t.copy()
        c[c_code] = [code("E02", k, j, len(t)) for j in range(len(t))]
        c[c_name] = [syn_name(x, k) for x in t[c_name]]
        c[c_local] = [f"{x} R{k}" if x else x for x in t[c_local]]
        parts.append(c)
    pd.concat(parts, ignore_index=True).to_csv(out, index=False)


def wards(cfg: AreaConfig, tmpl: gpd.GeoDataFrame, copies: int, out: Path) -> None:
    src = cfg.source("wards")
    cols = src.option("columns", {})
    c_lsoa, c_code, c_name = cols.get("lsoa_code", "lsoa21_code"), cols.get("code", "ward24_code"), \
        cols.get("name", "ward24_name")
    df = pd.read_csv(src.path(cfg.data_root), dtype=str, keep_default_na=False)
    t = df[df[c_lsoa].isin(set(tmpl["lsoa21_code"]))].reset_index(drop=True)
    ward_ix = {w: j for j, w in enumerate(sorted(set(t[c_code])))}
    parts = [df]
    for k in range(1, copies):
        c = t.copy()
        c[c_lsoa] = c[c_lsoa].map(code_map(tmpl, k))
        c[c_code] = [code("E05", k, ward_ix[w], len(ward_ix)) for w in t[c_code]]
        c[c_name] = t[c_name] + f" R{k}"
        parts.append(c)
    pd.concat(parts, ignore_index=True).to_csv(out, index=False)


def postcodes(cfg: AreaConfig, tmpl: gpd.GeoDataFrame, offsets: np.ndarray, footprint, out: Path) -> dict:
    """Code-Point rows: the real ones outside ``footprint`` (minx, miny, maxx, maxy), then the template
    district's own (inside its LSOAs) once per copy, synthetic for copies 1..: counts."""
    src = cfg.source("postcodes")
    cols = src.option("columns", {})
    c_pc, c_x, c_y = cols.get("postcode", "Postcode"), cols.get("x", "Eastings"), cols.get("y", "Northings")
    c_q = cols.get("quality", "Positional_quality_indicator")
    keep = [c_pc, c_q, c_x, c_y]
    table = pacsv.read_csv(src.path(cfg.data_root), convert_options=pacsv.ConvertOptions(include_columns=keep))
    x, y = table[c_x], table[c_y]
    inside = pc.and_(pc.and_(pc.greater_equal(x, footprint[0]), pc.less_equal(x, footprint[2])),
                     pc.and_(pc.greater_equal(y, footprint[1]), pc.less_equal(y, footprint[3])))
    outside = table.filter(pc.invert(inside))
    near = table.filter(inside)
    union = shapely.union_all(tmpl.geometry.values)
    mask = shapely.contains_xy(union, near[c_x].to_numpy().astype(float), near[c_y].to_numpy().astype(float))
    t = near.filter(pa.array(mask))
    parts = [outside, t]
    n = t.num_rows
    for k in range(1, len(offsets)):
        parts.append(pa.table({
            c_pc: pa.array(postcode_string(np.arange((k - 1) * n, k * n))),
            c_q: t[c_q],
            c_x: pc.add(t[c_x], int(round(offsets[k][0]))).cast(t[c_x].type),
            c_y: pc.add(t[c_y], int(round(offsets[k][1]))).cast(t[c_y].type),
        }).cast(t.schema))
    res = pa.concat_tables(parts)
    pacsv.write_csv(res, out)
    return {"postcodes_total": res.num_rows, "postcodes_replica": n * len(offsets), "real_dropped": near.num_rows - n}


def write_config(path: Path, slug: str, name: str, lads: list[str], osm_date: str | None, files: dict[str, str],
                 sources_on: dict[str, bool]) -> None:
    """The replica's area config (TOML, data root ``data`` beside it)."""
    lines = ['data_root = "data"', "", "[area]", f'slug = "{slug}"', f"name = {json.dumps(name)}",
             f"lads = {json.dumps(lads)}", 'neighbourhoods = "lads"', "", "[osm]",
             f'file = "{files.pop("osm")}"', 'coverage = "lads"']
    if osm_date:
        lines.append(f'date = "{osm_date}"')
    for src, f in files.items():
        lines += ["", f"[sources.{src}]", f'file = "{f}"']
    for src, on in sources_on.items():
        lines += ["", f"[sources.{src}]", f"enabled = {str(on).lower()}"]
    path.write_text("\n".join(lines) + "\n")
