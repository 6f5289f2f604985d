"""OpenStreetMap ``opening_hours`` as HSDS 3.0 ``schedules`` (RFC 5545-style weekly or monthly rules).

HSDS describes opening times as schedule rows: ``freq`` (WEEKLY or MONTHLY), ``byday`` (``MO,TU``;
``1FR,3FR`` or ``-1SU`` for "first and third Friday", "last Sunday" with MONTHLY), ``opens_at`` and
``closes_at``. An OSM expression is a list of rules separated by ``;``, each a day selector and one
or more time spans. The rules that map one to one are converted:

    Mo-Fr 09:00-17:00; Sa 10:00-12:00,13:00-16:00; Fr[1,3] 10:00-12:00; Su[-1] 11:00-17:00

(one schedule per rule and time span). Times are local UK time (Europe/London) written ``HH:MM``:
no fixed UTC offset is right all year, so none is given, and every schedule's ``notes`` say so.
A span past midnight (``22:00-02:00``) keeps its times and says so in ``notes``. A later rule for
days an earlier one already covers overrides it in OSM ("Su 11:00-13:00; Su[-1] 11:00-17:00"),
which HSDS cannot express: the later schedule's ``notes`` say that it replaces the earlier one on
those days. Anything else (public holidays, comments, month ranges, free text such as "Sunday
Services: 08:00 …") becomes one schedule with the rule as written in ``description`` ("PH off"
in words: "Closed on public holidays"), so nothing known is dropped.
"""
from __future__ import annotations

import re
from collections.abc import Callable

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ICAL = {d: d.upper() for d in DAYS}
LOCAL_NOTE = "Times are local UK time (Europe/London)."
_TIME = r"(?:[01]\d|2[0-4]):[0-5]\d"
_SPAN = re.compile(rf"^({_TIME})-({_TIME})$")
_DAYSEL = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?(?:\[(-?[1-5](?:,-?[1-5])*)\])?$")
_RULE = re.compile(r"^(\S+)\s+(\S+)$")


def _days(selector: str) -> tuple[list[str], list[int]] | None:
    """``Mo-Fr`` -> (["Mo", …, "Fr"], []); ``Fr[1,3]`` -> (["Fr"], [1, 3]); None when not simple."""
    days: list[str] = []
    nth: list[int] = []
    for part in re.split(r",(?![^\[]*\])", selector):
        m = _DAYSEL.match(part)
        if not m:
            return None
        a, b, which = m.groups()
        i, j = DAYS.index(a), DAYS.index(b or a)
        span = list(DAYS[i:j + 1]) if i <= j else list(DAYS[i:] + DAYS[:j + 1])  # Fr-Mo wraps
        if which:
            if b or nth and nth != [int(x) for x in which.split(",")]:
                return None  # "Mo-Fr[1]" or days with different occurrences: not one HSDS rule
            nth = [int(x) for x in which.split(",")]
        elif nth:
            return None
        days += [d for d in span if d not in days]
    return days, nth


def _spans(times: str) -> list[tuple[str, str]] | None:
    out = []
    for part in times.split(","):
        m = _SPAN.match(part)
        if not m:
            return None
        out.append(m.groups())
    return out


def parse_rule(rule: str) -> tuple[list[str], list[int], list[tuple[str, str]]] | None:
    """One ``;``-separated OSM rule as (days, month occurrences, time spans), or None."""
    m = _RULE.match(" ".join(rule.split()))
    if not m:
        return None
    days, spans = _days(m.group(1)), _spans(m.group(2))
    if days is None or spans is None:
        return None
    return days[0], days[1], spans


def _notes(opens: str, closes: str, overrides: list[str]) -> str:
    notes = [LOCAL_NOTE]
    if closes <= opens and closes != "24:00":
        notes.append(f"Closes at {closes} the next day." if closes != "00:00" else "Closes at midnight.")
    if overrides:
        notes.append(f"On {', '.join(overrides)} these times replace the weekly times above (OpenStreetMap rule "
                     "order).")
    return " ".join(notes)


def schedules(raw, new_id: Callable[[str], str], links: dict) -> list[dict]:
    """The HSDS schedules of an OSM ``opening_hours`` expression (``[]`` for none). ``new_id(key)``
    gives a stable id per schedule; ``links`` (e.g. ``{"service_id": …}``) is copied into each."""
    if not isinstance(raw, str) or not raw.strip():
        return []
    raw = raw.strip()
    weekly: list[list] = []  # [days, spans, rule text, rule number]; a later rule for a day replaces it
    other: list[dict] = []
    weekly_days: set[str] = set()
    for n, part in enumerate(p.strip() for p in raw.split(";")):
        if not part:
            continue
        parsed = parse_rule(part)
        if parsed is None:
            closed = re.fullmatch(r"PH\s+(off|closed)", part)
            other.append({"id": new_id(f"{n}/raw"), **links,
                          "description": f"Closed on public holidays ({part})" if closed else part,
                          "notes": f"Opening hours as written in OpenStreetMap syntax: {raw}"})
            continue
        days, nth, spans = parsed
        if nth:
            overrides = [d for d in days if d in weekly_days]
            other += [{"id": new_id(f"{n}/{k}"), **links, "freq": "MONTHLY",
                       "byday": ",".join(f"{w}{ICAL[d]}" for w in nth for d in days),
                       "opens_at": o, "closes_at": c, "description": part, "notes": _notes(o, c, overrides)}
                      for k, (o, c) in enumerate(spans)]
            continue
        for earlier in weekly:
            earlier[0] = [d for d in earlier[0] if d not in days]
        weekly.append([days, spans, part, n])
        weekly_days.update(days)
    rows = [{"id": new_id(f"{n}/{k}"), **links, "freq": "WEEKLY", "byday": ",".join(ICAL[d] for d in days),
             "opens_at": o, "closes_at": c, "description": part, "notes": _notes(o, c, [])}
            for days, spans, part, n in weekly if days for k, (o, c) in enumerate(spans)]
    return rows + other
