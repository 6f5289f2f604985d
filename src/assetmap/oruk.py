"""Open Referral UK (HSDS 3.0 UK profile): the built areas' assets as services, the taxonomy as terms.

Each asset is one ``service`` at one physical ``location`` (``service_at_location``), tagged with
its categories as ``attributes`` whose ``taxonomy_term`` comes from assetmap's taxonomy (families
are the parent terms of their categories). Identifiers are UUIDs derived (UUID 5) from the area
and the asset id, so they stay the same from build to build. Everything is built once, at load;
a request filters, pages and serialises.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import numpy as np

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
NAMESPACE = uuid.UUID("6f1c5d4e-2b7a-5e0f-9c3d-8a1b2c3d4e5f")
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy/assetmap"))


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _http(url) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _text(v) -> str | None:
    """A non-empty string, or None (for None, NaN and blanks)."""
    return v.strip() or None if isinstance(v, str) else None


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    def as_dict(self) -> dict:
        pages = max(1, math.ceil(self.total / self.per_page))
        return {"total_items": self.total, "total_pages": pages, "page_number": self.page, "size": len(self.items),
                "first_page": self.page == 1, "last_page": self.page >= pages, "empty": self.total == 0,
                "contents": self.items}


class OrukCatalogue:
    """Services, taxonomies and taxonomy terms of every loaded area."""

    def __init__(self, areas: dict, taxonomy: dict):
        fams, cats = taxonomy["families"], taxonomy["categories"]
        self.terms = [{"id": uid("term", "family", k), "name": f["label"], "description": f"Family: {f['label']}",
                       "taxonomy_id": TAXONOMY_ID, "term": k} for k, f in fams.items()]
        fam_ids = {k: t["id"] for k, t in zip(fams, self.terms)}
        for k, c in cats.items():
            self.terms.append({"id": uid("term", "category", k), "name": c["label"],
                               "description": f"{c['label']} (OpenStreetMap: {'; '.join(c.get('osm', [])) or 'curated lists'})",
                               "parent_id": fam_ids.get(c["family"]), "taxonomy_id": TAXONOMY_ID, "term": k})
        self.term_by_id = {t["id"]: t for t in self.terms}
        self.term_by_key = {t["term"]: t for t in self.terms}
        self.taxonomy = {"id": TAXONOMY_ID, "name": "assetmap community assets",
                         "description": "Families and categories of community assets, as used by assetmap "
                                        "(asset-based community development).", "version": "1"}
        self.services: list[dict] = []
        self.listed: list[dict] = []
        xs, ys, text, terms = [], [], [], []
        for slug, ar in areas.items():
            built = ar.report.get("built_at")
            lad = {r["lsoa21_code"]: r.get("lad_name") for r in ar.neighbourhoods[["lsoa21_code", "lad_name"]].to_dict("records")}
            for rec, g, (x, y) in zip(ar.assets.drop(columns="geometry").to_dict("records"), ar.assets.geometry, ar._xy):
                rec = {**rec, "lon": round(float(g.x), 6), "lat": round(float(g.y), 6)}
                full, listed = self._service(slug, rec, built, lad, cats)
                self.services.append(full)
                self.listed.append(listed)
                xs.append(x)
                ys.append(y)
                text.append(" ".join(str(v) for v in (full["name"], full.get("description") or "",
                                                      *(cats[c]["label"] for c in rec["categories"] if c in cats))).lower())
                keys = set(rec["categories"]) | {cats[c]["family"] for c in rec["categories"] if c in cats}
                terms.append({self.term_by_key[k]["id"] for k in keys if k in self.term_by_key})
        self.by_id = {s["id"]: i for i, s in enumerate(self.services)}
        self._x, self._y = np.array(xs), np.array(ys)
        self._text, self._terms = text, terms

    def _service(self, slug: str, r: dict, built: str | None, lad: dict, cats: dict) -> tuple[dict, dict]:
        return service_record(slug, r, built, lad.get(r.get("lsoa21_code")), cats, self.term_by_key)

    # --- queries ---------------------------------------------------------------------------
    def find(self, search: str | None = None, term_ids: set | None = None, taxonomy_id: str | None = None,
             near: tuple[float, float] | None = None, within_m: float | None = None) -> list[int]:
        """Indices of matching services; nearest first when ``near`` (x, y in EPSG:27700) is given."""
        idx = np.arange(len(self.services))
        if search:
            words = search.lower().split()
            idx = np.array([i for i in idx if all(w in self._text[i] for w in words)], dtype=int)
        if term_ids:
            idx = np.array([i for i in idx if self._terms[i] & term_ids], dtype=int)
        if taxonomy_id is not None and taxonomy_id != TAXONOMY_ID:
            idx = np.array([], dtype=int)
        if near is not None:
            d = np.hypot(self._x[idx] - near[0], self._y[idx] - near[1])
            keep = d <= within_m if within_m is not None else np.ones(len(idx), bool)
            idx = idx[keep][np.argsort(d[keep], kind="stable")]
        return [int(i) for i in idx]

    def page(self, items: list, page: int, per_page: int) -> dict:
        start = (page - 1) * per_page
        return Page(items[start:start + per_page], len(items), page, per_page).as_dict()


def service_record(slug: str, r: dict, built: str | None, city: str | None, cats: dict,
                   term_by_key: dict) -> tuple[dict, dict]:
    """One asset as an ORUK service: (the full service, its listing form). ``r`` holds asset_id,
    name, description, email, website, address, postcode, lat, lon, category, categories."""
    r = {k: (_text(v) if k in ("name", "description", "email", "website", "address", "postcode") else v)
         for k, v in r.items()}
    sid = uid("service", slug, r["asset_id"])
    cat_label = cats.get(r["category"], {}).get("label", r["category"])
    name = r.get("name") or f"Unnamed {cat_label.lower()}"
    listed = {"id": sid, "name": name, "status": "active",
              "description": r.get("description") or f"{cat_label} in {city or slug}",
              "url": _http(r.get("website")), "email": r.get("email") or None,
              "last_modified": built}
    listed = {k: v for k, v in listed.items() if v is not None}
    loc_id = uid("location", slug, r["asset_id"])
    location = {"id": loc_id, "location_type": "physical", "name": name, "latitude": r["lat"], "longitude": r["lon"]}
    if r.get("address") and r.get("postcode"):
        location["addresses"] = [{"id": uid("address", slug, r["asset_id"]), "location_id": loc_id,
                                  "address_1": r["address"], "city": city or "",
                                  "state_province": "England", "postal_code": r["postcode"], "country": "GB",
                                  "address_type": "physical"}]
    attributes = [{"id": uid("attribute", slug, r["asset_id"], c), "link_id": sid, "link_type": "service",
                   "link_entity": "service", "taxonomy_term_id": term_by_key[c]["id"],
                   "taxonomy_term": term_by_key[c]}
                  for c in r["categories"] if c in term_by_key]
    full = {**listed, "service_at_locations": [{"id": uid("sal", slug, r["asset_id"]), "service_id": sid,
                                                 "location_id": loc_id, "location": location}],
            "attributes": attributes}
    return full, listed
