"""Exports for other directories: Open Referral UK JSON and spreadsheet-safe CSV.

* an area's merged assets (from its build), and
* the curated registry (what curators hold, published or not),

as one ORUK ``Page`` of full services (HSDS 3.0 UK profile: service, service_at_location,
location, address, attributes with taxonomy terms), plus the taxonomy terms, which the profile's
JSON Schemas validate (tested); or as CSV with formula-like cells neutralised.
"""
from __future__ import annotations

import csv
import datetime as dt
from typing import IO

from ..oruk.catalogue import HSDS_VERSION, PROFILE_URL, OrukCatalogue, Page
from ..oruk.records import service_record
from .read import AreaResults


def oruk_document(services: list[dict], terms: list[dict]) -> dict:
    """All ``services`` as one ORUK page, with the taxonomy terms they use."""
    doc = Page(services, len(services), 1, max(1, len(services))).as_dict()
    used = {a["taxonomy_term_id"] for s in services for a in s.get("attributes", [])}
    return {**doc, "hsds_version": HSDS_VERSION, "profile": PROFILE_URL,
            "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "taxonomy_terms": [t for t in terms if t["id"] in used]}


def area_oruk(ar: AreaResults) -> dict:
    """An area's merged assets as an ORUK document."""
    cat = OrukCatalogue({ar.slug: ar}, ar.taxonomy)
    return oruk_document(cat.services, cat.terms)


def registry_oruk(session, taxonomy: dict, include_hidden: bool = False) -> dict:
    """The registry's assets as an ORUK document (ids: UUID 5 of 'registry' and the asset id)."""
    from sqlalchemy import select

    from ..registry.models import CuratedAsset

    cat = OrukCatalogue({}, taxonomy)
    q = select(CuratedAsset).order_by(CuratedAsset.source, CuratedAsset.source_id)
    if not include_hidden:
        q = q.where(CuratedAsset.status == "published")
    services = []
    for a in session.scalars(q):
        rec = {"asset_id": a.id, "name": a.name, "description": a.description, "email": a.email,
               "website": a.url, "address": a.address, "postcode": a.postcode, "lat": round(a.lat, 6),
               "lon": round(a.lon, 6), "category": a.category, "categories": [a.category], "phone": a.phone,
               "opening_hours": a.opening_hours,
               "last_verified": a.last_verified.isoformat() if a.last_verified else None}
        changed = a.updated_at or a.created_at
        modified = changed.isoformat(timespec="seconds") if changed else None
        full, _, _ = service_record("registry", rec, modified, None, taxonomy["categories"], cat.term_by_key)
        services.append(full)
    return oruk_document(services, cat.terms)


def area_csv(ar: AreaResults, out: IO[str]) -> int:
    """An area's merged assets as CSV (the build's ``assets.csv``: formula-like cells already neutralised)."""
    path = ar.download_file("assets.csv")
    text = path.read_text(encoding="utf-8")
    out.write(text)
    return max(0, sum(1 for _ in csv.reader(text.splitlines())) - 1)
