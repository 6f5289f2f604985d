"""Plausibility checks on one record, each returning the reasons it fails (plain text for curators
and for the caution shown with the record):

- :func:`hours_problems`: opening hours (OSM syntax) that end before they begin ("Mo 09:00-08:00"),
  or, for a daytime category, that sit only at night ("Sa 02:00-04:00") or run past midnight;
- :func:`schedule_problems`: the same for HSDS schedules (``opens_at``/``closes_at``);
- :func:`person_name`: a name that looks like a person's ("Tina Harris-Horner"): a common given name
  (``data/given_names.txt``) and a surname, and no word that names a kind of place;
- :func:`unlike_category`: OSM tags or name words that do not fit the category (a pub company's bar
  as a warm space), from ``data/taxonomy.toml`` ``[trust.unlike]``;
- :func:`far_from_postcode`: a point farther than a limit from its postcode's centre.

The build runs them on every merged asset (:mod:`.stage`); the registry runs the record-level ones
at import (:mod:`assetmap.registry.validate`), as warnings that do not quarantine.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from ..config import DATA_DIR

_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
_NAME_TOKEN = re.compile(r"^[A-Z][a-z']+(?:-[A-Z][a-z']+)*$")
_TITLES = ("mr", "mrs", "ms", "miss", "dr", "fr", "rev", "revd")
NIGHT_END = 6 * 60  # minutes: a range wholly before 06:00 is at night
# words that name a kind of place or organisation (beside the taxonomy's labels and aliases)
PLACE_WORDS = frozenset("""
hall centre center church chapel library room rooms cottage club lounge house court trust foundation
settlement park hub cafe café kitchen pantry arms inn pub bar hotel school academy college nursery
project society association group network mission ministry fellowship community village street road
lane close way place square gardens garden farm studio studios works mill arena pavilion stadium
market shop store bank centre theatre cinema museum gallery institute hospice surgery practice
""".split())


def _minutes(h: str, m: str) -> int:
    return int(h) * 60 + int(m)


def _ranges(text: str):
    """(the rule it is in, start, end in minutes) for every HH:MM-HH:MM in an opening_hours text."""
    for rule in str(text).split(";"):
        for m in _RANGE.finditer(rule):
            yield rule.strip(), _minutes(m.group(1), m.group(2)), _minutes(m.group(3), m.group(4))


def _range_problem(rule: str, start: int, end: int, daytime: bool, label: str) -> str | None:
    if end in (0, 24 * 60) or start == end:
        return None  # closes at midnight; or a 24-hour range
    if end < start:
        if daytime or start < 12 * 60:
            return f"opening hours end before they begin ({rule})"
        return None  # an evening-to-small-hours range, plausible for this category
    if daytime and end <= NIGHT_END:
        return f"opening hours only at night ({rule}), unlikely for a {label.lower()}"
    return None


def hours_problems(opening_hours, daytime: bool = True, label: str = "place") -> list[str]:
    """Why these opening hours are implausible (empty when they are not). ``daytime``: the category
    opens by day (``data/taxonomy.toml`` ``[trust] night_ok`` lists those that may not)."""
    if not isinstance(opening_hours, str) or not opening_hours.strip():
        return []
    return _grouped(_range_problem(rule, start, end, daytime, label) for rule, start, end in _ranges(opening_hours))


def _grouped(reasons) -> list[str]:
    """Reasons of one kind given once, with their rules together: 'end before they begin (Mo …, Tu …)'."""
    kinds: dict[str, list[str]] = {}
    for why in reasons:
        if why:
            head, _, rest = why.partition(" (")
            rule, _, tail = rest.partition(")")
            kinds.setdefault(head + "\0" + tail, []).append(rule)
    return [f"{k.split(chr(0))[0]} ({', '.join(dict.fromkeys(v))}){k.split(chr(0))[1]}" for k, v in kinds.items()]


def schedule_problems(schedules, daytime: bool = True, label: str = "place") -> list[str]:
    """The same checks on HSDS schedules (a list of dicts, or its JSON text) with ``opens_at``/``closes_at``."""
    if isinstance(schedules, str):
        try:
            schedules = json.loads(schedules) if schedules.strip() else []
        except ValueError:
            return ["schedules are not valid JSON"]
    out = []
    for s in schedules if isinstance(schedules, list) else []:
        if not isinstance(s, dict):
            continue
        opens, closes = str(s.get("opens_at") or "")[:5], str(s.get("closes_at") or "")[:5]
        m1, m2 = re.fullmatch(r"(\d{1,2}):(\d{2})", opens), re.fullmatch(r"(\d{1,2}):(\d{2})", closes)
        if not (m1 and m2):
            continue
        rule = f"{s.get('byday') or s.get('freq') or ''} {opens}-{closes}".strip()
        out.append(_range_problem(rule, _minutes(*m1.groups()), _minutes(*m2.groups()), daytime, label))
    return _grouped(out)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    path = DATA_DIR / "given_names.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def person_name(name, place_words: frozenset[str] = frozenset()) -> str | None:
    """Why ``name`` looks like a person's rather than a place's, or None. ``place_words``: more words
    that name kinds of place (the taxonomy's labels and aliases)."""
    if not isinstance(name, str):
        return None
    tokens = name.split()
    if tokens and tokens[0].lower().rstrip(".") in _TITLES:
        tokens = tokens[1:]
    if not 2 <= len(tokens) <= 3 or not all(_NAME_TOKEN.match(t) for t in tokens):
        return None
    words = {p.lower().strip("'").removesuffix("'s") for t in tokens for p in t.split("-")}
    if tokens[0].lower() not in given_names() or words & (PLACE_WORDS | place_words):
        return None
    return f"the name “{name}” looks like a person's, not a place's"


def taxonomy_words(tx) -> frozenset[str]:
    """Lower-case words of the taxonomy's category labels and aliases."""
    out: set[str] = set()
    for c in tx.categories.values():
        for text in (c.label, *c.aliases):
            out |= set(re.findall(r"[a-z]+", text.lower()))
    return frozenset(out)


def unlike_category(category: str, label: str, name, tags: dict | None, unlike: dict) -> list[str]:
    """Why the record does not fit ``category``: OSM tags or name words its ``[trust.unlike]`` entry lists."""
    spec = unlike.get(category) or {}
    out = []
    for rule in spec.get("osm", []):
        key, _, value = rule.partition("=")
        if tags and tags.get(key) == value:
            out.append(f"its OpenStreetMap tags ({rule}) do not fit a {label.lower()}")
    if isinstance(name, str):
        words = set(re.findall(r"[a-z]+", name.lower()))
        hit = [w for w in spec.get("words", []) if w in words]
        if hit:
            out.append(f"its name (“{name}”) suggests something other than a {label.lower()} ({', '.join(hit)})")
    return out


def far_from_postcode(distance_m: float | None, postcode, limit_m: float) -> str | None:
    """Why a point ``distance_m`` from its postcode's centre is doubtful, or None."""
    if distance_m is None or distance_m != distance_m or distance_m <= limit_m:
        return None
    return f"the point is {distance_m / 1000:.1f} km from the centre of its postcode {postcode}"
