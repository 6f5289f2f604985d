"""The sessions table: one row per recurring session, from curated records.

A record gives its sessions as ``schedules`` (JSON text: a list of HSDS 3.0 schedule objects with
``freq``, ``interval``, ``byday``, ``bymonthday``, ``opens_at``, ``closes_at``, ``valid_from``,
``valid_to``, ``dtstart``, ``until``, ``description``), or — for a source marked
``sessions = "opening_hours"`` (the warm spaces) — as its weekly ``opening_hours`` in OSM syntax,
converted rule by rule (:func:`assetmap.oruk.schedules.schedules`). A session with no dates of
its own takes its source's season (:func:`season`). Rules that are not a weekly or monthly time
(public holidays, free text) are not sessions and are left out (the place's hours keep them).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pandas as pd

from ..oruk.schedules import schedules as osm_schedules

SESSION_COLUMNS = ["session_id", "asset_id", "area_wide", "record_kind", "service_name", "category", "source",
                   "source_id",
                   "freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                   "cost", "access", "eligibility", "contact_name", "phone", "email", "website", "venue",
                   "description", "last_checked"]
ACCESS = {"drop_in": "drop in", "self_referral": "self-referral", "referral": "by referral",
          "appointment": "by appointment"}
_DAY = r"-?[1-5]?(?:MO|TU|WE|TH|FR|SA|SU)"
_BYDAY = re.compile(rf"^{_DAY}(?:,{_DAY})*$")
_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::\d\d)?$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d")


def season(date: str | None, season_end: str | None) -> tuple[str | None, str | None]:
    """(valid_from, valid_to) for the sessions of a list dated ``date`` ("2026-08-17") whose scheme
    ends every year on ``season_end`` ("03-31"): from the list's date to the first end of season
    on or after it (a list of August 2026 is for winter 2026-27: until 31 March 2027)."""
    if not date or not season_end or not _DATE.match(str(date)):
        return None, None
    day = dt.date.fromisoformat(str(date)[:10])
    month, mday = (int(p) for p in season_end.split("-"))
    end = dt.date(day.year, month, mday)
    if end < day:
        end = dt.date(day.year + 1, month, mday)
    return day.isoformat(), end.isoformat()


def _clock(v) -> str | None:
    m = _HHMM.match(str(v).strip()) if v not in (None, "") else None
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def _iso(v) -> str | None:
    return str(v)[:10] if v and _DATE.match(str(v)) else None


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    return s or None


def parse_schedules(text) -> list[dict]:
    """The schedule objects of a ``schedules`` cell (JSON text or a list); [] for none or bad JSON."""
    if isinstance(text, list):
        items = text
    elif isinstance(text, str) and text.strip():
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            return []
    else:
        return []
    return [s for s in items if isinstance(s, dict)] if isinstance(items, list) else []


def normalise(s: dict, valid: tuple[str | None, str | None] = (None, None)) -> dict | None:
    """One HSDS schedule object as a session's timing fields, or None when it is not a recurring
    weekly or monthly session with a start time (a one-off or free-text schedule)."""
    freq = str(s.get("freq") or "").upper()
    byday = str(s.get("byday") or "").upper().replace(" ", "")
    monthday = str(s.get("bymonthday") or "").replace(" ", "") or None
    opens = _clock(s.get("opens_at"))
    if freq not in ("WEEKLY", "MONTHLY") or not opens or not (byday or (freq == "MONTHLY" and monthday)):
        return None
    if byday and not _BYDAY.match(byday):
        return None
    if freq == "WEEKLY" and re.search(r"\d", byday):
        freq = "MONTHLY"  # "1TU" only makes sense monthly
    try:
        interval = max(1, int(s.get("interval") or 1))
    except (TypeError, ValueError):
        interval = 1
    return {"freq": freq, "interval": interval, "byday": byday or None, "bymonthday": monthday,
            "opens_at": opens, "closes_at": _clock(s.get("closes_at")),
            "valid_from": _iso(s.get("valid_from")) or _iso(s.get("dtstart")) or valid[0],
            "valid_to": _iso(s.get("valid_to")) or _iso(s.get("until")) or valid[1],
            "schedule_text": _text(s.get("description"))}


def _grouped(timings: list[dict | None]) -> list[dict]:
    """The timings with weekly ones that differ only in their day joined ("Mo 10:00-15:00; Tu 10:00-15:00"
    is one session on Mondays and Tuesdays), in their first order."""
    out: list[dict] = []
    by_key: dict[tuple, dict] = {}
    for t in timings:
        if t is None:
            continue
        if t["freq"] != "WEEKLY":
            out.append(t)
            continue
        key = tuple(v for k, v in t.items() if k not in ("byday", "schedule_text"))
        if key in by_key:
            days = by_key[key]["byday"].split(",") + [d for d in t["byday"].split(",")
                                                      if d not in by_key[key]["byday"].split(",")]
            by_key[key]["byday"] = ",".join(sorted(days, key=_DAYS.index))
        else:
            by_key[key] = dict(t)
            out.append(by_key[key])
    return out


def record_schedules(r: dict, from_hours: bool) -> list[dict]:
    """A record's schedule objects: its ``schedules``, else (``from_hours``) its opening hours."""
    found = parse_schedules(r.get("schedules"))
    if not found and from_hours:
        found = osm_schedules(r.get("opening_hours"), lambda key: key, {})
    return found


def session_rows(r: dict, source: str, asset_id: str | None, valid: tuple[str | None, str | None],
                 from_hours: bool, last_checked: str | None) -> list[dict]:
    """The sessions of one curated record (a dict of its columns) held at ``asset_id``."""
    rows = []
    area_wide = str(r.get("area_wide") or "").lower() in ("true", "1", "yes")
    for timing in _grouped([normalise(s, valid) for s in record_schedules(r, from_hours)]):
        key = f"{source}|{r.get('source_id')}|{timing['byday']}|{timing['bymonthday']}|{timing['opens_at']}"
        description = _text(r.get("description"))
        rows.append({
            "session_id": "ses-" + hashlib.sha1(key.encode()).hexdigest()[:12],
            "asset_id": None if area_wide else asset_id, "area_wide": area_wide,
            "record_kind": "service" if str(r.get("record_kind") or "").lower() == "service" else "place",
            "service_name": _text(r.get("service_name")) or _text(r.get("name")),
            "category": r.get("category"), "source": source, "source_id": _text(r.get("source_id")),
            **{k: timing[k] for k in ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at",
                                      "valid_from", "valid_to")},
            "cost": _text(r.get("cost")), "access": _text(r.get("access")),
            "eligibility": _text(r.get("eligibility")), "contact_name": _text(r.get("contact_name")),
            "phone": _text(r.get("phone")), "email": _text(r.get("email")), "website": _text(r.get("website")),
            "venue": _text(r.get("venue")), "description": description[:500] if description else None,
            "last_checked": last_checked,
        })
    return rows


def empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SESSION_COLUMNS})


def as_table(rows: list[dict]) -> pd.DataFrame:
    """The rows as the sessions table, one row per session id (repeats dropped), in a stable order."""
    if not rows:
        return empty_table()
    df = pd.DataFrame(rows, columns=SESSION_COLUMNS).drop_duplicates("session_id")
    df = df.astype(object).where(df.notna(), None)
    df["interval"] = df["interval"].astype(int)
    df["area_wide"] = df["area_wide"].astype(bool)
    return df.sort_values(["asset_id", "service_name", "byday", "opens_at"], na_position="last").reset_index(drop=True)
