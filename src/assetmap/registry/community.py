"""What the public sends in: suggestions of new assets and reports of problems with listed ones.

Both are stored as given and wait for a moderator: a suggestion is approved (validated again and
stored as an asset of source ``suggestions``) or rejected; a problem report is resolved or
dismissed. Every decision is audited. ``client_hash`` keeps no address, only a salted digest a
moderator can use to spot repeated submissions.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import RegistryError, RowValidationError
from .assets import get_asset, store_asset
from .audit import write_audit
from .models import PROBLEM_STATUSES, PROBLEM_TOPICS, SUGGESTION_STATUSES, ProblemReport, Suggestion, dumps, utcnow
from .validate import FIELDS, Checks, validate

SUGGESTION_SOURCE = "suggestions"
MAX_REPORT_TEXT = 2000
# Kept with a suggestion for the moderators (how to reach the person who sent it), never published.
PRIVATE_FIELDS = ("contact",)
MAX_CONTACT = 254
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def client_hash(*parts: str, salt: str = "") -> str:
    """A salted SHA-256 of e.g. the client's address and user agent (nothing reversible is kept)."""
    return hashlib.sha256("\x1f".join([salt, *map(str, parts)]).encode("utf-8", "replace")).hexdigest()


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(FIELDS) - {"id"} - set(PRIVATE_FIELDS))
    if unknown:
        raise RegistryError(f"a suggestion cannot have field(s) {unknown}; use "
                            f"{', '.join(f for f in (*FIELDS, *PRIVATE_FIELDS) if f != 'id')}")
    return {k: v for k, v in fields.items() if k != "id"}


def check_contact(value: Any) -> str | None:
    """The optional contact of the person suggesting (one line, at most 254 characters), or None."""
    text = str(value or "").strip()
    if len(text) > MAX_CONTACT:
        raise RowValidationError([f"contact: too long ({len(text)} characters); shorten it to at most {MAX_CONTACT}"])
    if _CONTROL.search(text) or "\n" in text or "\r" in text:
        raise RowValidationError(["contact: contains a line break or control character; write it on one line"])
    return text or None


def _checked(fields: dict[str, Any], checks: Checks, sid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate ``fields`` (raises :class:`RowValidationError` listing every problem): (fields, clean values)."""
    reasons = []
    try:
        contact = check_contact(fields.get("contact"))
    except RowValidationError as exc:
        contact, reasons = None, list(exc.reasons)
    result = validate({**fields, "id": sid}, checks, reasons)
    if not result.ok:
        raise RowValidationError(result.reasons)
    return ({**fields, "contact": contact} if "contact" in fields else fields), result.values


def create_suggestion(session: Session, fields: dict[str, Any], checks: Checks | None = None,
                      client: str | None = None) -> Suggestion:
    """Store a public suggestion; with ``checks`` it is validated first (:class:`RowValidationError` lists why not)."""
    fields = _fields(fields)
    if checks is not None:
        fields, _ = _checked(fields, checks, "suggestion")
    s = Suggestion(status="pending", fields_json=dumps(fields), client_hash=client)
    session.add(s)
    session.flush()
    write_audit(session, "public", "suggest", "suggestion", s.id, None, fields)
    return s


def list_suggestions(session: Session, status: str | None = "pending", limit: int = 100,
                     offset: int = 0) -> list[Suggestion]:
    if status is not None and status not in SUGGESTION_STATUSES:
        raise RegistryError(f"suggestion status {status!r} is not one of {', '.join(SUGGESTION_STATUSES)}")
    q = select(Suggestion).order_by(Suggestion.id)
    if status:
        q = q.where(Suggestion.status == status)
    return list(session.scalars(q.limit(limit).offset(offset)))


def count_suggestions(session: Session, status: str = "pending") -> int:
    return session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.status == status)) or 0


def get_suggestion(session: Session, sid: int) -> Suggestion:
    s = session.get(Suggestion, sid)
    if s is None:
        raise RegistryError(f"no suggestion {sid}; list the pending suggestions to find its number")
    return s


def _pending(session: Session, sid: int) -> Suggestion:
    s = get_suggestion(session, sid)
    if s.status != "pending":
        raise RegistryError(f"suggestion {sid} is already {s.status}; only pending suggestions can be decided")
    return s


def approve_suggestion(session: Session, sid: int, who: str, checks: Checks,
                       changes: dict[str, Any] | None = None) -> Suggestion:
    """Validate the suggestion (with a moderator's ``changes``) and publish it as an asset."""
    s = _pending(session, sid)
    fields = {**s.fields, **_fields(changes or {})}
    fields, values = _checked(fields, checks, f"s{s.id}")
    _, asset = store_asset(session, SUGGESTION_SOURCE, values, who)
    session.flush()
    if changes:
        s.fields_json = dumps(fields)
    s.status, s.asset_id, s.decided_by, s.decided_at = "approved", asset.id, who[:100], utcnow()
    write_audit(session, who, "approve", "suggestion", s.id, {"status": "pending"},
                {"status": "approved", "asset_id": asset.id, "changes": changes or {}})
    return s


def update_suggestion(session: Session, sid: int, changes: dict[str, Any], who: str) -> Suggestion:
    """A moderator edits a pending suggestion's fields before deciding (audited; validated on approval)."""
    s = _pending(session, sid)
    old = s.fields
    changes = {k: v for k, v in _fields(changes).items() if old.get(k) != v}
    if changes:
        s.fields_json = dumps({**old, **changes})
        write_audit(session, who, "edit", "suggestion", s.id, {k: old.get(k) for k in changes}, changes)
    return s


def reject_suggestion(session: Session, sid: int, who: str, note: str | None = None) -> Suggestion:
    s = _pending(session, sid)
    s.status, s.decided_by, s.decided_at, s.decision_note = "rejected", who[:100], utcnow(), note
    write_audit(session, who, "reject", "suggestion", s.id, {"status": "pending"}, {"status": "rejected", "note": note})
    return s


def report_problem(session: Session, asset_id: str | None, topic: str, text: str | None = None,
                   client: str | None = None, *, area: str | None = None, map_asset_id: str | None = None,
                   place_name: str | None = None) -> ProblemReport:
    """A member of the public says a listed place is closed, has moved, has wrong details, or other:
    a registry asset (``asset_id``), or a place of a built area (``area``, ``map_asset_id`` and the
    ``place_name`` shown), which may come from OpenStreetMap or a curated file."""
    if asset_id is not None:
        get_asset(session, asset_id)
    elif not (area and map_asset_id):
        raise RegistryError("a report needs the place it is about: a registry asset id, or an area and a map asset id")
    if topic not in PROBLEM_TOPICS:
        raise RegistryError(f"topic {topic!r} is not one of {', '.join(PROBLEM_TOPICS)}")
    text = (text or "").strip() or None
    if text and len(text) > MAX_REPORT_TEXT:
        raise RegistryError(f"the report is {len(text)} characters long; shorten it to at most {MAX_REPORT_TEXT}")
    if text and _CONTROL.search(text):
        raise RegistryError("the report contains control characters; remove them")
    r = ProblemReport(asset_id=asset_id, topic=topic, text=text, status="open", client_hash=client, area=area,
                      map_asset_id=map_asset_id[:100] if map_asset_id else None,
                      place_name=place_name[:200] if place_name else None)
    session.add(r)
    session.flush()
    write_audit(session, "public", "report", "problem_report", r.id, None,
                {"asset_id": asset_id, "area": area, "map_asset_id": map_asset_id, "topic": topic, "text": text})
    return r


def list_problems(session: Session, status: str | None = "open", asset_id: str | None = None,
                  limit: int = 100, offset: int = 0) -> list[ProblemReport]:
    if status is not None and status not in PROBLEM_STATUSES:
        raise RegistryError(f"problem report status {status!r} is not one of {', '.join(PROBLEM_STATUSES)}")
    q = select(ProblemReport).order_by(ProblemReport.id)
    if status:
        q = q.where(ProblemReport.status == status)
    if asset_id:
        q = q.where(ProblemReport.asset_id == asset_id)
    return list(session.scalars(q.limit(limit).offset(offset)))


def count_problems(session: Session, status: str = "open") -> int:
    return session.scalar(select(func.count()).select_from(ProblemReport).where(ProblemReport.status == status)) or 0


def resolve_problem(session: Session, pid: int, who: str, status: str = "resolved",
                    note: str | None = None) -> ProblemReport:
    if status not in ("resolved", "dismissed"):
        raise RegistryError(f"a problem report is closed as 'resolved' or 'dismissed', not {status!r}")
    r = session.get(ProblemReport, pid)
    if r is None:
        raise RegistryError(f"no problem report {pid}; list the open reports to find its number")
    if r.status != "open":
        raise RegistryError(f"problem report {pid} is already {r.status}")
    r.status, r.resolved_by, r.resolved_at = status, who[:100], utcnow()
    write_audit(session, who, {"resolved": "resolve", "dismissed": "dismiss"}[status], "problem_report", r.id,
                {"status": "open"}, {"status": status, "note": note})
    return r
