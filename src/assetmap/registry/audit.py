"""The audit log: who changed which record, when, from what to what."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditLog, dumps


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (date, datetime)) else v


def snapshot(obj, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The record's column values (or just ``fields``) as JSON-ready data."""
    cols = fields or tuple(c.key for c in obj.__table__.columns)
    return {k: _plain(getattr(obj, k)) for k in cols}


def audit_values(who: str, action: str, table: str, record_id: Any, before: dict | None = None,
                 after: dict | None = None) -> dict[str, Any]:
    """The columns of one audit entry (for :func:`write_audit`, or a bulk insert of many)."""
    return dict(who=str(who)[:100], action=action[:40], table_name=table[:40], record_id=str(record_id)[:64],
                before_json=None if before is None else dumps({k: _plain(v) for k, v in before.items()}),
                after_json=None if after is None else dumps({k: _plain(v) for k, v in after.items()}))


def write_audit(session: Session, who: str, action: str, table: str, record_id: Any,
                before: dict | None = None, after: dict | None = None) -> AuditLog:
    """Add one audit entry (flushed with the caller's transaction, never committed here)."""
    entry = AuditLog(**audit_values(who, action, table, record_id, before, after))
    session.add(entry)
    return entry


def history(session: Session, table: str | None = None, record_id: Any = None, limit: int = 100) -> list[AuditLog]:
    """Newest first, optionally for one table or one record."""
    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if table:
        q = q.where(AuditLog.table_name == table)
    if record_id is not None:
        q = q.where(AuditLog.record_id == str(record_id))
    return list(session.scalars(q))
