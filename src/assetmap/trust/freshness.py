"""Freshness: when a record stops being "recently checked".

A category's policy (``data/taxonomy.toml`` ``[trust]``) is either a number of months after the last
check (``months``, else ``default_months``) or a season end (``seasons``: "MM-DD"): a seasonal record
(a winter warm space) expires on the first season end on or after its check, so a list checked in
October 2024 expires on 31 March 2025 and a list checked in August 2026 on 31 March 2027. A check
date may be partial ("2022", "2022-05"): it counts from the first day it can mean, so a record is
never taken as fresher than its source says.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ..errors import ConfigError

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
DEFAULT_MONTHS = 24


def parse_check_date(value) -> dt.date | None:
    """The earliest day a (possibly partial) ISO date can mean: "2022" -> 2022-01-01; None if none."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Policy:
    """One category's policy: ``months`` after the check, or the end of its season (``season_end``, (month, day))."""

    months: int = DEFAULT_MONTHS
    season_end: tuple[int, int] | None = None

    def expires(self, checked: dt.date) -> dt.date:
        if self.season_end:
            month, day = self.season_end
            end = dt.date(checked.year, month, day)
            return end if end >= checked else dt.date(checked.year + 1, month, day)
        return add_months(checked, self.months)

    def describe(self) -> str:
        if self.season_end:
            d = dt.date(2001, *self.season_end)
            return f"until the end of its season ({d.day} {d:%B}) after each check"
        return f"{self.months} months after each check"


def policies(trust: dict, categories) -> dict[str, Policy]:
    """Category -> policy from the taxonomy's ``[trust]`` table (every category gets one)."""
    default = trust.get("default_months", DEFAULT_MONTHS)
    out = {c: Policy(int(default)) for c in categories}
    for cat, months in trust.get("months", {}).items():
        if cat not in out:
            raise ConfigError(f"data/taxonomy.toml [trust.months] names {cat!r}, which is not a category")
        if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
            raise ConfigError(f"data/taxonomy.toml [trust.months] {cat} = {months!r}; write a whole number of months")
        out[cat] = Policy(months)
    for cat, end in trust.get("seasons", {}).items():
        if cat not in out:
            raise ConfigError(f"data/taxonomy.toml [trust.seasons] names {cat!r}, which is not a category")
        try:
            day = dt.date.fromisoformat(f"2001-{end}")
        except (TypeError, ValueError):
            raise ConfigError(f"data/taxonomy.toml [trust.seasons] {cat} = {end!r}; write the season's last day "
                              "as \"MM-DD\", e.g. \"03-31\"") from None
        out[cat] = Policy(out[cat].months, (day.month, day.day))
    return out


@dataclass(frozen=True)
class Freshness:
    checked: dt.date | None
    age_days: int | None
    fresh_until: dt.date | None
    stale: bool
    season_over: bool
    reason: str | None


def freshness(last_verified, policy: Policy, reference: dt.date) -> Freshness:
    """How fresh a record checked on ``last_verified`` is on ``reference`` under ``policy``."""
    checked = parse_check_date(last_verified)
    if checked is None:
        return Freshness(None, None, None, True, bool(policy.season_end),
                         "never checked: no date is known for this record")
    until = policy.expires(checked)
    age = (reference - checked).days
    if reference <= until:
        return Freshness(checked, age, until, False, False, None)
    if policy.season_end:
        why = f"its season ended on {until.isoformat()} (checked {checked.isoformat()})"
    else:
        why = f"last checked {checked.isoformat()}, over {policy.months} months before {reference.isoformat()}"
    return Freshness(checked, age, until, True, bool(policy.season_end), why)


def age_words(days: int | None) -> str:
    """'checked 3 months ago', 'checked 8 years ago', 'checked this month'."""
    if days is None:
        return "never checked"
    if days < 0:
        return "checked after the build's reference date"
    if days < 31:
        return "checked in the last month"
    if days < 365:
        n = days // 30
        return f"checked {n} month{'s' if n != 1 else ''} ago"
    n = days // 365
    return f"checked {n} year{'s' if n != 1 else ''} ago"
