"""The asset pages and neighbourhood profiles, precomputed at startup for one area.

:func:`asset_pages` gives one dict per asset (keyed by ``asset_id``) and
:func:`neighbourhood_profiles` one per LSOA (keyed by ``lsoa21_code``), holding everything their
pages show: plain values, already formatted where formatting needs the data (labels, sources,
opening hours parsed into a weekly table). Nearby places come from a KD-tree over the assets
(straight-line distance on the British National Grid) built once here. Views only pick a dict
and render it; the one per-request computation is "open now" (a single rule evaluation).
"""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from .formatting import http_url, landing_url
from .hours import weekly_hours

if TYPE_CHECKING:
    from .state import AreaView

BNG = "EPSG:27700"
NEARBY_ASSETS = 6  # other places listed on an asset page
NEARBY_CANDIDATES = 80  # nearest assets looked at to find them
NEIGHBOURHOOD_NEAR_M = 400  # "nearby" assets of a neighbourhood: within this distance of its boundary
NEIGHBOURHOOD_NEAR_MAX = 20
WHEELCHAIR_WORDS = {
    "yes": ("yes", "Wheelchair accessible: step-free entrance and the main rooms can be reached in a wheelchair."),
    "limited": ("limited", "Partly wheelchair accessible: some areas or the entrance may need help."),
    "no": ("no", "Not wheelchair accessible."),
    None: ("unknown", "Not known. Ask the place before you visit."),
}
DOMAINS = (
    ("imd", "Index of Multiple Deprivation (overall)"),
    ("income", "Income"),
    ("employment", "Employment"),
    ("education", "Education, skills and training"),
    ("health", "Health and disability"),
    ("crime", "Crime"),
    ("housing", "Barriers to housing and services"),
    ("environment", "Living environment"),
)
PROVENANCE_FIELDS = (
    ("src_name", "name", "Name"),
    ("src_location", "location", "Location on the map"),
    ("src_address", "address", "Address"),
    ("src_hours", "opening_hours", "Opening hours"),
    ("src_contact", "website", "Website, phone and e-mail"),
    (None, "wheelchair", "Wheelchair access"),
)
_EMAIL_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-@")


def _v(x):
    """None for missing values (None, NaN, pandas NA, empty text)."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return None
    try:
        return None if pd.isna(x) else x
    except (TypeError, ValueError):
        return x


def _num(x) -> float | None:
    x = _v(x)
    return None if x is None else float(x)


def _int(x) -> int | None:
    x = _v(x)
    return None if x is None else int(x)


def safe_email(value) -> str | None:
    """An e-mail address fit for a mailto: link (one @, a dot in the domain, no spaces or markup)."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if v.count("@") != 1 or not set(v) <= _EMAIL_OK or "." not in v.split("@")[1] or v.startswith("@"):
        return None
    return v


def phone_link(value) -> str | None:
    """tel: digits for a phone number, or None when it has too few digits to call."""
    if not isinstance(value, str):
        return None
    digits = "".join(c for c in value if c.isdigit() or c == "+")
    return digits if sum(c.isdigit() for c in digits) >= 6 else None


def _source_index(view: "AreaView") -> dict[str, dict]:
    """Source key as used in asset refs ('osm', 'libraries'…) -> label, licence, landing link."""
    out = {}
    for s in view.sources:
        key = "osm" if s.get("kind") == "osm" else s.get("name")
        if not key:
            continue
        out[key] = {"label": view.source_labels.get(key) or view.source_labels.get(s.get("name")) or s.get("name"),
                    "licence": s.get("licence"), "attribution": s.get("attribution"),
                    "link": landing_url(s.get("landing")) or http_url(s.get("url"))}
    out.setdefault("osm", {"label": "OpenStreetMap", "licence": "Open Database Licence (ODbL) 1.0",
                           "attribution": "© OpenStreetMap contributors", "link": "https://www.openstreetmap.org/"})
    return out


def _source_label(key: str | None, sources: dict) -> str | None:
    """'libraries (postcode)' -> 'Public libraries (the postcode's centre)'."""
    if not key:
        return None
    base, postcode = (key[:-len(" (postcode)")], True) if key.endswith(" (postcode)") else (key, False)
    label = sources.get(base, {}).get("label") or base
    return label + (" (the centre of its postcode)" if postcode else "")


def _record(ref: str, sources: dict) -> dict:
    """One source record of an asset: which list, its id, a link for OSM elements, the licence."""
    key, _, rid = str(ref).partition(":")
    src = sources.get(key, {"label": key, "licence": None, "link": None})
    link = None
    if key == "osm":
        kind, _, num = rid.partition("/")
        if kind in ("node", "way", "relation") and num.isdigit():
            link = f"https://www.openstreetmap.org/{kind}/{num}"
            rid = f"{kind} {num}"
    return {"key": key, "label": src["label"], "id": rid, "link": link, "licence": src.get("licence"),
            "source_link": src.get("link")}


def asset_title(name, category_label: str) -> str:
    return name if _v(name) else f"{category_label} (unnamed)"


def asset_pages(view: "AreaView") -> dict[str, dict]:
    """Everything an asset page shows, per asset id."""
    ar = view.ar
    assets = ar.assets
    cats = view.map_data["categories"]
    fams = {f["key"]: f for f in view.families}
    sources = _source_index(view)
    nb_names = dict(zip(ar.neighbourhoods["lsoa21_code"], ar.neighbourhoods["lsoa21_name"]))
    if not len(assets):
        return {}
    xy = np.column_stack([assets.geometry.to_crs(BNG).x, assets.geometry.to_crs(BNG).y])
    tree = cKDTree(xy)
    recs = assets.drop(columns="geometry").to_dict("records")
    lons, lats = assets.geometry.x.to_numpy(), assets.geometry.y.to_numpy()

    def label(cat):
        return cats.get(cat, {}).get("label", cat or "Place")

    def short(i, dist=None) -> dict:
        r = recs[i]
        return {"asset_id": r["asset_id"], "title": asset_title(r.get("name"), label(r["category"])),
                "category": label(r["category"]), "colour": cats.get(r["category"], {}).get("colour", "#555555"),
                "lat": round(float(lats[i]), 6), "lon": round(float(lons[i]), 6),
                "distance_m": None if dist is None else float(dist)}

    k = min(len(recs), NEARBY_CANDIDATES)
    dists, idxs = tree.query(xy, k=k)
    dists, idxs = np.atleast_2d(dists).reshape(len(recs), -1), np.atleast_2d(idxs).reshape(len(recs), -1)
    out = {}
    for i, r in enumerate(recs):
        cat = r["category"]
        nearby, seen = [], {cat}
        for d, j in zip(dists[i], idxs[i]):
            if j == i or j >= len(recs) or recs[j]["category"] in seen:
                continue
            seen.add(recs[j]["category"])
            nearby.append(short(j, d))
            if len(nearby) >= NEARBY_ASSETS:
                break
        prov = r.get("provenance") if isinstance(r.get("provenance"), dict) else {}
        provenance = []
        for col, field, what in PROVENANCE_FIELDS:
            value = _v(r.get(col)) if col and col in r else None
            if value is None and field in prov:  # older builds: from the provenance map
                refs = [prov.get(f) for f in (("website", "phone", "email") if field == "website" else (field,))]
                keys = [str(x).split(":", 1)[0] + (" (postcode)" if str(x).endswith(" (postcode)") else "")
                        for x in refs if x]
                value = ";".join(dict.fromkeys(keys)) or None
            if value is None:
                continue
            provenance.append({"field": what, "source": ", ".join(
                _source_label(s, sources) for s in str(value).split(";") if s)})
        wheel = _v(r.get("wheelchair"))
        wheel = wheel if wheel in WHEELCHAIR_WORDS else None
        code = _v(r.get("lsoa21_code"))
        also = [label(c) for c in (r.get("categories") or []) if c != cat]
        fam = fams.get(r.get("family"), {})
        phone = _v(r.get("phone"))
        out[r["asset_id"]] = {
            **short(i),
            "name": _v(r.get("name")),
            "category_key": cat, "also": also,
            "family": fam.get("label"), "family_colour": fam.get("colour", "#555555"),
            "address": _v(r.get("address")),
            "postcode": _v(r.get("postcode")),
            "description": _v(r.get("description")),
            "hours": weekly_hours(_v(r.get("opening_hours"))),
            "website": http_url(_v(r.get("website"))),
            "phone": phone, "phone_tel": phone_link(phone),
            "email": safe_email(_v(r.get("email"))),
            "wheelchair": WHEELCHAIR_WORDS[wheel][0], "wheelchair_text": WHEELCHAIR_WORDS[wheel][1],
            "records": [_record(s, sources) for s in (r.get("sources") or [])],
            "provenance": provenance,
            "last_verified": _v(r.get("last_verified")),
            "lsoa_code": code, "lsoa_name": nb_names.get(code) if code else None,
            "nearby": nearby,
        }
    return out


# --- neighbourhood profiles -------------------------------------------------------------------

def _weighted_mean(values: pd.Series, weights: pd.Series) -> float | None:
    ok = values.notna() & weights.notna() & (weights > 0)
    if not ok.any():
        return None
    return float(np.average(values[ok].astype(float), weights=weights[ok].astype(float)))


def _by_decile(view: "AreaView") -> dict[tuple[str, int], float]:
    """(category, IMD decile) -> the population-weighted mean walk of the area's LSOAs in that decile."""
    path = view.ar.dir / "downloads" / "equity.json"
    if not path.exists():
        return {}
    rows = json.loads(path.read_text()).get("by_decile", [])
    return {(r["category"], int(r["imd_decile"])): float(r["mean_min"]) for r in rows
            if r.get("mean_min") is not None and not (isinstance(r["mean_min"], float) and math.isnan(r["mean_min"]))}


def percent_less_deprived(rank: int | None, total: int) -> int | None:
    """Share of England's LSOAs less deprived than rank ``rank`` (1 = most deprived), whole percent."""
    if rank is None:
        return None
    return int(round(100 * (total - rank) / total))


def neighbourhood_profiles(view: "AreaView") -> dict[str, dict]:
    """Everything a neighbourhood profile shows, per LSOA 2021 code."""
    from .state import DECILE_COLOURS, IMD_LSOAS_ENGLAND, text_colour

    ar = view.ar
    nb = ar.neighbourhoods
    pages = view.asset_pages
    n_lsoas = len(nb)
    by_decile = _by_decile(view)
    walk_keys = view.walk_choices + view.walk_families
    residents = nb["residents"]
    area_avg = {c["key"]: _weighted_mean(nb[f"walk_{c['key']}_min"], residents) for c in walk_keys}

    # assets inside each neighbourhood, and those just outside it
    assets = ar.assets
    inside: dict[str, list[str]] = {}
    for aid, code in zip(assets["asset_id"], assets["lsoa21_code"]):
        if _v(code):
            inside.setdefault(code, []).append(aid)
    nb_bng = nb.geometry.to_crs(BNG)
    pts = np.asarray(assets.geometry.to_crs(BNG)) if len(assets) else np.array([])
    tree = shapely.STRtree(pts) if len(pts) else None
    ids = assets["asset_id"].tolist()

    fam_labels = {f["key"]: f["label"] for f in view.families}
    out = {}
    for r, geom in zip(nb.drop(columns=nb.geometry.name).to_dict("records"), nb_bng):
        code = r["lsoa21_code"]
        decile = _int(r.get("imd_decile"))
        domains = []
        for key, label in DOMAINS:
            rank, dec = _int(r.get(f"{key}_rank")), _int(r.get(f"{key}_decile"))
            if rank is None and dec is None:
                continue
            domains.append({"key": key, "label": label, "rank": rank, "decile": dec,
                            "score": _num(r.get(f"{key}_score")),
                            "less_deprived_pct": percent_less_deprived(rank, IMD_LSOAS_ENGLAND),
                            "colour": DECILE_COLOURS[dec - 1] if dec else "#bdbdbd",
                            "text_colour": text_colour(DECILE_COLOURS[dec - 1]) if dec else "#000000"})
        walks = []
        for c in walk_keys:
            k = c["key"]
            mins = _num(r.get(f"walk_{k}_min"))
            if mins is None and area_avg.get(k) is None:
                continue
            avg = area_avg.get(k)
            dec_avg = by_decile.get((k, decile)) if decile else None
            walks.append({"key": k, "label": c["label"], "family": k.startswith("family_"),
                          "minutes": mins, "metres": _num(r.get(f"walk_{k}_m")),
                          "minutes_rm": _num(r.get(f"walk_{k}_min_rm")),
                          "area_avg": avg, "decile_avg": dec_avg,
                          "longer": mins is not None and avg is not None and round(mins, 1) > round(avg, 1)})
        near = []
        if tree is not None:
            idx = tree.query(geom, predicate="dwithin", distance=NEIGHBOURHOOD_NEAR_M)
            got = [(float(shapely.distance(geom, pts[j])), ids[j]) for j in idx
                   if ids[j] in pages and pages[ids[j]]["lsoa_code"] != code]
            near = [{**pages[aid], "distance_m": d} for d, aid in sorted(got)[:NEIGHBOURHOOD_NEAR_MAX]]
        gaps = None
        if view.has_gaps and _v(r.get("gap_score")) is not None:
            need_t, gap_t = (str(r.get("bivariate_class") or "-").split("-") + ["", ""])[:2]
            words = {"3": "high", "2": "middle", "1": "low"}
            gaps = {
                "gap_score": _num(r.get("gap_score")), "gap_rank": _int(r.get("gap_rank")),
                "gap_quintile": _int(r.get("gap_quintile")),
                "need_score": _num(r.get("need_score")), "need_rank_england": _int(r.get("need_rank_england")),
                "need_decile_england": _int(r.get("need_decile_england")),
                "priority_score": _num(r.get("priority_score")), "priority_rank": _int(r.get("priority_rank")),
                "bivariate_class": _v(r.get("bivariate_class")),
                "bivariate_words": (f"{words.get(need_t, '?')} need, {words.get(gap_t, '?').replace('high', 'big').replace('low', 'small')} gap"
                                    if r.get("bivariate_class") else None),
                "double_disadvantage": bool(_v(r.get("double_disadvantage"))),
                "left_behind_england": bool(_v(r.get("left_behind_england"))),
                "families": [{"key": f, "label": fam_labels.get(f, f), "score": _num(r.get(f"gapx_family_{f}"))}
                             for f in fam_labels if _v(r.get(f"gapx_family_{f}")) is not None],
                "lsoas": n_lsoas,
            }
        d = view.deciles[decile - 1] if decile else None
        out[code] = {
            "code": code, "name": r.get("lsoa21_name") or code, "lad_name": _v(r.get("lad_name")),
            "imd_decile": decile, "imd_rank": _int(r.get("imd_rank")), "imd_score": _num(r.get("imd_score")),
            "decile_colour": d["colour"] if d else None, "decile_text": d["text_colour"] if d else None,
            "decile_label": d["label"] if d else None,
            "residents": _int(r.get("residents")), "households": _int(r.get("households")),
            "domains": domains, "walks": walks, "gaps": gaps,
            "inside": [pages[a] for a in inside.get(code, []) if a in pages],
            "nearby": near,
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
            ("neighbourhood", "name", p["name"], None, None, None, None, None),
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
                 ("gaps", "double disadvantage", "yes" if g["double_disadvantage"] else "no", None, None, None, None, None),
                 ("gaps", "left behind (England)", "yes" if g["left_behind_england"] else "no", None, None, None, None, None)]
        for f in g["families"]:
            rows.append(("gaps", f"gap index: {f['label']} (0-100)", f["score"], None, None, None, None, None))
    for a in p["inside"]:
        rows.append(("asset inside", a["title"], a["category"], None, None, None, None, a["asset_id"]))
    for a in p["nearby"]:
        rows.append(("asset nearby", a["title"], a["category"], None, None, None, None,
                     f"{a['asset_id']}; {round(a['distance_m'])} m outside"))
    return rows
