"""Session columns of a curated CSV (day, start, end, frequency) as HSDS schedule objects.

A list of activities may say when each meets in plain columns rather than as ``schedules`` JSON;
the source's ``fields`` name them (``day``, ``start``, ``end``, ``frequency``, and optionally
``valid_from``/``valid_to``). Accepted values:

- day: ``Tuesday``, ``Tue``, ``Tu``, ``Mon, Wed`` or ``Mon and Wed``, ``1st Tuesday``,
  ``last Friday``, ``first and third Thursday``;
- start/end: ``10:30``, ``10.30``, ``1030``, ``10:30am``, ``2pm``;
- frequency: ``weekly`` (the default), ``fortnightly``/``every other week``, ``monthly`` (with
  the day's ordinal, the 1st when the day has none).

A row whose day or start cannot be read has no schedule (it is still read as a record) and is
counted in the source's report as ``sessions_unreadable``.
"""
from __future__ import annotations

import json
import re

import pandas as pd

DAYS = {"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU"}
ORDINAL_WORDS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
                 "5th": 5, "fifth": 5, "last": -1}
SESSION_FIELDS = ("day", "start", "end", "frequency", "valid_from", "valid_to")
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$")


def clock(text) -> str | None:
    """'10.30' / '1030' / '2pm' / '10:30am' -> 'HH:MM', or None."""
    if not isinstance(text, str):
        return None
    m = _TIME.match(text.strip().lower().replace(" ", ""))
    if not m:
        return None
    h, mins, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half == "pm" and h < 12:
        h += 12
    elif half == "am" and h == 12:
        h = 0
    return f"{h:02d}:{mins:02d}" if h <= 24 and mins < 60 else None


def byday(day: str, monthly: bool) -> str | None:
    """'1st and 3rd Tuesday' -> '1TU,3TU'; 'Mon, Wed' -> 'MO,WE'; None when no day is named."""
    words = re.split(r"[\s,/&]+|\band\b", day.lower())
    ords = [ORDINAL_WORDS[w] for w in words if w in ORDINAL_WORDS]
    codes = [DAYS[w[:2]] for w in words if len(w) >= 2 and w[:2] in DAYS and w not in ORDINAL_WORDS
             and (len(w) <= 3 or w.startswith(("mon", "tue", "wed", "thu", "fri", "sat", "sun")))]
    codes = list(dict.fromkeys(codes))
    if not codes:
        return None
    if monthly or ords:
        return ",".join(f"{n}{c}" for c in codes for n in (ords or [1]))
    return ",".join(codes)


def schedule(day, start, end, frequency=None, valid_from=None, valid_to=None) -> dict | None:
    """One HSDS schedule object from the columns' values, or None when day or start is unreadable."""
    freq_text = (frequency or "").strip().lower() if isinstance(frequency, str) else ""
    monthly = "month" in freq_text or any(w in freq_text.split() for w in ORDINAL_WORDS)
    day_text = f"{freq_text if monthly and 'month' not in freq_text else ''} {day or ''}".strip()
    days = byday(day_text, monthly) if day_text else None
    opens = clock(start)
    if not days or not opens:
        return None
    out: dict[str, str | int] = {"freq": "MONTHLY" if re.search(r"\d", days) else "WEEKLY", "byday": days,
                                 "opens_at": opens}
    closes = clock(end)
    if closes:
        out["closes_at"] = closes
    if "fortnight" in freq_text or "other week" in freq_text:
        out["interval"] = 2
    for key, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\d$", value.strip()):
            out[key] = value.strip()
    return out


def schedules_column(df: pd.DataFrame, fields: dict) -> tuple[pd.Series, int]:
    """Each row's ``schedules`` JSON text from the mapped session columns, and how many rows named a
    day but could not be read."""
    def col(name):
        spec = fields.get(name)
        return df[spec] if isinstance(spec, str) else pd.Series([None] * len(df), index=df.index)

    values = zip(*(col(f) for f in SESSION_FIELDS), strict=True)
    out, bad = [], 0
    for day, start, end, freq, vfrom, vto in values:
        s = schedule(day, start, end, freq, vfrom, vto) if isinstance(day, str) and day.strip() else None
        if s is None and isinstance(day, str) and day.strip():
            bad += 1
        out.append(json.dumps([s]) if s else None)
    return pd.Series(out, index=df.index, dtype=object), bad
