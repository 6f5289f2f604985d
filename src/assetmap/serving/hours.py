"""Opening hours in words, from OpenStreetMap ``opening_hours`` strings.

Parsed once at startup with ``opening-hours-py`` (the ``opening_hours`` module, a maintained
Rust parser of the full OSM specification). :func:`weekly_hours` turns an expression into a
Monday-to-Sunday table for the weeks around startup; rules that differ between weeks (``Fr[1,3]``,
``Su[-1]``) show every variant with a note. An expression the parser rejects is kept as text,
shown as it was written. :func:`open_now` is one evaluation of the parsed rule: cheap enough to
run per request.

In words for the public: :func:`week_words` sums the table up ("Mon–Fri 09:00–17:00; Sat
09:00–13:00", made once at load) and :func:`status_words` says where things stand now ("Open now,
until 17:00", "Closed, opens Tuesday 09:00"; the rule's state and next change, per request).
Times are the UK's (Europe/London).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LOCAL = ZoneInfo("Europe/London")
WEEKS = 5  # weeks looked at: every "first/second/…/last weekday of the month" shows up in five


@dataclass
class Hours:
    """An opening-hours expression: the raw text, and when it parses, a day-by-day table."""

    raw: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (day, "09:00–17:00" / "Closed")
    varies: bool = False  # some day differs between weeks
    rule: OpeningHours | None = None

    @property
    def parsed(self) -> bool:
        return self.rule is not None


def _clock(t: datetime, day_start: datetime) -> str:
    return "24:00" if t - day_start >= timedelta(days=1) else t.strftime("%H:%M")


def _day_text(spans: list[tuple[datetime, datetime, State, str]], day_start: datetime) -> str:
    """One day's open (or unknown) spans as words."""
    parts = []
    for start, end, state, comment in spans:
        if end - start >= timedelta(days=1):
            text = "Open 24 hours"
        else:
            text = f"{_clock(start, day_start)}–{_clock(end, day_start)}"
        if state == State.UNKNOWN:
            text += " (times not certain)" if not comment else ""
        if comment:
            text += f" ({comment})"
        parts.append(text)
    return ", ".join(parts) if parts else "Closed"


def _week(rule: OpeningHours, monday: datetime) -> list[str]:
    """Each day's text for the week starting ``monday`` (naive local time)."""
    end = monday + timedelta(days=7)
    by_day: list[list] = [[] for _ in range(7)]
    for start, stop, state, comment in rule.intervals(monday, end):
        stop = stop or end
        if state == State.CLOSED:  # closed, with or without a note ("PH off")
            continue
        t = max(start, monday)
        while t < stop:  # split at midnight: each day lists its own part of an overnight opening
            day = (t - monday).days
            if day >= 7:
                break
            day_start = monday + timedelta(days=day)
            piece_end = min(stop, day_start + timedelta(days=1))
            by_day[day].append((t, piece_end, state, comment))
            t = piece_end
    return [_day_text(spans, monday + timedelta(days=i)) for i, spans in enumerate(by_day)]


def weekly_hours(raw: str | None, today: date | None = None) -> Hours | None:
    """The expression as a weekly table (``None`` for no hours at all)."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    raw = raw.strip()
    try:
        rule = OpeningHours(raw, auto_country=False, auto_timezone=False)
    except (ParserError, SyntaxError, ValueError):
        return Hours(raw)
    today = today or datetime.now(LOCAL).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time())
    weeks = [_week(rule, monday + timedelta(weeks=w)) for w in range(WEEKS)]
    rows, varies = [], False
    for i, day in enumerate(DAYS):
        seen = list(dict.fromkeys(w[i] for w in weeks))
        if len(seen) > 1:
            varies = True
            rows.append((day, " or ".join(seen) + " (varies by week)"))
        else:
            rows.append((day, seen[0]))
    return Hours(raw, rows, varies, rule)


def open_now(hours: Hours | None, now: datetime | None = None) -> str | None:
    """'open', 'closed', or None (not known) at ``now`` (default: the time in the UK)."""
    if hours is None or hours.rule is None:
        return None
    at = (now or datetime.now(LOCAL)).replace(tzinfo=None, second=0, microsecond=0)
    try:
        state, _ = hours.rule.state(at)
    except (ValueError, OverflowError):
        return None
    return {State.OPEN: "open", State.CLOSED: "closed"}.get(state)


def _days(first: int, last: int) -> str:
    return SHORT_DAYS[first] if first == last else f"{SHORT_DAYS[first]}–{SHORT_DAYS[last]}"


def week_words(hours: Hours | None) -> str | None:
    """The weekly table in a line: runs of days with the same hours together, closed days left
    out ("Mon–Fri 09:00–17:00; Sat 09:00–13:00", "Every day 09:00–23:00"); None when the hours
    did not parse (show :attr:`Hours.raw` instead)."""
    if hours is None or not hours.rows:
        return None
    texts = [text for _, text in hours.rows]
    if all(t == "Closed" for t in texts):
        return "Closed every day"
    if len(set(texts)) == 1:
        return "Open 24 hours, every day" if texts[0] == "Open 24 hours" else f"Every day {texts[0]}"
    parts, start = [], 0
    for i in range(1, 8):
        if i == 7 or texts[i] != texts[start]:
            if texts[start] != "Closed":
                text = texts[start]
                parts.append(f"{_days(start, i - 1)} {'open 24 hours' if text == 'Open 24 hours' else text}")
            start = i
    return "; ".join(parts)


def _when(t: datetime, at: datetime) -> str:
    """A time after ``at`` as a reader says it: "17:00", "midnight", "tomorrow 09:00", "Tuesday 09:00"."""
    days = (t.date() - at.date()).days
    if t.hour == 0 and t.minute == 0 and days == 1:
        return "midnight"
    clock = t.strftime("%H:%M")
    if days == 0:
        return clock
    return f"tomorrow {clock}" if days == 1 else f"{DAYS[t.weekday()]} {clock}"


def status_words(hours: Hours | None, now: datetime | None = None) -> str | None:
    """Open or closed at ``now`` (default: the time in the UK) and until when, in words: "Open now,
    until 17:00", "Closed, opens tomorrow 09:00", "Closed, opens Tuesday 09:00", "Open 24 hours";
    None when the hours are not known (unparsed, or "unknown" now) or never open in the next week."""
    if hours is None or hours.rule is None:
        return None
    at = (now.astimezone(LOCAL) if now and now.tzinfo else now or datetime.now(LOCAL))
    at = at.replace(tzinfo=None, second=0, microsecond=0)
    try:  # the rule's state now and its next change: microseconds (a list of intervals costs milliseconds)
        state, _ = hours.rule.state(at)
        change = hours.rule.next_change(at)
        after = hours.rule.state(change)[0] if change is not None else None
    except (ValueError, OverflowError):
        return None
    if state == State.OPEN:
        if change is None or change - at >= timedelta(days=7):
            return "Open 24 hours"
        return f"Open now, until {_when(change, at)}"
    if state != State.CLOSED or change is None or after != State.OPEN or change - at > timedelta(days=8):
        return None
    when = _when(change, at)
    return f"Closed, opens {'at ' if when[0].isdigit() else ''}{when}"
