"""Open Referral UK (HSDS 3.0 UK profile): the built areas' assets as services, the taxonomy as terms.

Each asset is one ``service`` at one physical ``location`` (``service_at_location``), tagged with
its categories as ``attributes`` whose ``taxonomy_term`` comes from assetmap's taxonomy (families
are the parent terms of their categories). The records themselves are made by
:mod:`assetmap.oruk.records`; activities held at a place (the build's sessions) are services of their
own, with their schedules, made by :mod:`assetmap.oruk.activities`. Everything is built once, at
load; a request filters, pages and serialises.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activities import activity_services
from .records import service_at_location, service_record, uid

# the root's "version": the validator picks its test profile from it (HSDS-UK-1.0 or HSDS-UK-3.0)
HSDS_VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
TAXONOMY_ID = uid("taxonomy/assetmap")
# the fields of a service in a listing (the profile's service_list schema)
LISTED = ("id", "organization_id", "name", "description", "url", "email", "status", "fees", "accreditations",
          "minimum_age", "maximum_age", "assured_date", "assurer_email", "alert", "last_modified", "organization")


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    def as_dict(self) -> dict:
        pages = max(1, math.ceil(self.total / self.per_page))
        return {"total_items": self.total, "total_pages": pages, "page_number": self.page, "size": len(self.items),
                "first_page": self.page == 1, "last_page": self.page >= pages, "empty": not self.items,
                "contents": self.items}


class OrukCatalogue:
    """Services, taxonomies and taxonomy terms of every loaded area."""

    def __init__(self, areas: dict, taxonomy: dict):
        fams, cats = taxonomy["families"], taxonomy["categories"]
        self.terms = [{"id": uid("term", "family", k), "name": f["label"], "description": f"Family: {f['label']}",
                       "taxonomy_id": TAXONOMY_ID, "term": k} for k, f in fams.items()]
        fam_ids = {k: t["id"] for k, t in zip(fams, self.terms, strict=False)}
        for k, c in cats.items():
            self.terms.append({"id": uid("term", "category", k), "name": c["label"],
                               "description": f"{c['label']} (OpenStreetMap: "
                                              f"{'; '.join(c.get('osm', [])) or 'curated lists'})",
                               "parent_id": fam_ids.get(c["family"]), "taxonomy_id": TAXONOMY_ID, "term": k})
        self.term_by_id = {t["id"]: t for t in self.terms}
        self.term_by_key = {t["term"]: t for t in self.terms}
        self.taxonomy = {"id": TAXONOMY_ID, "name": "assetmap community assets",
                         "description": "Families and categories of community assets, as used by assetmap "
                                        "(asset-based community development).", "version": "1"}
        self.services: list[dict] = []
        self.listed: list[dict] = []
        self.sal_listed: list[list[dict]] = []  # per service: its services at locations, listing form
        xs, ys, text, terms = [], [], [], []
        for slug, ar in areas.items():
            built = ar.report.get("built_at")
            nb = ar.neighbourhoods[["lsoa21_code", "lad_name"]].to_dict("records")
            lad = {r["lsoa21_code"]: r.get("lad_name") for r in nb}
            at: dict[str, tuple] = {}
            for rec, g, (x, y) in zip(ar.assets.drop(columns="geometry").to_dict("records"), ar.assets.geometry, ar._xy,
                                      strict=False):
                rec = {**rec, "lon": round(float(g.x), 6), "lat": round(float(g.y), 6)}
                full, listed, sal = service_record(slug, rec, built, lad.get(rec.get("lsoa21_code")), cats,
                                                   self.term_by_key)
                self.services.append(full)
                self.listed.append(listed)
                self.sal_listed.append([sal])
                xs.append(x)
                ys.append(y)
                text.append(" ".join(str(v) for v in (full["name"], full.get("description") or "",
                                                      *(cats[c]["label"] for c in rec["categories"]
                                                        if c in cats))).lower())
                keys = set(rec["categories"]) | {cats[c]["family"] for c in rec["categories"] if c in cats}
                terms.append({self.term_by_key[k]["id"] for k in keys if k in self.term_by_key})
                at[rec["asset_id"]] = (rec, x, y, keys)
            # activities held at these places (assetmap.oruk.activities); area-wide ones have no location here
            for full, listed, act_sal in activity_services(slug, ar.dir, {k: v[0] for k, v in at.items()}, built,
                                                       lambda a, lad=lad: lad.get(a.get("lsoa21_code"))):
                loc = full["service_at_locations"][0]["location"]["external_identifier"] if act_sal else None
                if act_sal is None or loc not in at:
                    continue
                self.services.append(full)
                self.listed.append(listed)
                self.sal_listed.append([act_sal])
                xs.append(at[loc][1])
                ys.append(at[loc][2])
                text.append(f"{full['name']} {full.get('description') or ''}".lower())
                terms.append({self.term_by_key[k]["id"] for k in at[loc][3] if k in self.term_by_key})
        self._x, self._y = np.array(xs, dtype=float), np.array(ys, dtype=float)
        self._text, self._terms = text, terms
        self._index()

    def _index(self) -> None:
        self.by_id = {s["id"]: i for i, s in enumerate(self.services)}
        self.sal_by_id = {sal["id"]: (i, j) for i, sals in enumerate(self.sal_listed) for j, sal in enumerate(sals)}

    def add_registry(self, entries: list[tuple[dict, str, tuple[float, float] | None]], cats: dict) -> None:
        """Add the registry's services (see :func:`assetmap.registry.hsds_export.catalogue_entries`):
        ``(full ORUK service, category key, (x, y) in EPSG:27700 of its first location or None)``.
        A service with no location (area-wide) comes after the located ones when sorted by distance,
        and is left out when a distance limit is given."""
        n = self._built = getattr(self, "_built", len(self.services))  # replaces any registry services added before
        del self.services[n:], self.listed[n:], self.sal_listed[n:], self._text[n:], self._terms[n:]
        xs, ys = list(self._x[:n]), list(self._y[:n])
        for full, category, point in entries:
            listed = {k: full[k] for k in LISTED if k in full}
            self.services.append(full)
            self.listed.append(listed)
            self.sal_listed.append([{**{k: v for k, v in sal.items() if k != "schedules"}, "service_id": full["id"],
                                     "location_id": sal["location"]["id"], "service": listed}
                                    for sal in full.get("service_at_locations", [])])
            xs.append(point[0] if point else np.nan)
            ys.append(point[1] if point else np.nan)
            label = cats.get(category, {}).get("label", category)
            self._text.append(" ".join((full["name"], full.get("description") or "", label)).lower())
            keys = {category, cats.get(category, {}).get("family", "")}
            self._terms.append({self.term_by_key[k]["id"] for k in keys if k in self.term_by_key})
        self._x, self._y = np.array(xs, dtype=float), np.array(ys, dtype=float)
        self._index()

    def term_ids(self, values: list[str]) -> set[str]:
        """Taxonomy term ids from ids or term codes (``food_bank``), as ``taxonomy_term_id`` accepts."""
        out = set()
        for v in values:
            t = self.term_by_id.get(v) or self.term_by_key.get(v)
            out.add(t["id"] if t else v)  # an unknown value matches nothing, as an unknown id does
        return out

    def service_at_location(self, sal_id: str) -> dict | None:
        found = self.sal_by_id.get(sal_id)
        if found is None:
            return None
        i, j = found
        return service_at_location(self.services[i], j)

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
            d = np.where(np.isnan(d), np.inf, d)  # area-wide services: everywhere, after the located ones
            keep = d <= within_m if within_m is not None else np.ones(len(idx), bool)
            idx = idx[keep][np.argsort(d[keep], kind="stable")]
        return [int(i) for i in idx]

    def page(self, items: list, page: int, per_page: int) -> dict:
        start = (page - 1) * per_page
        return Page(items[start:start + per_page], len(items), page, per_page).as_dict()
