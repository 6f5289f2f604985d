"""Published registry services as curated records of the build (the shared contract for activities).

A service at a placed location is one record per location: the venue's name, address and point,
``record_kind`` "service", ``service_name``, ``cost``, ``access``, ``eligibility``,
``contact_name``, ``languages``, ``schedules`` (JSON text: HSDS 3.0 schedule objects, the
service's own and those of that service at that location) and ``area_wide`` false. A service with
no location (area-wide) is one record with an empty geometry and ``area_wide`` true, included only
in the build of the area it was imported for (``--area``). The build side (turning these into
sessions) reads them; see ``assetmap.ingest.curated.CURATED_COLUMNS``.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CuratedAsset
from .models_services import Schedule, Service, ServiceAtLocation

SERVICE_COLUMNS = ["record_kind", "service_name", "cost", "access", "eligibility", "contact_name", "languages",
                   "schedules", "area_wide"]
SCHEDULE_KEYS = ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                 "dtstart", "until", "description")


def schedule_object(s: Schedule) -> dict[str, Any]:
    """One schedule as an HSDS 3.0 object (only the keys it has; dates ISO, times HH:MM)."""
    out = {}
    for k in SCHEDULE_KEYS:
        v = getattr(s, k)
        if v is not None:
            out[k] = v.isoformat() if hasattr(v, "isoformat") else v
    return out


def service_records(session: Session, bbox_lonlat: tuple[float, float, float, float] | None = None,
                    area: str | None = None) -> list[dict[str, Any]]:
    """The published services as curated records: at placed locations (inside ``bbox_lonlat`` when given),
    and the area-wide ones of ``area`` (``lon``/``lat`` None)."""
    services = {s.id: s for s in session.scalars(select(Service).where(Service.status == "published")
                                                 .order_by(Service.source, Service.source_id))}
    if not services:
        return []
    by_owner: dict[str, list[dict]] = defaultdict(list)
    for s in session.scalars(select(Schedule).order_by(Schedule.id)):
        by_owner[s.service_id or s.service_at_location_id or ""].append(schedule_object(s))
    out = []
    links = session.execute(select(ServiceAtLocation, CuratedAsset).join(
        CuratedAsset, CuratedAsset.id == ServiceAtLocation.asset_id).where(
        CuratedAsset.status == "published", ServiceAtLocation.service_id.in_(list(services)))
        .order_by(ServiceAtLocation.id)).all()
    for sal, asset in links:
        if bbox_lonlat is not None and not (bbox_lonlat[0] <= asset.lon <= bbox_lonlat[2]
                                            and bbox_lonlat[1] <= asset.lat <= bbox_lonlat[3]):
            continue
        svc = services[sal.service_id]
        out.append(_record(svc, by_owner[svc.id] + by_owner[sal.id], sal.id, asset))
    for svc in services.values():
        if svc.area_wide and area is not None and svc.area == area:
            out.append(_record(svc, by_owner[svc.id], svc.id, None))
    return out


def _record(svc: Service, schedules: list[dict], source_id: str, asset: CuratedAsset | None) -> dict[str, Any]:
    place = asset or svc
    return {"source": svc.source, "source_id": source_id, "category": svc.category,
            "name": asset.name if asset else svc.name, "service_name": svc.name, "record_kind": "service",
            "description": svc.description, "website": svc.url or getattr(asset, "url", None),
            "phone": svc.phone or getattr(asset, "phone", None), "email": svc.email or getattr(asset, "email", None),
            "address": getattr(place, "address", None), "postcode": getattr(place, "postcode", None),
            "opening_hours": None, "wheelchair": getattr(asset, "wheelchair", None),
            "located_by": asset.located_by if asset else None, "cost": svc.cost, "access": svc.access,
            "eligibility": svc.eligibility, "contact_name": svc.contact_name, "languages": svc.languages,
            "schedules": json.dumps(schedules, ensure_ascii=False) if schedules else None,
            "area_wide": asset is None, "lon": asset.lon if asset else None, "lat": asset.lat if asset else None,
            "last_verified": svc.last_verified.isoformat() if svc.last_verified else None}
