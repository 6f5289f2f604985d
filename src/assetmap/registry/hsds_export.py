"""The registry's services as Open Referral UK (HSDS 3.0 UK profile) records: lossless for imports.

A record imported from a feed is written back as the feed gave it; a column a curator has changed
since (it differs from the value read from the feed) replaces the record's field. A record made in
the registry is written from its columns. Ids are the feed's own when they are UUIDs, else the
registry's. A location still waiting in quarantine for its point is written without one (its
feed point was refused: the registry does not vouch for it); once a curator places it, it links up.

Feeds in the wild do not always validate: the export repairs what the profile's schema refuses and
nothing else (:func:`repair`): an empty web address or email is left out (it says nothing), a bare
host (``www.example.org``) gets ``http://``, and text that is no address at all is left out.
"""
from __future__ import annotations

import re
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .assets import asset_id
from .models import CuratedAsset, loads
from .models_services import Organization, Schedule, Service, ServiceAtLocation

SERVICE_FIELDS = {"name": "name", "description": "description", "url": "url", "email": "email",
                  "last_verified": "assured_date", "cost": "fees", "eligibility": "eligibility_description"}
ORG_FIELDS = {"name": "name", "description": "description", "url": "website", "email": "email"}
SCHEDULE_FIELDS = ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                   "dtstart", "until", "description")
LOCATION_FIELDS = {"name": "name", "description": "description", "lat": "latitude", "lon": "longitude"}


URL_KEYS = frozenset({"url", "uri", "website", "logo", "schedule_link", "term_uri"})
EMAIL_KEYS = frozenset({"email", "assurer_email"})
_BARE_HOST = re.compile(r"^(?:www\.)?[a-z0-9\-]+(?:\.[a-z0-9\-]+)+(?:[/?#]\S*)?$", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def repair(value: Any) -> Any:
    """``value`` with the web addresses and emails the profile's schema would refuse repaired or left out."""
    if isinstance(value, list):
        return [repair(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k in URL_KEYS and isinstance(v, str):
            v = v.strip()
            if not re.match(r"^https?://\S+$", v, re.I):
                if not _BARE_HOST.match(v):
                    continue
                v = "http://" + v
        elif k in EMAIL_KEYS and isinstance(v, str) and not _EMAIL.match(v.strip()):
            continue
        out[k] = repair(v)
    return out


def hsds_id(source_id: str | None, fallback: str) -> str:
    """The feed's id when it is a UUID (as the profile requires), else ``fallback``."""
    try:
        return str(uuid.UUID(str(source_id))) if source_id else fallback
    except ValueError:
        return fallback


def _plain(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _merge(row: Any, fields: dict[str, str]) -> dict:
    """The stored record with every changed column written over its field (all columns for a new record)."""
    stored = loads(row.extra_json) or {}
    out = dict(stored.get("hsds") or {})
    as_read = stored.get("as_read")
    for col, key in fields.items():
        value = _plain(getattr(row, col))
        if as_read is not None and str(_plain(as_read.get(col))) == str(value):
            continue  # unchanged since the import: the feed's own text stays
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def schedule_json(s: Schedule, link: dict) -> dict:
    out = _merge(s, {f: f for f in SCHEDULE_FIELDS})
    out["id"] = hsds_id(s.source_id, str(uuid.uuid5(uuid.NAMESPACE_URL, f"assetmap/schedule/{s.id}")))
    new = not loads(s.extra_json)
    out.update({k: v for k, v in link.items() if new or k in out})  # references follow the ids written
    return out


def location_json(asset: CuratedAsset | None, given: dict | None) -> dict:
    if asset is None:  # the location's point is in quarantine: its record, without the refused point
        loc = {k: v for k, v in (given or {}).items() if k not in ("latitude", "longitude")}
        return {**loc, "id": hsds_id(loc.get("id"), str(uuid.uuid5(uuid.NAMESPACE_URL, str(loc))))}
    out = _merge(asset, LOCATION_FIELDS)
    out.setdefault("location_type", "physical")
    out["id"] = hsds_id(asset.source_id, asset.id)
    if not loads(asset.extra_json):
        if asset.address and asset.postcode:
            out["addresses"] = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"assetmap/address/{asset.id}")),
                                 "location_id": out["id"], "address_1": asset.address, "city": "",
                                 "state_province": "England", "postal_code": asset.postcode, "country": "GB",
                                 "address_type": "physical"}]
        said = [t for f, t in (("step_free", "Step-free access"), ("accessible_toilet", "Accessible toilet"),
                               ("hearing_loop", "Hearing loop")) if getattr(asset, f)]
        if said:
            out["accessibility"] = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"assetmap/access/{asset.id}")),
                                     "location_id": out["id"], "description": "; ".join(said)}]
    return out


class _Parts:
    """The organisations, links, schedules and locations of a set of services, read in a few queries."""

    def __init__(self, session: Session, services: list[Service]):
        ids = [s.id for s in services]
        self.orgs = {o.id: o for o in session.scalars(select(Organization).where(
            Organization.id.in_({s.organization_id for s in services if s.organization_id})))}
        self.sals: dict[str, list[ServiceAtLocation]] = defaultdict(list)
        for sal in session.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id.in_(ids))
                                   .order_by(ServiceAtLocation.id)):
            self.sals[sal.service_id].append(sal)
        sal_ids = [x.id for v in self.sals.values() for x in v]
        self.schedules: dict[str, list[Schedule]] = defaultdict(list)
        for s in session.scalars(select(Schedule).where(
                Schedule.service_id.in_(ids) | Schedule.service_at_location_id.in_(sal_ids)).order_by(Schedule.id)):
            self.schedules[s.service_id or s.service_at_location_id or ""].append(s)
        self.session = session

    def asset(self, svc: Service, sal: ServiceAtLocation) -> CuratedAsset | None:
        if sal.asset_id:
            return self.session.get(CuratedAsset, sal.asset_id)
        given = loads(sal.location_json) or {}
        return self.session.get(CuratedAsset, asset_id(svc.source, str(given.get("id")))) if given.get("id") else None


def service_json(svc: Service, parts: _Parts) -> dict:
    out = _merge(svc, SERVICE_FIELDS)
    out["id"] = sid = hsds_id(svc.source_id, svc.id)
    out["status"] = "inactive" if svc.status == "hidden" else out.get("status", "active")
    new = not loads(svc.extra_json)
    if svc.organization_id in parts.orgs:
        org = parts.orgs[svc.organization_id]
        out["organization"] = {**_merge(org, ORG_FIELDS), "id": hsds_id(org.source_id, org.id)}
        if "organization_id" in out or new:
            out["organization_id"] = out["organization"]["id"]
    if new and svc.contact_name:
        out["contacts"] = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"assetmap/contact/{svc.id}")),
                            "service_id": sid, "name": svc.contact_name}]
    schedules = parts.schedules.get(svc.id, [])
    if schedules or "schedules" in (svc.extra or {}) or new:
        out["schedules"] = [schedule_json(s, {"service_id": sid}) for s in schedules]
    sals = []
    for sal in parts.sals.get(svc.id, []):
        item = {**sal.extra, "id": hsds_id(sal.source_id, sal.id),
                "location": location_json(parts.asset(svc, sal), loads(sal.location_json))}
        links = {"service_id": sid, "location_id": item["location"]["id"]}
        item.update({k: v for k, v in links.items() if not sal.extra or k in item})
        if parts.schedules.get(sal.id):
            item["schedules"] = [schedule_json(s, {"service_at_location_id": item["id"]})
                                 for s in parts.schedules[sal.id]]
        sals.append(item)
    if sals or "service_at_locations" in (svc.extra or {}) or new:
        out["service_at_locations"] = sals
    return out


def export_services(session: Session, source: str | None = None, include_hidden: bool = False) -> list[dict]:
    """The registry's services (of ``source``) as full ORUK service records, in the order imported."""
    q = select(Service).order_by(Service.source, Service.created_at, Service.source_id)
    if source:
        q = q.where(Service.source == source)
    if not include_hidden:
        q = q.where(Service.status == "published")
    services = list(session.scalars(q))
    parts = _Parts(session, services)
    return [repair(service_json(s, parts)) for s in services]


def catalogue_entries(session: Session) -> list[tuple[dict, str, tuple[float, float] | None]]:
    """Published services for the ORUK API (:meth:`assetmap.oruk.catalogue.OrukCatalogue.add_registry`):
    each as ``(full record, category, (x, y) in EPSG:27700 of its first placed location, or None)``."""
    from ..serving.coords import lonlat_to_bng

    services = list(session.scalars(select(Service).where(Service.status == "published")
                                    .order_by(Service.source, Service.created_at, Service.source_id)))
    parts = _Parts(session, services)
    out = []
    for svc in services:
        full = repair(service_json(svc, parts))
        placed = [sal["location"] for sal in full.get("service_at_locations", [])
                  if isinstance(sal["location"].get("latitude"), (int, float))]
        point = lonlat_to_bng(placed[0]["longitude"], placed[0]["latitude"]) if placed else None
        out.append((full, svc.category, point))
    return out
