"""The public's suggestion of an activity or group with its times, and a curator approving it.

A suggestion of kind ``"activity"`` is kept, like a suggested place, as a :class:`~.models.Suggestion`
waiting for a moderator (its fields with ``"kind": "activity"``). Approving it creates a service
(source ``suggestions``) with its session (:mod:`.services_edit`), run at the venue's registry place
when one matches the venue's name and postcode; otherwise the curator links the place on the
service's page. Every step is audited; nothing is published before approval.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import RegistryError, RowValidationError
from .audit import write_audit
from .community import _pending, check_contact
from .models import CuratedAsset, Suggestion, dumps, utcnow
from .models_services import Service
from .services_edit import check_service, check_session, link_place, save_service, save_session

KIND = "activity"
ACTIVITY_KEYS = ("activity", "category", "description", "venue", "postcode", "byday", "often", "opens_at",
                 "closes_at", "cost", "access", "contact")
# how often, as the public form offers it: (freq, interval, nth)
OFTEN = {"weekly": ("WEEKLY", "1", ""), "fortnightly": ("WEEKLY", "2", ""), "monthly-1": ("MONTHLY", "", "1"),
         "monthly-2": ("MONTHLY", "", "2"), "monthly-3": ("MONTHLY", "", "3"), "monthly-4": ("MONTHLY", "", "4"),
         "monthly-last": ("MONTHLY", "", "-1")}
_SESSION_KEYS = {"freq": "often", "interval": "often", "nth": "often"}
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


def is_activity(fields: dict) -> bool:
    return fields.get("kind") == KIND


def check_activity(raw: dict[str, Any], categories: set[str] | None = None) -> dict[str, Any]:
    """The suggestion's fields checked (:class:`RowValidationError` lists every problem): the activity,
    its venue or postcode, and its session; returns the fields to keep (``"kind": "activity"``)."""
    fields = {k: (str(raw.get(k) or "").strip() or None) for k in ACTIVITY_KEYS}
    svc = check_service({**fields, "name": fields["activity"]}, categories)
    reasons = [r.replace("name:", "activity:", 1) if r.startswith("name:") else r for r in svc.reasons]
    reasons += [f"{_SESSION_KEYS.get(r.split(':')[0], r.split(':')[0])}:{r.split(':', 1)[1]}"
                for r in _session(fields).reasons]
    if not fields["venue"] and not fields["postcode"]:
        reasons.append("venue: give where it happens: the name of the venue, or its postcode")
    if fields["postcode"]:
        pc = re.sub(r"\s+", " ", fields["postcode"].upper())
        if not _POSTCODE.match(pc):
            reasons.append(f"postcode: {fields['postcode']!r} is not a UK postcode; give it like S40 1LP")
        fields["postcode"] = pc
    if fields["venue"] and len(fields["venue"]) > 200:
        reasons.append("venue: longer than 200 characters; shorten it")
    try:
        fields["contact"] = check_contact(fields["contact"])
    except RowValidationError as exc:
        reasons += exc.reasons
    if reasons:
        raise RowValidationError(list(dict.fromkeys(reasons)))
    return {"kind": KIND, **fields}


def _session(fields: dict[str, Any]):
    freq, interval, nth = OFTEN.get(fields.get("often") or "weekly", ("?", "1", ""))
    return check_session({"freq": freq, "interval": interval or "1", "nth": nth, "byday": fields.get("byday"),
                          "opens_at": fields.get("opens_at"), "closes_at": fields.get("closes_at")})


def create_activity_suggestion(session: Session, raw: dict[str, Any], categories: set[str] | None = None,
                               client: str | None = None) -> Suggestion:
    """Store the public's suggestion of an activity (checked first), waiting for a moderator."""
    fields = check_activity(raw, categories)
    s = Suggestion(status="pending", fields_json=dumps(fields), client_hash=client)
    session.add(s)
    session.flush()
    write_audit(session, "public", "suggest", "suggestion", s.id, None, fields)
    return s


def update_activity_suggestion(session: Session, sid: int, changes: dict[str, Any], who: str) -> Suggestion:
    """A moderator edits a pending activity suggestion's fields (audited; checked on approval)."""
    s = _pending(session, sid)
    old = s.fields
    changes = {k: v for k, v in changes.items() if k in ACTIVITY_KEYS and old.get(k) != v}
    if changes:
        s.fields_json = dumps({**old, **changes})
        write_audit(session, who, "edit", "suggestion", s.id, {k: old.get(k) for k in changes}, changes)
    return s


def find_venue(session: Session, venue: str | None, postcode: str | None) -> CuratedAsset | None:
    """The published registry place of the venue: same postcode and a name containing the venue's
    (or the only place at that postcode when no venue name is given); None when not found."""
    q = select(CuratedAsset).where(CuratedAsset.status == "published")
    if postcode:
        q = q.where(CuratedAsset.postcode == postcode)
    if venue:
        like = "%" + venue[:100].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(CuratedAsset.name.ilike(like, escape="\\"))
    elif not postcode:
        return None
    found = list(session.scalars(q.order_by(CuratedAsset.name, CuratedAsset.id).limit(2)))
    return found[0] if len(found) == 1 else None


def approve_activity(session: Session, sid: int, who: str, categories: set[str] | None = None,
                     changes: dict[str, Any] | None = None) -> tuple[Service, CuratedAsset | None]:
    """Check the suggestion again (with a moderator's ``changes``), then create its service and session,
    linked to the venue's place when found; audited."""
    s = _pending(session, sid)
    if not is_activity(s.fields):
        raise RegistryError(f"suggestion {sid} is of a place, not an activity; approve it as a place")
    fields = check_activity({**s.fields, **(changes or {})}, categories)
    svc = save_service(session, None, check_service({**fields, "name": fields["activity"]}).values, who,
                       source="suggestions")
    save_session(session, svc.id, None, _session(fields).values, who)
    venue = find_venue(session, fields["venue"], fields["postcode"])
    if venue is not None:
        link_place(session, svc.id, venue.id, who)
    if changes:
        s.fields_json = dumps(fields)
    s.status, s.asset_id, s.decided_by, s.decided_at = "approved", venue.id if venue else None, who[:100], utcnow()
    write_audit(session, who, "approve", "suggestion", s.id, {"status": "pending"},
                {"status": "approved", "service_id": svc.id, "asset_id": s.asset_id, "changes": changes or {}})
    return svc, venue
