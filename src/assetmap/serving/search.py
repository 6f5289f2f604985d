"""The lookup's "what matters to you?" search and its filters, over the precomputed lookup.

A request reads at most ``CANDIDATES`` places from the postcode's precomputed slice (nearest
first on foot), keeps those of the interests named (``assetmap.interests``, masks kept per
combination), then applies the filters — wheelchair access, open now, open on a day — from
the asset pages' data prepared at load (a place also counts as open when one of its sessions is on,
:mod:`assetmap.activities`), and cuts to the page's limit. When the filters leave
nothing the page is told why and offered the search without them; nothing is ever an empty page.

Trust (:mod:`assetmap.trust`): :func:`rank_by_trust` ranks a record that is not recently checked as
if it were ``STALE_PENALTY_M`` farther on foot, and one with a plausibility caution ``CAUTION_PENALTY_M`` farther,
so a checked place comes before an unchecked one a little nearer; a record whose season is over
(last winter's warm space) is never "open now" nor open on a day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .hours import DAYS, LOCAL, open_now

CANDIDATES = 60
OPEN_CHOICES = ("now", "today") + tuple(d.lower() for d in DAYS)
WHEELCHAIR_OK = ("yes", "limited", "designated")
STALE_PENALTY_M = 800  # about 10 minutes' walk
CAUTION_PENALTY_M = 400


def trust_penalty_m(result: dict) -> int:
    """How much farther a result ranks for what the build could not vouch for."""
    t = result.get("trust") or {}
    # a plausibility caution (hours, name, category, point) ranks it down; a possible duplicate is only noted
    return STALE_PENALTY_M * bool(t.get("stale")) + CAUTION_PENALTY_M * bool(t.get("cautions"))


def rank_by_trust(results: list[dict]) -> list[dict]:
    """The results nearest first after the trust penalties (stable: equal ranks keep their walking order)."""
    return sorted(results, key=lambda r: r.get("walk_m", 0) + trust_penalty_m(r))


@dataclass
class Filters:
    q: str = ""
    wheelchair: bool = False
    wheelchair_unknown: bool = False  # with ``wheelchair``: also places whose wheelchair access nobody has recorded
    open: str = ""  # "", "now" or a day name in lower case

    @property
    def active(self) -> bool:
        return bool(self.wheelchair or self.open)

    def describe(self) -> str:
        parts = []
        if self.wheelchair:
            parts.append("with wheelchair access" + (" or no information about it" if self.wheelchair_unknown else ""))
        if self.open == "now":
            parts.append("open now")
        elif self.open == "today":
            parts.append("open or with something on today")
        elif self.open:
            parts.append(f"open on {self.open.capitalize()}")
        return " and ".join(parts)


def read_filters(args) -> tuple[Filters, str | None]:
    """The filters from the query string, or an error naming the problem."""
    f = Filters(q=args.get("q", "").strip()[:120], wheelchair=args.get("access") == "wheelchair",
                wheelchair_unknown=args.get("wheelchair_unknown") == "include",
                open=args.get("open", "").strip().lower()[:12])
    if f.open and f.open not in OPEN_CHOICES:
        return f, f"“{f.open}” is not a choice for “Open”: choose now or a day of the week."
    if any(ord(c) < 32 for c in f.q):
        return f, "What matters to you can only be words: take out the special characters."
    return f, None


@dataclass
class Outcome:
    results: list[dict]
    interests: list = field(default_factory=list)  # the interests understood
    unknown: list[str] = field(default_factory=list)  # words understood as nothing
    dropped: int = 0  # candidates the filters removed
    note: str | None = None  # why there is nothing, when there is nothing


def _passes(page: dict | None, f: Filters, now: datetime, sessions=None) -> bool:
    if page is None:
        return False
    if f.wheelchair and page.get("wheelchair") not in WHEELCHAIR_OK \
            and not (f.wheelchair_unknown and page.get("wheelchair") == "unknown"):
        return False
    if f.open:
        return _open(page, f.open, now, sessions)
    return True


def _open(page: dict, when: str, now: datetime, sessions) -> bool:
    """Open ``when`` ("now", "today" or a day name) by its hours, or with a session on then."""
    hours, aid = page.get("hours"), page.get("asset_id")
    if (page.get("trust") or {}).get("season_over"):
        hours = None  # its hours were for a season that has ended; its sessions keep their own dates
    if when == "now":
        return open_now(hours, now) == "open" or bool(sessions and sessions.any_now(aid, now))
    day = DAYS[now.weekday()] if when == "today" else when.capitalize()
    if hours is not None and any(d == day and text != "Closed" for d, text in hours.rows):
        return True
    if sessions is None:
        return False
    date = (now + timedelta(days=(DAYS.index(day) - now.weekday()) % 7)).date()  # the next such day
    return sessions.any_on(aid, date)


def apply_filters(results: list[dict], pages: dict[str, dict], f: Filters, limit: int,
                  now: datetime | None = None, sessions=None) -> tuple[list[dict], int]:
    """The first ``limit`` results that pass the filters, and how many nearer candidates failed
    them (all the candidates, when none passes)."""
    if not f.active:
        return results[:limit], 0
    now = now or datetime.now(LOCAL)
    kept, dropped = [], 0
    for r in results:
        if _passes(pages.get(r["asset_id"]), f, now, sessions):
            kept.append(r)
            if len(kept) == limit:
                break
        else:
            dropped += 1
    return kept, dropped


def wheelchair_unknown(results: list[dict], pages: dict[str, dict]) -> int:
    """How many of these results have no wheelchair information (for the filter to say so)."""
    return sum(1 for r in results if (pages.get(r["asset_id"]) or {}).get("wheelchair", "unknown") == "unknown")
