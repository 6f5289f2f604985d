"""Storing an Open Referral feed's services (read by :mod:`.oruk_reader`) after its location rows.

Organisations and services are matched by ``(source, source id)``: inserted, updated (audited,
with the changed fields) or unchanged. A service's schedules and services at locations are
replaced by the feed's. A service at a location links to the location's curated asset when the
location row was accepted; a location still in quarantine keeps its record in the link
(``location_json``) until a curator places it. Locations get their accessibility and the feed's
location record (``extra_json``).
"""
from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .assets import _differs, asset_id
from .audit import write_audit
from .hsds_parts import accessibility
from .models import CuratedAsset, dumps, utcnow
from .models_services import Organization, Schedule, Service, ServiceAtLocation
from .oruk_reader import HsdsService

LOCATION_COLUMNS = ("name", "description", "lat", "lon")
NAMESPACE = uuid.UUID("5a0c9a61-3e55-5d2b-8f4e-1c2d3e4f5a6b")


def record_id(kind: str, source: str, *parts: str) -> str:
    """A stable id for a registry record: the same source and source ids always give the same id."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, source, *parts))))


def _upsert(session: Session, model, source: str, sid: str, values: dict, who: str) -> tuple[str, Any]:
    table = model.__tablename__
    row = session.scalar(select(model).where(model.source == source, model.source_id == sid))
    if row is None:
        row = model(id=record_id(table, source, sid), source=source, source_id=sid, **values)
        session.add(row)
        write_audit(session, who, "insert", table, row.id, None, {"source": source, "source_id": sid, **values})
        return "inserted", row
    changed = [k for k, v in values.items() if _differs(getattr(row, k), v)]
    if not changed:
        return "unchanged", row
    write_audit(session, who, "update", table, row.id, {k: getattr(row, k) for k in changed},
                {k: values[k] for k in changed})
    for k in changed:
        setattr(row, k, values[k])
    row.updated_at = utcnow()
    return "updated", row


def kept(record: dict, values: dict) -> str:
    """``extra_json``: the record as the feed gave it, and the columns as read from it (the export
    writes a column back into the record only when a curator has changed it since)."""
    return dumps({"hsds": record, "as_read": values}, sort_keys=False)


def _schedules(items: list[dict], **link: str) -> list[Schedule]:
    return [Schedule(source_id=s["source_id"], extra_json=kept(s["extra"], s["values"]), **link, **s["values"])
            for s in items]


def store_services(session: Session, services: list[HsdsService], source: str, who: str, *,
                   area: str | None = None, batch_id: int | None = None) -> dict[str, Any]:
    """Store ``services`` of ``source`` (inside the caller's transaction); returns counts for the report."""
    tally: Counter = Counter()
    for hs in services:
        org_id = None
        if hs.organization:
            o = hs.organization
            _, org = _upsert(session, Organization, source, o["source_id"][:100],
                             {**o["values"], "extra_json": kept(o["extra"], o["values"])}, who)
            org_id = org.id
        sid = (hs.source_id or f"name:{hs.values['name']}")[:100]
        values = {**hs.values, "organization_id": org_id, "area": area,
                  "extra_json": kept(hs.extra, hs.values), "status": "published"}
        outcome, svc = _upsert(session, Service, source, sid, values, who)
        if batch_id is not None and outcome != "unchanged":
            svc.batch_id = batch_id
        tally[outcome] += 1
        session.flush()
        _links(session, svc, hs, source)
        tally["area_wide"] += bool(hs.values["area_wide"])
        tally["schedules"] += len(hs.schedules) + sum(len(s["schedules"]) for s in hs.sals)
        tally["at_locations"] += len(hs.sals)
    session.flush()
    return dict(tally)


def _links(session: Session, svc: Service, hs: HsdsService, source: str) -> None:
    """Replace the service's schedules and services at locations with the feed's."""
    session.execute(delete(Schedule).where(Schedule.service_id == svc.id))
    session.execute(delete(ServiceAtLocation).where(ServiceAtLocation.service_id == svc.id))
    session.add_all(_schedules(hs.schedules, service_id=svc.id))
    for n, sal in enumerate(hs.sals):
        aid = asset_id(source, sal["location_id"])
        asset = session.get(CuratedAsset, aid)
        if asset is not None:
            asset.extra_json = kept(sal["location"], {k: getattr(asset, k) for k in LOCATION_COLUMNS})
            for k, v in accessibility(sal["location"]).items():
                if v is not None:
                    setattr(asset, k, v)
        link = ServiceAtLocation(id=record_id("sal", source, svc.source_id, sal["source_id"] or str(n)),
                                 service_id=svc.id, asset_id=aid if asset is not None else None,
                                 source_id=sal["source_id"], extra_json=kept(sal["extra"], {}),
                                 location_json=None if asset is not None else dumps(sal["location"], sort_keys=False))
        session.add(link)
        session.flush()
        session.add_all(_schedules(sal["schedules"], service_at_location_id=link.id))
