"""The asset pages, precomputed at startup for one area.

:func:`asset_pages` gives one dict per asset (keyed by ``asset_id``) holding everything its page
shows: plain values, already formatted where formatting needs the data (labels, sources, opening
hours parsed into a weekly table). Nearby places come from a KD-tree over the assets
(straight-line distance on the British National Grid) built once here. Views only pick a dict
and render it; the one per-request computation is "open now" (a single rule evaluation).
The neighbourhood profiles are in :mod:`.profiles`.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from ..trust.view import access_view, trust_view
from .hours import weekly_hours
from .links import http_url, landing_url
from .summary import AreaSummary
from .values import present

BNG = "EPSG:27700"
NEARBY_ASSETS = 6  # other places listed on an asset page
NEARBY_CANDIDATES = 80  # nearest assets looked at to find them
WHEELCHAIR_WORDS = {
    "yes": ("yes", "Wheelchair accessible: step-free entrance and the main rooms can be reached in a wheelchair."),
    "limited": ("limited", "Partly wheelchair accessible: some areas or the entrance may need help."),
    "no": ("no", "Not wheelchair accessible."),
    None: ("unknown", "Not known. Ask the place before you visit."),
}
PROVENANCE_FIELDS = (
    ("src_name", "name", "Name"),
    ("src_location", "location", "Location on the map"),
    ("src_address", "address", "Address"),
    ("src_hours", "opening_hours", "Opening hours"),
    ("src_contact", "website", "Website, phone and e-mail"),
    (None, "wheelchair", "Wheelchair access"),
)
_EMAIL_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-@")


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


def _source_index(view: AreaSummary) -> dict[str, dict]:
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
    return name if present(name) else f"{category_label} (unnamed)"


def _provenance(r: dict, sources: dict) -> list[dict]:
    """Which source gave each field of an asset, as the page lists it."""
    prov: dict = r["provenance"] if isinstance(r.get("provenance"), dict) else {}
    provenance = []
    for col, field, what in PROVENANCE_FIELDS:
        value = present(r.get(col)) if col and col in r else None
        if value is None and field in prov:  # older builds: from the provenance map
            refs = [prov.get(f) for f in (("website", "phone", "email") if field == "website" else (field,))]
            keys = [str(x).split(":", 1)[0] + (" (postcode)" if str(x).endswith(" (postcode)") else "")
                    for x in refs if x]
            value = ";".join(dict.fromkeys(keys)) or None
        if value is None:
            continue
        labels = (_source_label(s, sources) for s in str(value).split(";") if s)  # s non-empty: never None
        provenance.append({"field": what, "source": ", ".join(x for x in labels if x)})
    return provenance


def asset_pages(view: AreaSummary) -> dict[str, dict]:
    """Everything an asset page shows, per asset id."""
    ar = view.ar
    assets = ar.assets
    cats = view.map_data["categories"]
    fams = {f["key"]: f for f in view.families}
    sources = _source_index(view)
    nb = ar.neighbourhoods
    nb_names = dict(zip(nb["lsoa21_code"], nb["display_name"] if "display_name" in nb else nb["lsoa21_name"],
                        strict=True))
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
        for d, j in zip(dists[i], idxs[i], strict=True):
            if j == i or j >= len(recs) or recs[j]["category"] in seen:
                continue
            seen.add(recs[j]["category"])
            nearby.append(short(j, d))
            if len(nearby) >= NEARBY_ASSETS:
                break
        provenance = _provenance(r, sources)
        wheel = present(r.get("wheelchair"))
        wheel = wheel if wheel in WHEELCHAIR_WORDS else None
        code = present(r.get("lsoa21_code"))
        also = [label(c) for c in (r.get("categories") or []) if c != cat]
        fam = fams.get(r.get("family"), {})
        phone = present(r.get("phone"))
        out[r["asset_id"]] = {
            **short(i),
            "name": present(r.get("name")),
            "category_key": cat, "also": also,
            "family": fam.get("label"), "family_colour": fam.get("colour", "#555555"),
            "address": present(r.get("address")),
            "postcode": present(r.get("postcode")),
            "description": present(r.get("description")),
            "hours": weekly_hours(present(r.get("opening_hours"))),
            "website": http_url(present(r.get("website"))),
            "phone": phone, "phone_tel": phone_link(phone),
            "email": safe_email(present(r.get("email"))),
            "wheelchair": WHEELCHAIR_WORDS[wheel][0], "wheelchair_text": WHEELCHAIR_WORDS[wheel][1],
            "records": [_record(s, sources) for s in (r.get("sources") or [])],
            "provenance": provenance,
            "last_verified": present(r.get("last_verified")),
            "trust": trust_view(r, {k: v["label"] for k, v in sources.items()}),
            "access": access_view(r),
            "lsoa_code": code, "lsoa_name": nb_names.get(code) if code else None,
            "nearby": nearby,
        }
    return out


