"""Curators' edits of the registry's services and their sessions (schedules), checked and audited.

The curator pages (``app/blueprints/curate/services.py``) stay thin: they pass the form's text
here. :func:`check_service` and :func:`check_session` return the clean values and the reasons
that are wrong, each ``"field: what is wrong; how to fix it"`` (the form shows it beside the
field); the ``save_*`` functions store and write the audit log inside the caller's transaction.
A session made here is an HSDS 3.0 schedule of the service itself (``freq`` WEEKLY or MONTHLY,
``byday`` such as ``"TU"``, ``"MO,WE"`` or ``"1TU"``/``"-1FR"`` for the nth weekday of the month).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..activities.words import DAY_CODES, DAY_NAMES, when_words
from ..errors import RegistryError
from .audit import snapshot, write_audit
from .models import CuratedAsset, utcnow
from .models_services import ACCESS, Schedule, Service, ServiceAtLocation
from .publish_services import schedule_object

SOURCE = "curated"  # the source of services made by curators (and approved suggestions)
SERVICE_FIELDS = ("name", "description", "category", "cost", "eligibility", "access", "contact_name",
                  "languages", "area_wide")
SERVICE_LIMITS = {"name": 200, "description": 4000, "category": 64, "cost": 300, "eligibility": 2000,
                  "contact_name": 200, "languages": 300}
SESSION_FIELDS = ("freq", "byday", "nth", "interval", "opens_at", "closes_at", "valid_from", "valid_to", "note")
NTH = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th", "-1": "last"}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_NAMED = list(zip(DAY_NAMES, DAY_CODES, strict=True))
_DAY_WORDS = {**{c.lower(): c for c in DAY_CODES}, **{n.lower(): c for n, c in _NAMED},
              **{n[:3].lower(): c for n, c in _NAMED}, **{n.lower() + "s": c for n, c in _NAMED},
              "tues": "TU", "thur": "TH", "thurs": "TH"}


@dataclass
class Checked:
    """Clean values, and the reasons (empty when all is well)."""

    values: dict[str, Any]
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons


def _text(raw: dict, key: str, limit: int) -> str | None:
    v = str(raw.get(key) or "").strip()
    return v[:limit] if v else None


def check_service(raw: dict, categories: set[str] | None = None) -> Checked:
    """The service fields of a form (text) checked: a name, a known category, a known way in."""
    out = Checked({k: _text(raw, k, n) for k, n in SERVICE_LIMITS.items()})
    v = out.values
    for k, n in SERVICE_LIMITS.items():
        if len(str(raw.get(k) or "").strip()) > n:
            out.reasons.append(f"{k}: longer than {n} characters; shorten it")
    if not v["name"]:
        out.reasons.append("name: required; give the name of the activity or group")
    if not v["category"]:
        out.reasons.append("category: required; choose the type of activity from the list")
    elif categories is not None and v["category"] not in categories:
        out.reasons.append(f"category: {v['category']!r} is not a known category; choose one from the list")
    access = _text(raw, "access", 20)
    if access and access not in ACCESS:
        out.reasons.append(f"access: {access!r} is not one of {', '.join(ACCESS)}; choose one from the list")
    v["access"] = access if access in ACCESS else None
    v["area_wide"] = str(raw.get("area_wide") or "").lower() in ("1", "on", "true", "yes")
    return out


def _time(raw: dict, key: str, reasons: list[str], required: bool) -> str | None:
    v = str(raw.get(key) or "").strip()
    if not v:
        if required:
            reasons.append(f"{key}: required; give the time as HH:MM, e.g. 10:30")
        return None
    m = _TIME.match(v)
    if not m:
        reasons.append(f"{key}: {v!r} is not a time; give it as HH:MM on the 24-hour clock, e.g. 14:00")
        return None
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _date(raw: dict, key: str, reasons: list[str]) -> date | None:
    v = str(raw.get(key) or "").strip()
    if not v:
        return None
    try:
        return date.fromisoformat(v)
    except ValueError:
        reasons.append(f"{key}: {v!r} is not a date; give it as YYYY-MM-DD, e.g. 2026-11-01")
        return None


def parse_days(text: str, reasons: list[str]) -> list[str]:
    """Day names or codes ("Tue, Thu", "TU,TH", "Tuesday") as HSDS day codes; unknown ones as reasons."""
    days: list[str] = []
    for word in re.split(r"[,;/\s]+|\band\b", text or ""):
        w = word.strip().lower()
        if not w:
            continue
        code = _DAY_WORDS.get(w)
        if code is None:
            reasons.append(f"byday: {word.strip()!r} is not a day of the week; write a day such as Monday or Tue")
        elif code not in days:
            days.append(code)
    return sorted(days, key=DAY_CODES.index)


def check_session(raw: dict) -> Checked:
    """A session's form fields checked: how often, which day(s), start before end, dates in order."""
    reasons: list[str] = []
    freq = str(raw.get("freq") or "WEEKLY").strip().upper()
    if freq not in ("WEEKLY", "MONTHLY"):
        reasons.append(f"freq: {freq!r} is not WEEKLY or MONTHLY; choose weekly or monthly")
        freq = "WEEKLY"
    days = parse_days(str(raw.get("byday") or ""), reasons)
    if not days and not any(r.startswith("byday") for r in reasons):
        reasons.append("byday: required; give the day(s) it happens, e.g. Tuesday")
    nth = str(raw.get("nth") or "").strip()
    if freq == "MONTHLY":
        if nth not in NTH:
            reasons.append("nth: choose which week of the month (1st, 2nd, 3rd, 4th or last)")
        days = [f"{nth}{d}" for d in days] if nth in NTH else days
    interval_text = str(raw.get("interval") or "1").strip()
    interval = int(interval_text) if interval_text.isdigit() and 1 <= int(interval_text) <= 52 else None
    if interval is None:
        reasons.append(f"interval: {interval_text!r} is not a number of weeks from 1 to 52; give e.g. 1 or 2")
    opens, closes = _time(raw, "opens_at", reasons, True), _time(raw, "closes_at", reasons, False)
    if opens and closes and closes <= opens:
        reasons.append(f"closes_at: the end ({closes}) is not after the start ({opens}); give an end later "
                       "than the start")
    start, end = _date(raw, "valid_from", reasons), _date(raw, "valid_to", reasons)
    if start and end and end < start:
        reasons.append(f"valid_to: {end} is before valid_from {start}; put the dates in order")
    values = {"freq": freq, "byday": ",".join(days) or None, "interval": interval if freq == "WEEKLY" else None,
              "opens_at": opens, "closes_at": closes, "valid_from": start, "valid_to": end,
              "description": _text(raw, "note", 500)}
    return Checked(values, reasons)


def session_form(s: Schedule) -> dict[str, str]:
    """A stored session as the form's text (to edit it)."""
    codes = [c for c in (s.byday or "").split(",") if c]
    nth = codes[0][:-2] if codes and s.freq == "MONTHLY" else ""
    days = ", ".join(DAY_NAMES[DAY_CODES.index(c[-2:])] for c in codes if c[-2:] in DAY_CODES)
    return {"freq": s.freq or "WEEKLY", "byday": days, "nth": nth, "interval": str(s.interval or 1),
            "opens_at": s.opens_at or "", "closes_at": s.closes_at or "",
            "valid_from": s.valid_from.isoformat() if s.valid_from else "",
            "valid_to": s.valid_to.isoformat() if s.valid_to else "", "note": s.description or ""}


def session_words(s: Schedule) -> str:
    """'Tuesdays 10:30–12:00 (1 Nov 2026 to 31 Mar 2027)'."""
    obj = schedule_object(s)
    try:
        words = when_words(obj) if obj.get("byday") or obj.get("bymonthday") else f"at {obj.get('opens_at')}"
    except (ValueError, IndexError):
        words = f"{s.byday} {s.opens_at or ''}–{s.closes_at or ''}"
    season = [f"from {s.valid_from.isoformat()}" if s.valid_from else "",
              f"until {s.valid_to.isoformat()}" if s.valid_to else ""]
    return words + (f" ({' '.join(p for p in season if p)})" if any(season) else "")


def list_services(session: Session, text: str = "", offset: int = 0, limit: int = 50) -> tuple[list[Service], int]:
    """Services whose name, category or description contains ``text``, by name; and how many in all."""
    q = select(Service)
    words = (text or "").strip()[:100]
    if words:
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(Service.name.ilike(like, escape="\\"), Service.category.ilike(like, escape="\\"),
                        Service.description.ilike(like, escape="\\")))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(q.order_by(Service.name, Service.id).offset(max(0, offset)).limit(limit))
    return list(rows), total


def get_service(session: Session, service_id: str) -> Service:
    svc = session.get(Service, service_id)
    if svc is None:
        raise RegistryError(f"no service with id {service_id!r}; check the id (the list of services has them)")
    return svc


def service_places(session: Session, svc: Service) -> list[tuple[ServiceAtLocation, CuratedAsset | None]]:
    """The service's locations, with the registry place of each (None for one not placed yet)."""
    links = session.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id == svc.id)
                            .order_by(ServiceAtLocation.id))
    return [(sal, session.get(CuratedAsset, sal.asset_id) if sal.asset_id else None) for sal in links]


def service_sessions(session: Session, svc: Service) -> list[Schedule]:
    """The service's own sessions and those of the service at each of its locations."""
    sal_ids = select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == svc.id)
    return list(session.scalars(select(Schedule).where(or_(Schedule.service_id == svc.id,
                                                           Schedule.service_at_location_id.in_(sal_ids)))
                                .order_by(Schedule.id)))


def save_service(session: Session, service_id: str | None, values: dict[str, Any], who: str,
                 source: str = SOURCE) -> Service:
    """Create (``service_id`` None, of ``source``) or update a service with checked ``values``; audited."""
    if service_id is None:
        sid = str(uuid.uuid4())
        svc = Service(id=sid, source=source, source_id=sid, status="published", **values)
        session.add(svc)
        write_audit(session, who, "insert", "service", sid, None, {"source": source, **values})
        session.flush()
        return svc
    svc = get_service(session, service_id)
    changed = [k for k, v in values.items() if getattr(svc, k) != v]
    if changed:
        write_audit(session, who, "update", "service", svc.id, snapshot(svc, tuple(changed)),
                    {k: values[k] for k in changed})
        for k in changed:
            setattr(svc, k, values[k])
        svc.updated_at = utcnow()
    session.flush()
    return svc


def _own_session(session: Session, svc: Service, schedule_id: int) -> Schedule:
    for s in service_sessions(session, svc):
        if s.id == schedule_id:
            return s
    raise RegistryError(f"service {svc.id!r} has no session {schedule_id}; reload the service's page")


def save_session(session: Session, service_id: str, schedule_id: int | None, values: dict[str, Any],
                 who: str) -> Schedule:
    """Add (``schedule_id`` None) or change one session of the service, with checked ``values``; audited."""
    svc = get_service(session, service_id)
    if schedule_id is None:
        row = Schedule(service_id=svc.id, **values)
        session.add(row)
        session.flush()
        write_audit(session, who, "insert", "schedule", row.id, None, {"service_id": svc.id, **values})
    else:
        row = _own_session(session, svc, schedule_id)
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        if changed:
            write_audit(session, who, "update", "schedule", row.id, snapshot(row, tuple(changed)),
                        {k: values[k] for k in changed})
            for k in changed:
                setattr(row, k, values[k])
    svc.updated_at = utcnow()
    session.flush()
    return row


def remove_session(session: Session, service_id: str, schedule_id: int, who: str) -> None:
    svc = get_service(session, service_id)
    row = _own_session(session, svc, schedule_id)
    write_audit(session, who, "delete", "schedule", row.id, snapshot(row), None)
    session.delete(row)
    svc.updated_at = utcnow()
    session.flush()


def link_place(session: Session, service_id: str, asset_id: str, who: str) -> ServiceAtLocation:
    """Run the service at a registry place (an existing link to it is kept); audited."""
    svc = get_service(session, service_id)
    asset = session.get(CuratedAsset, (asset_id or "").strip())
    if asset is None:
        raise RegistryError(f"no registry place with id {asset_id!r}; search for the place and choose it")
    for sal, _ in service_places(session, svc):
        if sal.asset_id == asset.id:
            return sal
    sal = ServiceAtLocation(id=str(uuid.uuid4()), service_id=svc.id, asset_id=asset.id)
    session.add(sal)
    write_audit(session, who, "insert", "service_at_location", sal.id, None,
                {"service_id": svc.id, "asset_id": asset.id, "place": asset.name})
    svc.area_wide = False
    session.flush()
    return sal


def unlink_place(session: Session, service_id: str, link_id: str, who: str) -> None:
    svc = get_service(session, service_id)
    sal = session.get(ServiceAtLocation, link_id)
    if sal is None or sal.service_id != svc.id:
        raise RegistryError(f"service {svc.id!r} is not linked by {link_id!r}; reload the service's page")
    write_audit(session, who, "delete", "service_at_location", sal.id, snapshot(sal, ("service_id", "asset_id")))
    session.delete(sal)
    session.flush()
