"""Curated assets: storing a validated record (insert, update or unchanged, with audit), hiding and
publishing, marking as verified, and the list due for review."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import RegistryError
from .audit import audit_values, snapshot, write_audit
from .models import ASSET_STATUSES, CuratedAsset, utcnow
from .validate import STORED

NAMESPACE = uuid.UUID("0b6d1c0e-3f7a-5a4e-9d2b-6c1f7e8a9b30")


def asset_id(source: str, source_id: str) -> str:
    """The asset's stable id: the same source and source id always give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"curated/{source}/{source_id}"))


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is None or b is None or abs(float(a) - float(b)) > 1e-9
    return a != b


def new_asset(source: str, values: dict[str, Any], who: str, *, area: str | None = None,
              batch_id: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns of a new asset and of its "insert" audit entry, as :func:`store_asset` writes them
    (for a bulk insert of many new assets at once)."""
    sid = values["id"]
    fields = {k: values[k] for k in STORED}
    if area is not None:
        fields["area"] = area
    row = dict(id=asset_id(source, sid), source=source, source_id=sid, status="published", batch_id=batch_id,
               **fields)
    return row, audit_values(who, "insert", "curated_asset", row["id"], None,
                             {"source": source, "source_id": sid, **fields})


def store_asset(session: Session, source: str, values: dict[str, Any], who: str, *, area: str | None = None,
                batch_id: int | None = None, existing: CuratedAsset | None | bool = False) -> tuple[str, CuratedAsset]:
    """Insert or update the asset ``(source, values["id"])`` from validated ``values``.

    Returns ``("inserted" | "updated" | "unchanged", asset)``; inserts and updates write an audit
    entry (updates with the changed fields before and after). ``existing`` may be passed when the
    caller already looked the asset up (``None``: known to be absent).
    """
    sid = values["id"]
    if existing is False:
        existing = session.scalar(select(CuratedAsset).where(CuratedAsset.source == source,
                                                             CuratedAsset.source_id == sid))
    fields = {k: values[k] for k in STORED}
    if area is not None:
        fields["area"] = area
    if existing is None:
        asset = CuratedAsset(id=asset_id(source, sid), source=source, source_id=sid, status="published",
                             batch_id=batch_id, **fields)
        session.add(asset)
        write_audit(session, who, "insert", "curated_asset", asset.id, None, {"source": source, "source_id": sid,
                                                                             **fields})
        return "inserted", asset
    changed = [k for k, v in fields.items() if _differs(getattr(existing, k), v)]
    if not changed:
        return "unchanged", existing
    before = {k: getattr(existing, k) for k in changed}
    for k in changed:
        setattr(existing, k, fields[k])
    existing.updated_at = utcnow()
    if batch_id is not None:
        existing.batch_id = batch_id
    write_audit(session, who, "update", "curated_asset", existing.id, before, {k: fields[k] for k in changed})
    return "updated", existing


def get_asset(session: Session, asset_id_: str) -> CuratedAsset:
    asset = session.get(CuratedAsset, asset_id_)
    if asset is None:
        raise RegistryError(f"no curated asset with id {asset_id_!r}; check the id (list assets to find it)")
    return asset


def set_status(session: Session, asset_id_: str, status: str, who: str) -> CuratedAsset:
    """Publish or hide an asset (audited); hidden assets stay in the registry but are not shown."""
    if status not in ASSET_STATUSES:
        raise RegistryError(f"status {status!r} is not one of {', '.join(ASSET_STATUSES)}")
    asset = get_asset(session, asset_id_)
    if asset.status != status:
        write_audit(session, who, "set_status", "curated_asset", asset.id, {"status": asset.status}, {"status": status})
        asset.status = status
        asset.updated_at = utcnow()
    return asset


def mark_verified(session: Session, asset_id_: str, who: str, on: date | None = None) -> CuratedAsset:
    """Record that a curator checked the asset's details (audited)."""
    asset = get_asset(session, asset_id_)
    on = on or date.today()
    before = snapshot(asset, ("last_verified",))
    asset.last_verified = on
    asset.updated_at = utcnow()
    write_audit(session, who, "verify", "curated_asset", asset.id, before, {"last_verified": on})
    return asset


def _months_ago(today: date, months: int) -> date:
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    m += 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due_for_review(session: Session, months: int = 12, today: date | None = None, limit: int | None = None,
                   include_hidden: bool = False) -> list[CuratedAsset]:
    """Assets never verified, or last verified more than ``months`` ago: never-verified first, then oldest."""
    if months < 0:
        raise RegistryError(f"months = {months}; give a number of months of 0 or more")
    cutoff = _months_ago(today or date.today(), months)
    q = select(CuratedAsset).where(or_(CuratedAsset.last_verified.is_(None), CuratedAsset.last_verified < cutoff))
    if not include_hidden:
        q = q.where(CuratedAsset.status == "published")
    q = q.order_by(CuratedAsset.last_verified.is_not(None), CuratedAsset.last_verified, CuratedAsset.name,
                   CuratedAsset.id)
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))



def count_due(session: Session, months: int = 12, today: date | None = None) -> int:
    """How many published assets :func:`due_for_review` would list."""
    cutoff = _months_ago(today or date.today(), months)
    return session.scalar(select(func.count()).select_from(CuratedAsset).where(
        or_(CuratedAsset.last_verified.is_(None), CuratedAsset.last_verified < cutoff),
        CuratedAsset.status == "published")) or 0


def find_assets(session: Session, text: str, limit: int = 20) -> list[CuratedAsset]:
    """Published assets whose name, address or postcode contains ``text`` (case-insensitive), by name."""
    words = (text or "").strip()[:100]
    if not words:
        return []
    like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    q = select(CuratedAsset).where(CuratedAsset.status == "published", or_(
        CuratedAsset.name.ilike(like, escape="\\"), CuratedAsset.address.ilike(like, escape="\\"),
        CuratedAsset.postcode.ilike(like, escape="\\")))
    return list(session.scalars(q.order_by(CuratedAsset.name, CuratedAsset.id).limit(limit)))
