"""The neighbourhood profiles, precomputed at startup for one area, and their CSV rows.

:func:`neighbourhood_profiles` gives one dict per LSOA (keyed by ``lsoa21_code``) holding
everything its page shows: deprivation by domain, walking times beside the area's and the same
decile's averages, the gap measure, the places inside and just outside (an STR-tree over the
assets on the British National Grid, built once here).
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import shapely

from .colours import DECILE_COLOURS, NO_DATA, text_colour
from .deprivation import DEPRIVATION_MEASURES, IMD_LSOAS_ENGLAND, percent_less_deprived
from .pages import BNG
from .summary import AreaSummary, place_names
from .values import as_float, as_int, present

NEIGHBOURHOOD_NEAR_M = 400  # "nearby" assets of a neighbourhood: within this distance of its boundary
NEIGHBOURHOOD_NEAR_MAX = 20
BIVARIATE_WORDS = {"3": "high", "2": "middle", "1": "low"}


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna() & weights.notna() & (weights > 0)
    if not ok.any():
        return None
    return float(np.average(values[ok].astype(float), weights=weights[ok].astype(float)))


def _by_decile(view: AreaSummary) -> dict[tuple[str, int], float]:
    """(category, IMD decile) -> the population-weighted mean walk of the area's LSOAs in that decile."""
    return {(r["category"], int(r["imd_decile"])): float(r["mean_min"]) for r in view.ar.equity_by_decile
            if r.get("mean_min") is not None and not (isinstance(r["mean_min"], float) and math.isnan(r["mean_min"]))}


def _domains(r: dict) -> list[dict]:
    domains = []
    for key, label in DEPRIVATION_MEASURES:
        rank, dec = as_int(r.get(f"{key}_rank")), as_int(r.get(f"{key}_decile"))
        if rank is None and dec is None:
            continue
        domains.append({"key": key, "label": label, "rank": rank, "decile": dec,
                        "score": as_float(r.get(f"{key}_score")),
                        "less_deprived_pct": percent_less_deprived(rank, IMD_LSOAS_ENGLAND),
                        "colour": DECILE_COLOURS[dec - 1] if dec else NO_DATA,
                        "text_colour": text_colour(DECILE_COLOURS[dec - 1]) if dec else "#000000"})
    return domains


def _walks(r: dict, walk_keys: list[dict], area_avg: dict, by_decile: dict, decile: int | None) -> list[dict]:
    walks = []
    for c in walk_keys:
        k = c["key"]
        mins = as_float(r.get(f"walk_{k}_min"))
        if mins is None and area_avg.get(k) is None:
            continue
        avg = area_avg.get(k)
        dec_avg = by_decile.get((k, decile)) if decile else None
        walks.append({"key": k, "label": c["label"], "family": k.startswith("family_"),
                      "minutes": mins, "metres": as_float(r.get(f"walk_{k}_m")),
                      "minutes_rm": as_float(r.get(f"walk_{k}_min_rm")),
                      "area_avg": avg, "decile_avg": dec_avg,
                      "longer": mins is not None and avg is not None and round(mins, 1) > round(avg, 1)})
    return walks


def ordinal(n: int) -> str:
    """1 -> '1st', 1204 -> '1,204th'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def england_line(r: dict, n_lsoas: int, national: dict | None) -> str | None:
    """'Gap: 3rd of 58 here, 1,204th of 33,755 in England' when the build has England's ranks."""
    local, eng = as_int(r.get("gap_rank")), as_int(r.get("gap_rank_england"))
    if not national or eng is None or local is None:
        return None
    return (f"Gap: {ordinal(local)} of {n_lsoas:,} here, {ordinal(eng)} of {national['lsoas_ranked']:,} in England"
            f" (decile {as_int(r.get('gap_decile_england'))}; 1 = England's biggest gaps)")


def _gaps(r: dict, fam_labels: dict[str, str], n_lsoas: int, national: dict | None = None) -> dict:
    need_t, gap_t = (str(r.get("bivariate_class") or "-").split("-") + ["", ""])[:2]
    gap_word = BIVARIATE_WORDS.get(gap_t, "?").replace("high", "big").replace("low", "small")
    return {
        "gap_score": as_float(r.get("gap_score")), "gap_rank": as_int(r.get("gap_rank")),
        "gap_quintile": as_int(r.get("gap_quintile")),
        "need_score": as_float(r.get("need_score")), "need_rank_england": as_int(r.get("need_rank_england")),
        "need_decile_england": as_int(r.get("need_decile_england")),
        "priority_score": as_float(r.get("priority_score")), "priority_rank": as_int(r.get("priority_rank")),
        "bivariate_class": present(r.get("bivariate_class")),
        "bivariate_words": (f"{BIVARIATE_WORDS.get(need_t, '?')} need, {gap_word} gap"
                            if r.get("bivariate_class") else None),
        "double_disadvantage": bool(present(r.get("double_disadvantage"))),
        "left_behind_england": bool(present(r.get("left_behind_england"))),
        "families": [{"key": f, "label": fam_labels.get(f, f), "score": as_float(r.get(f"gapx_family_{f}"))}
                     for f in fam_labels if present(r.get(f"gapx_family_{f}")) is not None],
        "lsoas": n_lsoas,
        "gap_rank_england": as_int(r.get("gap_rank_england")),
        "gap_decile_england": as_int(r.get("gap_decile_england")),
        "priority_rank_england": as_int(r.get("priority_rank_england")),
        "england_line": england_line(r, n_lsoas, national),
    }


class _Nearby:
    """Assets within NEIGHBOURHOOD_NEAR_M of a neighbourhood's boundary but outside it (an STR-tree)."""

    def __init__(self, view: AreaSummary, pages: dict[str, dict]):
        assets = view.ar.assets
        self.pages = pages
        self.pts = np.asarray(assets.geometry.to_crs(BNG)) if len(assets) else np.array([])
        self.tree = shapely.STRtree(self.pts) if len(self.pts) else None
        self.ids = assets["asset_id"].tolist()
        self.inside: dict[str, list[str]] = {}
        for aid, code in zip(assets["asset_id"], assets["lsoa21_code"], strict=True):
            if present(code):
                self.inside.setdefault(code, []).append(aid)

    def near(self, geom, code: str) -> list[dict]:
        if self.tree is None:
            return []
        pages, ids = self.pages, self.ids
        idx = self.tree.query(geom, predicate="dwithin", distance=NEIGHBOURHOOD_NEAR_M)
        got = [(float(shapely.distance(geom, self.pts[j])), ids[j]) for j in idx
               if ids[j] in pages and pages[ids[j]]["lsoa_code"] != code]
        return [{**pages[aid], "distance_m": d} for d, aid in sorted(got)[:NEIGHBOURHOOD_NEAR_MAX]]

    def within(self, code: str) -> list[dict]:
        return [self.pages[a] for a in self.inside.get(code, []) if a in self.pages]


def neighbourhood_profiles(view: AreaSummary, pages: dict[str, dict]) -> dict[str, dict]:
    """Everything a neighbourhood profile shows, per LSOA 2021 code (``pages``: the asset pages)."""
    nb = view.ar.neighbourhoods
    by_decile = _by_decile(view)
    walk_keys = view.walk_choices + view.walk_families
    area_avg = {c["key"]: _weighted_mean(nb[f"walk_{c['key']}_min"], nb["residents"]) for c in walk_keys}
    places = _Nearby(view, pages)
    fam_labels = {f["key"]: f["label"] for f in view.families}
    national = view.ar.report.get("gaps", {}).get("national")  # England's ranks (assetmap.national.ranks)
    out = {}
    outlines = shapely.set_precision(shapely.simplify(nb.geometry.to_numpy(), 0.00003), 0.000001)
    for r, geom, outline in zip(nb.drop(columns=nb.geometry.name).to_dict("records"), nb.geometry.to_crs(BNG),
                                outlines, strict=True):
        code = r["lsoa21_code"]
        decile = as_int(r.get("imd_decile"))
        has_gap = view.has_gaps and present(r.get("gap_score")) is not None
        gaps = _gaps(r, fam_labels, len(nb), national) if has_gap else None
        d = view.deciles[decile - 1] if decile else None
        out[code] = {
            "code": code, "lsoa_name": r.get("lsoa21_name") or code, **place_names(r),
            "name": place_names(r)["display_name"], "lad_name": present(r.get("lad_name")),
            "imd_decile": decile, "imd_rank": as_int(r.get("imd_rank")), "imd_score": as_float(r.get("imd_score")),
            "decile_colour": d["colour"] if d else None, "decile_text": d["text_colour"] if d else None,
            "decile_label": d["label"] if d else None,
            "residents": as_int(r.get("residents")), "households": as_int(r.get("households")),
            "domains": _domains(r), "walks": _walks(r, walk_keys, area_avg, by_decile, decile), "gaps": gaps,
            "inside": places.within(code),
            "nearby": places.near(geom, code),
            "outline": json.loads(shapely.to_geojson(outline)),  # for the profile's map, lon/lat
        }
    return out


# --- CSV -----------------------------------------------------------------------------------------

def neutral(v):
    """A spreadsheet cell that cannot run: text starting = + - @ (or a tab or return) gets a leading '."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


CSV_HEADER = ("section", "item", "value", "area_average", "same_decile_average", "rank", "decile", "note")


def profile_csv_rows(p: dict, area_name: str, total_imd: int) -> list[tuple]:
    """The profile as rows of CSV_HEADER (text cells formula-neutralised by the caller's writer)."""
    rows = [("neighbourhood", "code", p["code"], None, None, None, None, None),
            ("neighbourhood", "name", p["lsoa_name"], None, None, None, None, "ONS LSOA 2021 name"),
            ("neighbourhood", "local name", p["local_name"], None, None, None, None,
             "House of Commons Library MSOA Names (Open Parliament Licence; not an official name)"),
            ("neighbourhood", "ward", p["ward_name"], None, None, None, None, "ONS ward 2024"),
            ("neighbourhood", "OpenStreetMap places inside", p["osm_places"], None, None, None, None, None),
            ("neighbourhood", "local authority", p["lad_name"], None, None, None, None, None),
            ("population", "residents", p["residents"], None, None, None, None, "Census 2021"),
            ("population", "households", p["households"], None, None, None, None, "Census 2021")]
    for d in p["domains"]:
        rows.append(("deprivation (IoD 2025)", d["label"], d["score"], None, None, d["rank"], d["decile"],
                     f"rank of {total_imd} (1 = most deprived); decile 1 = most deprived 10%"))
    for w in p["walks"]:
        rows.append(("walking time (minutes)", w["label"], None if w["minutes"] is None else round(w["minutes"], 1),
                     None if w["area_avg"] is None else round(w["area_avg"], 1),
                     None if w["decile_avg"] is None else round(w["decile_avg"], 1), None, None,
                     "longer than the area average" if w["longer"] else None))
    g = p["gaps"]
    if g:
        rows += [("gaps", "gap score (0-100)", g["gap_score"], None, None, g["gap_rank"], None,
                  f"rank of {g['lsoas']} in {area_name} (1 = biggest gap); quintile {g['gap_quintile']}"),
                 ("gaps", "need score (0-100)", g["need_score"], None, None, g["need_rank_england"],
                  g["need_decile_england"], "England rank and decile"),
                 ("gaps", "priority score", g["priority_score"], None, None, g["priority_rank"], None,
                  f"rank of {g['lsoas']} in {area_name} (1 = first)"),
                 ("gaps", "need x gap class", g["bivariate_class"], None, None, None, None, g["bivariate_words"]),
                 ("gaps", "double disadvantage", "yes" if g["double_disadvantage"] else "no",
                  None, None, None, None, None),
                 ("gaps", "left behind (England)", "yes" if g["left_behind_england"] else "no",
                  None, None, None, None, None)]
        for f in g["families"]:
            rows.append(("gaps", f"gap index: {f['label']} (0-100)", f["score"], None, None, None, None, None))
    for a in p["inside"]:
        rows.append(("asset inside", a["title"], a["category"], None, None, None, None, a["asset_id"]))
    for a in p["nearby"]:
        rows.append(("asset nearby", a["title"], a["category"], None, None, None, None,
                     f"{a['asset_id']}; {round(a['distance_m'])} m outside"))
    return rows
