"""Deciding whether a curated record and an OSM feature (or an earlier record) are one place.

Names are normalised (lower case, punctuation and possessives dropped, abbreviations such as
"Med Ctr" or "H/ctr" expanded) and split into tokens, each weighted by how much it tells places
apart: words every place of a kind shares ("library", "surgery", "health centre", "church") weigh
0.25, denominations 0.6, words common in the area's names (the town, "Holme Hall") 0.5, anything
else 1. Two names are compared token by token (rapidfuzz ``ratio`` >= 85, so "Annuciation" meets
"Annunciation") as the mean of a weighted Dice coefficient and the share of the *shorter* name
found in the longer one ("Avenue House Surgery" in "Inspire Health - Avenue House Surgery").
Every variant counts: OSM ``name``, ``alt_name``, ``official_name``, ``short_name``, ``old_name``
and ``addr:housename``; the record's name, its parts ("Fusion Cafe @ Reginald Centre") and the
building named at the head of its address ("Holy Trinity Church, Derbyshire S41 7PG").

A pair's score is the best name similarity, plus 0.1 when postcodes agree (minus 0.1 when they
are in different districts), plus 0.05 when the OSM street appears in the record's address, plus
up to +/-0.1 for distance (+0.1 at 0 m, 0 at half the radius, -0.1 at the radius).
"""
from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

STOP = {"the", "and", "of", "at", "ltd", "limited", "cic", "uk", "in", "for", "a", "st", "saint", "on", "with",
        "to", "by", "plc", "llp", "dr", "inc"}
GENERIC = {"library", "libraries", "surgery", "surgeries", "medical", "centre", "practice", "health", "healthcare",
           "church", "chapel", "community", "hall", "group", "foodbank", "food", "bank", "warm", "space", "spaces",
           "hub", "club", "clinic", "doctors", "doctor", "gp", "pharmacy", "room", "rooms", "cafe", "school",
           "primary", "park", "house", "building", "road", "street", "lane", "project", "association", "charity",
           "trust", "parish", "family", "partnership", "partners", "welcome", "village", "county", "council",
           "mission", "ministries", "services", "service", "support", "unit", "lounge", "place", "memorial"}
DENOMINATION = {"methodist", "baptist", "evangelical", "catholic", "pentecostal", "anglican", "reformed", "urc",
                "quaker", "friends", "unitarian", "christadelphian", "congregational", "orthodox", "salvation"}
STREET = {"road", "street", "lane", "avenue", "way", "drive", "close", "terrace", "place", "square", "hill", "parade",
          "walk", "crescent", "grove", "row", "court", "gardens", "mount", "approach", "view", "green"}
STREET_ANYWHERE = {"road", "street", "lane", "avenue", "drive", "terrace", "crescent", "parade"}
ABBREV = {"rd": "road", "st.": "st", "ave": "avenue", "ctr": "centre", "ctre": "centre", "cntr": "centre",
          "center": "centre", "med": "medical", "hc": "health centre", "hctr": "health centre", "prac": "practice",
          "pract": "practice", "pr": "practice", "srys": "surgeries", "sry": "surgery", "ptnrship": "partnership",
          "hthcare": "healthcare", "hlth": "health", "mc": "medical centre", "grp": "group", "comm": "community",
          "ch": "church", "meth": "methodist", "elhc": "health centre", "cofe": "church of england"}
OSM_NAME_KEYS = ("name", "alt_name", "official_name", "short_name", "old_name", "addr:housename")
_SPLIT = re.compile(r"\s*(?:,|;|\s@\s|@|\s-\s|\s–\s|\(|\)|\sat\s|\sin partnership with\s)\s*", re.I)
_PC = re.compile(r"\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b", re.I)

W_GENERIC, W_DENOM, W_COMMON, W_WORD = 0.25, 0.6, 0.5, 1.0
# Words that say what kind of place a name is. Two names that both say so and share no kind
# ("Whittington Moor Methodist Church" / "Whittington Moor Surgery") are different places.
KINDS = {"worship": {"church", "chapel", "cathedral", "minster", "mosque", "temple", "gurdwara", "synagogue",
                     "meeting", "methodist", "baptist", "parish"},
         "medical": {"surgery", "surgeries", "medical", "doctors", "doctor", "gp", "clinic", "practice"},
         "library": {"library", "libraries"},
         "school": {"school", "academy", "primary", "infant", "junior", "nursery", "college"},
         "pharmacy": {"pharmacy", "chemist", "chemists"}}
KIND_CLASH = 0.6


def kinds(toks) -> set[str]:
    return {k for k, words in KINDS.items() if words & set(toks)}


def tokens(text) -> list[str]:
    """Normalised tokens of a name: lower case, '&' -> 'and', apostrophes and punctuation dropped,
    abbreviations expanded, stop words removed."""
    if not isinstance(text, str) or not text.strip():
        return []
    s = text.lower().replace("&", " and ").replace("h/ctr", " health centre ").replace("h/c", " health centre ")
    s = re.sub(r"['’`]", "", s)
    out = []
    for t in re.split(r"[^a-z0-9]+", s):
        if not t:
            continue
        for u in ABBREV.get(t, t).split():
            if u not in STOP:
                out.append(u)
    return out


def common_words(names, min_count: int = 4) -> frozenset[str]:
    """Words that appear in at least ``min_count`` different names of the area's places (its town
    and neighbourhood names): they tell places apart less than a word of their own does."""
    c: Counter[str] = Counter()
    for toks in {tuple(tokens(n)) for n in names}:
        c.update(set(toks))
    return frozenset(t for t, k in c.items() if k >= min_count and t not in GENERIC)


class NameModel:
    """Token weights for one area (``common`` from :func:`common_words`)."""

    def __init__(self, common: frozenset[str] = frozenset()):
        self.common = common

    def weight(self, t: str) -> float:
        if t in GENERIC or t.isdigit():
            return W_GENERIC
        if t in DENOMINATION:
            return W_DENOM
        if t in self.common:
            return W_COMMON
        return W_WORD

    def similarity(self, a, b) -> float:
        """0..1: how alike two names are (see the module docstring)."""
        ta, tb = list(dict.fromkeys(tokens(a))), list(dict.fromkeys(tokens(b)))
        if not ta or not tb:
            return 0.0
        wa, wb = [self.weight(t) for t in ta], [self.weight(t) for t in tb]

        def matched(xs, ys):
            return [any(x == y or (len(x) > 3 and len(y) > 3 and fuzz.ratio(x, y) >= 85) for y in ys) for x in xs]

        ma, mb = matched(ta, tb), matched(tb, ta)
        sa, sb = sum(w for w, m in zip(wa, ma, strict=False) if m), sum(w for w, m in zip(wb, mb, strict=False) if m)
        dice = (sa + sb) / (sum(wa) + sum(wb))
        # the shorter name wholly inside the longer counts, if it says more than generic words
        short = min(((sum(wa), sa, ta), (sum(wb), sb, tb)), key=lambda x: x[0])
        own = sum(self.weight(t) for t in short[2] if t not in GENERIC)
        contain = short[1] / short[0] if own >= 0.5 else dice
        sim = 0.5 * dice + 0.5 * contain
        ka, kb = kinds(ta), kinds(tb)
        return sim * KIND_CLASH if ka and kb and not ka & kb else sim


def osm_names(tags: dict, name=None) -> list[str]:
    names = [name] + [tags.get(k) for k in OSM_NAME_KEYS]
    return [n for n in dict.fromkeys(names) if isinstance(n, str) and n.strip()]


def curated_names(name, address, model: NameModel) -> list[str]:
    """The record's name, its parts, and the building named at the head of its address (the parts
    before the first one with a number or a street word), if it says more than generic words."""
    out = []
    if isinstance(name, str) and name.strip():
        out.append(name)
        out += [p for p in _SPLIT.split(name) if p]
    if isinstance(address, str) and address.strip():
        for part in _SPLIT.split(_PC.sub("", address)):
            toks = tokens(part)
            if len(toks) < 2 or any(ch.isdigit() for ch in part) or toks[-1] in STREET or STREET_ANYWHERE & set(toks):
                break  # the head of the address ends at a number, a street or a lone place name
            typed = any(t in GENERIC or t in DENOMINATION for t in toks)
            if any(model.weight(t) == W_WORD for t in toks) or (typed and any(t not in GENERIC for t in toks)):
                out.append(part)
    return [n for n in dict.fromkeys(out) if tokens(n)]


def localities(address) -> frozenset[str]:
    """Words of the address after its head (town, district, county): in the record's own name
    ("MindSpace Stamford") they say where it is, not which place it is."""
    if not isinstance(address, str):
        return frozenset()
    parts = _SPLIT.split(_PC.sub("", address))
    head = 0
    for part in parts:
        toks = tokens(part)
        if len(toks) < 2 or any(ch.isdigit() for ch in part) or toks[-1] in STREET or STREET_ANYWHERE & set(toks):
            break
        head += 1
    tail = [tokens(p) for p in parts[max(head, 1):]]
    return frozenset(t for toks in tail if toks and toks[-1] not in STREET and not STREET_ANYWHERE & set(toks)
                     for t in toks if not t.isdigit())


def name_score(cur_names: list[str], other_names: list[str], model: NameModel) -> float:
    return max((model.similarity(a, b) for a in cur_names for b in other_names), default=0.0)


def outward(pc) -> str | None:
    return pc.split()[0] if isinstance(pc, str) and " " in pc else None


def address_score(cur_postcode, cur_address, other_postcode, other_street) -> float:
    s = 0.0
    if isinstance(cur_postcode, str) and isinstance(other_postcode, str) and cur_postcode and other_postcode:
        a, b = cur_postcode.replace(" ", "").upper(), other_postcode.replace(" ", "").upper()
        if a == b:
            s += 0.1
        elif outward(cur_postcode.upper()) != outward(other_postcode.upper()):
            s -= 0.1
    if isinstance(other_street, str) and isinstance(cur_address, str) and other_street.strip():
        st = [t for t in tokens(other_street) if t not in STREET]
        if st and set(st) <= set(tokens(cur_address)):
            s += 0.05
    return s


def distance_score(d: float, radius: float) -> float:
    return max(-0.1, min(0.1, 0.1 * (1 - 2 * d / radius)))
