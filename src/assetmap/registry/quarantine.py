"""Quarantined rows: list them, fix their values, re-submit them through the same validation, or discard them.

A quarantined row keeps the record exactly as the file had it (``original``) and, beside it, the
record as assetmap fields (``values``), which a curator edits. Re-submitting validates ``values``
again: if it passes, the asset is stored (inserted or updated, audited) and the row is marked
``resubmitted``; if not, the row stays open with the new reasons.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import RegistryError
from ..taxonomy import load_taxonomy
from .assets import store_asset
from .audit import write_audit
from .models import QUARANTINE_STATUSES, CuratedAsset, QuarantineRow, dumps, utcnow
from .validate import FIELDS, Checks, Result, derive_source_id, validate


@dataclass
class Resubmitted:
    row: QuarantineRow
    result: Result
    outcome: str | None = None  # "inserted" / "updated" / "unchanged" when it passed
    asset: CuratedAsset | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok


def _query(source: str | None, status: str | None, batch_id: int | None):
    if status is not None and status not in QUARANTINE_STATUSES:
        raise RegistryError(f"quarantine status {status!r} is not one of {', '.join(QUARANTINE_STATUSES)}")
    q = select(QuarantineRow)
    if source:
        q = q.where(QuarantineRow.source == source)
    if status:
        q = q.where(QuarantineRow.status == status)
    if batch_id is not None:
        q = q.where(QuarantineRow.batch_id == batch_id)
    return q


def list_quarantine(session: Session, source: str | None = None, status: str | None = "open",
                    batch_id: int | None = None, limit: int = 100, offset: int = 0) -> list[QuarantineRow]:
    """Quarantined rows, oldest first (by batch, then row number)."""
    q = _query(source, status, batch_id).order_by(QuarantineRow.batch_id, QuarantineRow.row_number, QuarantineRow.id)
    return list(session.scalars(q.limit(limit).offset(offset)))


def count_quarantine(session: Session, source: str | None = None, status: str | None = "open",
                     batch_id: int | None = None) -> int:
    q = _query(source, status, batch_id)
    return session.scalar(select(func.count()).select_from(q.subquery())) or 0


def get_quarantine(session: Session, qid: int) -> QuarantineRow:
    row = session.get(QuarantineRow, qid)
    if row is None:
        raise RegistryError(f"no quarantined row {qid}; list the quarantine to find its number")
    return row


def _require_open(row: QuarantineRow) -> None:
    if row.status != "open":
        raise RegistryError(f"quarantined row {row.id} is {row.status}, not open; only open rows can be changed")


def fix_quarantine(session: Session, qid: int, changes: dict[str, Any], who: str) -> QuarantineRow:
    """Edit the row's field values (audited); the original values are never changed."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise RegistryError(f"cannot set {unknown} on a quarantined row; the fields are {', '.join(FIELDS)}")
    row = get_quarantine(session, qid)
    _require_open(row)
    values = row.values
    before = {k: values.get(k) for k in changes}
    values.update(changes)
    row.values_json = dumps(values)
    row.updated_at = utcnow()
    write_audit(session, who, "fix", "quarantine_row", row.id, before, dict(changes))
    return row


def resubmit_quarantine(session: Session, qid: int, who: str, *, checks: Checks | None = None, lookup=None,
                        changes: dict[str, Any] | None = None, area: str | None = None) -> Resubmitted:
    """Validate the row's values again (after applying ``changes``) and store the asset when they pass."""
    if changes:
        fix_quarantine(session, qid, changes, who)
    row = get_quarantine(session, qid)
    _require_open(row)
    checks = checks or Checks(load_taxonomy(), lookup)
    values = row.values
    if not (isinstance(values.get("id"), str) and values["id"].strip()):
        values["id"] = derive_source_id(row.source, values.get("name"), values.get("postcode"))
    result = validate(values, checks)
    if not result.ok:
        row.reasons_json = dumps(result.reasons, sort_keys=False)
        row.updated_at = utcnow()
        return Resubmitted(row, result)
    outcome, asset = store_asset(session, row.source, result.values, who, area=area)
    session.flush()
    row.status, row.asset_id, row.resolved_by, row.updated_at = "resubmitted", asset.id, who[:100], utcnow()
    write_audit(session, who, "resubmit", "quarantine_row", row.id, {"status": "open"},
                {"status": "resubmitted", "asset_id": asset.id, "outcome": outcome})
    return Resubmitted(row, result, outcome, asset)


def discard_quarantine(session: Session, qid: int, who: str, note: str | None = None) -> QuarantineRow:
    """Mark the row as not to be imported (audited, kept for the record)."""
    row = get_quarantine(session, qid)
    _require_open(row)
    row.status, row.resolved_by, row.updated_at = "discarded", who[:100], utcnow()
    write_audit(session, who, "discard", "quarantine_row", row.id, {"status": "open"},
                {"status": "discarded", "note": note})
    return row


def quarantine_groups(session: Session, status: str = "open") -> list[tuple[str, int, int]]:
    """``(source, batch id, rows)`` of the quarantine with ``status``, newest batch first."""
    q = (select(QuarantineRow.source, QuarantineRow.batch_id, func.count()).where(QuarantineRow.status == status)
         .group_by(QuarantineRow.source, QuarantineRow.batch_id).order_by(QuarantineRow.batch_id.desc()))
    return [(s, b, n) for s, b, n in session.execute(q)]
