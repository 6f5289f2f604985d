"""A session's times in words, and whether it is on today, this week or now.

"Tuesdays 10:30–12:00", "Mondays and Wednesdays 10:00–12:00", "Monday to Friday 09:00–17:00",
"every other Thursday 14:00–16:00", "1st Tuesday of the month 10:30–12:00", "last Friday of the
month". A session outside its season (``valid_from``/``valid_to``) is never on and never open
now: a warm space of last winter stays closed. Times are local UK time; ``today`` and ``now``
are passed in (the site gives the time in the UK), so every function here is pure.
"""
from __future__ import annotations

import datetime as dt

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "second to last"}


def _split(code: str) -> tuple[int | None, int]:
    """'1TU' -> (1, 1); '-1FR' -> (-1, 4); 'MO' -> (None, 0)."""
    day = DAY_CODES.index(code[-2:])
    n = code[:-2]
    return (int(n) if n else None), day


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def times(s: dict) -> str:
    """'10:30–12:00' (or 'from 10:30' when the end is not known)."""
    opens, closes = s.get("opens_at"), s.get("closes_at")
    return f"{opens}–{closes}" if closes else f"from {opens}"


def _weekly_days(days: list[int]) -> str:
    days = sorted(set(days))
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return _and([DAY_NAMES[d] + "s" for d in days])


def days_words(s: dict) -> str:
    """When the session recurs, without its times: 'Tuesdays', '1st and 3rd Tuesday of the month'."""
    codes = [c for c in str(s.get("byday") or "").split(",") if c]
    parsed = [_split(c) for c in codes]
    if s.get("freq") == "MONTHLY":
        if not codes and s.get("bymonthday"):
            return "on day " + _and(str(s["bymonthday"]).split(",")) + " of the month"
        by_day: dict[int, list[int]] = {}
        for n, d in parsed:
            by_day.setdefault(d, []).append(n if n is not None else 1)
        parts = [_and([ORDINALS.get(n, f"{n}th") for n in sorted(ns, key=lambda n: (n < 0, n))]) + " "
                 + DAY_NAMES[d] for d, ns in by_day.items()]
        return _and(parts) + " of the month"
    interval = int(s.get("interval") or 1)
    days = [d for _, d in parsed]
    if interval == 2:
        return "every other " + _and([DAY_NAMES[d] for d in sorted(set(days))])
    if interval > 2:
        return f"every {interval} weeks on " + _and([DAY_NAMES[d] for d in sorted(set(days))])
    return _weekly_days(days)


def when_words(s: dict) -> str:
    """'Tuesdays 10:30–12:00', '1st Tuesday of the month 10:30–12:00'."""
    return f"{days_words(s)} {times(s)}"


def in_season(s: dict, day: dt.date) -> bool:
    """Whether ``day`` is within the session's valid_from..valid_to (either may be unknown)."""
    start, end = s.get("valid_from"), s.get("valid_to")
    return not ((start and day.isoformat() < str(start)[:10]) or (end and day.isoformat() > str(end)[:10]))


def season_ended(s: dict, today: dt.date) -> bool:
    end = s.get("valid_to")
    return bool(end and today.isoformat() > str(end)[:10])


def _nth_in_month(day: dt.date) -> tuple[int, int]:
    """(which occurrence of its weekday in the month, counted from the start; from the end, negative)."""
    first = (day.day - 1) // 7 + 1
    days_in_month = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)).day
    last = -((days_in_month - day.day) // 7 + 1)
    return first, last


def occurs_on(s: dict, day: dt.date) -> bool:
    """Whether the session takes place on ``day`` (in season; every other week counts from its
    ``valid_from``, and is taken to occur when it has no start date to count from)."""
    if not in_season(s, day):
        return False
    codes = [c for c in str(s.get("byday") or "").split(",") if c]
    if s.get("freq") == "MONTHLY":
        if not codes:
            return str(day.day) in str(s.get("bymonthday") or "").split(",")
        first, last = _nth_in_month(day)
        return any(d == day.weekday() and (n or 1) in (first, last) for n, d in (_split(c) for c in codes))
    if day.weekday() not in [_split(c)[1] for c in codes]:
        return False
    interval = int(s.get("interval") or 1)
    start = s.get("valid_from")
    if interval > 1 and start:
        weeks = (day - dt.date.fromisoformat(str(start)[:10])).days // 7
        return weeks % interval == 0
    return True


def open_now(s: dict, now: dt.datetime) -> bool:
    """Whether the session is on at ``now`` (local time): today, in season, between its times."""
    if not occurs_on(s, now.date()):
        return False
    clock = now.strftime("%H:%M")
    closes = s.get("closes_at") or "24:00"
    opens = s.get("opens_at") or "00:00"
    return opens <= clock < closes if closes > opens else clock >= opens


def next_on(s: dict, today: dt.date, days: int = 7) -> dt.date | None:
    """The first day from ``today`` within ``days`` days that the session takes place, if any."""
    for k in range(days):
        d = today + dt.timedelta(days=k)
        if occurs_on(s, d):
            return d
    return None


def status(s: dict, now: dt.datetime) -> str | None:
    """'on now', 'on today', 'on tomorrow', 'on Thursday this week' (Monday to Sunday), 'next on Monday'
    (within seven days), 'season ended 31 March 2025', or None."""
    today = now.date()
    if season_ended(s, today):
        end = dt.date.fromisoformat(str(s["valid_to"])[:10])
        return f"season ended {end.day} {end.strftime('%B %Y')}"
    if open_now(s, now):
        return "on now"
    nxt = next_on(s, today)
    if nxt is None:
        return None
    if nxt == today:
        return "on today" if (s.get("closes_at") or "24:00") > now.strftime("%H:%M") else None
    if nxt == today + dt.timedelta(days=1):
        return "on tomorrow"
    if nxt.isocalendar()[:2] == today.isocalendar()[:2]:
        return f"on {DAY_NAMES[nxt.weekday()]} this week"
    return f"next on {DAY_NAMES[nxt.weekday()]}"


def access_words(s: dict) -> str | None:
    from .table import ACCESS

    a = s.get("access")
    return ACCESS.get(str(a), str(a).replace("_", " ")) if a else None


def summary(s: dict, venue: str | None = None, walk: str | None = None) -> str:
    """'Singing group, Tuesdays 10:30–12:00, St Mary's Hall, free, drop in — 9 min walk'."""
    parts = [s.get("service_name") or "Session", when_words(s)]
    if venue:
        parts.append(venue)
    if s.get("cost"):
        parts.append(str(s["cost"]))
    if access_words(s):
        parts.append(access_words(s))
    text = ", ".join(p for p in parts if p)
    return f"{text} — {walk}" if walk else text
