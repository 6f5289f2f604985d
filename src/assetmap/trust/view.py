"""What a page shows of a record's trust: its age and sources, whether it is recently checked, and
the cautions the build found, as plain values for the lookup result and the place page (the partial
template ``_trust.html``)."""
from __future__ import annotations

from .freshness import age_words


def _flag(v) -> bool:
    return bool(v) and v == v  # NaN and None are false


def _reasons(v) -> list[str]:
    return [x.strip() for x in str(v).split(";") if x.strip()] if isinstance(v, str) and v.strip() else []


def source_labels(refs, labels: dict[str, str]) -> list[str]:
    """The lists a record came from, by label ('osm:node/1' -> 'OpenStreetMap'), each once."""
    out = []
    for ref in refs or []:
        key = str(ref).split(":", 1)[0]
        out.append(labels.get(key) or ("OpenStreetMap" if key == "osm" else key))
    return list(dict.fromkeys(out))


def trust_view(row: dict, labels: dict[str, str]) -> dict:
    """A record's trust, for the pages: ``age`` in words, ``checked`` (the date), ``sources`` (labels),
    ``stale`` and ``stale_reason``, ``season_over``, ``cautions`` (the plausibility checks' reasons),
    ``duplicate`` (a possible duplicate's reason), ``caution`` (anything to show as not fact) and ``food``
    (how to get food from a food bank: referral, sessions, what the address is)."""
    age = row.get("checked_age_days")
    age = int(age) if age is not None and age == age else None
    last = row.get("last_verified")
    cautions = _reasons(row.get("checks"))
    duplicate = _reasons(row.get("duplicate_of"))
    return {
        "age": age_words(age) if last else "never checked",
        "checked": last if isinstance(last, str) and last else None,
        "sources": source_labels(row.get("sources"), labels),
        "stale": _flag(row.get("not_recently_checked")),
        "stale_reason": row.get("freshness_reason") if isinstance(row.get("freshness_reason"), str) else None,
        "season_over": _flag(row.get("season_over")),
        "cautions": cautions,
        "duplicate": duplicate,
        "caution": bool(cautions or duplicate),
        "food": row.get("food_way_in") if isinstance(row.get("food_way_in"), str) else None,
    }


ACCESS_WORDS = {
    "toilets_wheelchair": ("Accessible toilet", {"yes": "yes", "no": "no", "limited": "partly"}),
    "hearing_loop": ("Hearing loop", {"yes": "yes", "no": "no", "limited": "in some rooms"}),
}


def access_view(row: dict) -> list[dict]:
    """The accessibility facts a source gave beyond wheelchair access: [{"label", "text"}], empty when none."""
    out = []
    for col, (label, words) in ACCESS_WORDS.items():
        v = row.get(col)
        if isinstance(v, str) and v in words:
            out.append({"label": label, "text": words[v]})
    desc = row.get("wheelchair_description")
    if isinstance(desc, str) and desc.strip():
        out.append({"label": "Access notes", "text": desc.strip()})
    return out
