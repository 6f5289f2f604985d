"""One Open Referral UK / HSDS service's parts as registry values: the service's columns (cost,
eligibility, access, contact, languages), its organisation, its schedules, its accessibility.

Each part keeps the record exactly as the feed gave it (``extra``: nested collections that have
their own table left out), so :mod:`.hsds_export` writes the feed back unchanged; the columns hold
what the registry and the build use, normalised (times ``HH:MM``, dates ISO, text without HTML).
"""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

_BLOCK = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"}
ACCESS_WORDS = {"drop": "drop_in", "self": "self_referral", "referral": "referral", "professional": "referral",
                "gp": "referral", "appointment": "appointment", "booking": "appointment"}
SCHEDULE_FIELDS = ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                   "dtstart", "until", "description")
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: Any) -> str | None:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one line per block."""
    if not isinstance(html, str):
        return html
    if "<" not in html and "&" not in html:
        return html.strip() or None
    p = _Text()
    p.feed(html)
    p.close()
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in "".join(p.parts).split("\n"))
    return "\n".join(line for line in lines if line) or None


def text(v: Any, limit: int | None = None) -> str | None:
    """Non-blank text (cut to ``limit`` characters for its column: the feed's own value stays in extra)."""
    if not isinstance(v, str) or not v.strip():
        return None
    v = v.strip()
    return v[:limit] if limit else v


def listed(v: Any) -> list[dict]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def http(v: Any) -> str | None:
    v = text(v)
    return v if v and len(v) <= 500 and v.lower().startswith(("http://", "https://")) else None


def email(v: Any) -> str | None:
    v = text(v)
    return v if v and len(v) <= 254 and "@" in v else None


def iso_date(v: Any) -> date | None:
    try:
        return date.fromisoformat(v.strip()[:10]) if isinstance(v, str) else None
    except ValueError:
        return None


def hhmm(v: Any) -> str | None:
    """``10:00:00`` or ``10:00`` -> ``10:00`` (None if not a time)."""
    m = _TIME.match(v.strip()) if isinstance(v, str) else None
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None


def cost(svc: dict) -> str | None:
    """"free" when the service says so (an amount of 0, or fees text starting "free"), else its costs in words."""
    options = listed(svc.get("cost_options"))
    if any(o.get("amount") == 0 for o in options):
        return "free"
    words = []
    for o in options:
        amount = o.get("amount")
        parts = [f"£{amount:g}" if isinstance(amount, (int, float)) else None, text(o.get("amount_description")),
                 f"({text(o.get('option'))})" if text(o.get("option")) else None]
        words.append(" ".join(p for p in parts if p))
    fees = text(svc.get("fees_description")) or text(svc.get("fees"))
    if fees and fees.lower().startswith(("free", "no charge", "no cost")):
        return "free"
    return "; ".join(w for w in [*words, fees or ""] if w)[:300] or None


def eligibility(svc: dict) -> str | None:
    parts = [text(svc.get("eligibility_description"))]
    lo, hi = svc.get("minimum_age"), svc.get("maximum_age")
    if isinstance(lo, (int, float)) or isinstance(hi, (int, float)):
        parts.append(f"Ages {lo if lo is not None else 0:g} to {hi:g}" if isinstance(hi, (int, float))
                     else f"Ages {lo:g} and over")
    parts += [text(a.get("audienceType")) for a in listed(svc.get("pc_targetAudience"))]
    return "; ".join(dict.fromkeys(p for p in parts if p)) or None


def access(svc: dict) -> str | None:
    """How to get the service: drop_in, self_referral, referral or appointment (None when not said)."""
    said = " ".join(t for t in (text(svc.get("attending_access")), text(svc.get("referral_method"))) if t).lower()
    for word, value in ACCESS_WORDS.items():
        if word in said:
            return value
    return None


def contact_name(svc: dict) -> str | None:
    return next((text(c.get("name"), 200) for c in listed(svc.get("contacts")) if text(c.get("name"))), None)


def languages(svc: dict) -> str | None:
    names = [text(x.get("name")) for x in listed(svc.get("languages"))]
    return ", ".join(n for n in names if n)[:300] or None


def phone(*holders: Any) -> str | None:
    numbers = [text(p.get("number")) for h in holders if isinstance(h, dict) for p in listed(h.get("phones"))]
    numbers += [text(p.get("number")) for h in holders if isinstance(h, dict) for c in listed(h.get("contacts"))
                for p in listed(c.get("phones"))]
    return next((n for n in numbers if n and len(n) <= 40), None)


def organization(org: dict | None) -> dict | None:
    if not isinstance(org, dict) or not text(org.get("name")):
        return None
    return {"source_id": str(org.get("id") or text(org.get("name"))),
            "values": {"name": text(org["name"], 200), "description": html_to_text(org.get("description")),
                       "url": http(org.get("website")) or http(org.get("url")), "email": email(org.get("email"))},
            "extra": org}


def schedule(s: dict) -> dict:
    freq = text(s.get("freq"))
    interval = s.get("interval")
    values = {"freq": freq.upper() if freq and freq.upper() in ("WEEKLY", "MONTHLY") else None,
              "interval": int(interval) if isinstance(interval, (int, float)) and not isinstance(interval, bool)
              else None,
              "byday": text(s.get("byday"), 100), "bymonthday": text(str(s["bymonthday"]) if isinstance(
                  s.get("bymonthday"), (int, float)) else s.get("bymonthday"), 100),
              "opens_at": hhmm(s.get("opens_at")), "closes_at": hhmm(s.get("closes_at")),
              "valid_from": iso_date(s.get("valid_from")), "valid_to": iso_date(s.get("valid_to")),
              "dtstart": iso_date(s.get("dtstart")), "until": iso_date(s.get("until")),
              "description": html_to_text(s.get("description"))}
    return {"source_id": text(str(s.get("id") or ""), 100), "values": values, "extra": s}


def accessibility(loc: dict) -> dict[str, bool | None]:
    """step_free, accessible_toilet, hearing_loop from a location's accessibility records (None: not said)."""
    said = " ".join(t for a in listed(loc.get("accessibility"))
                    for t in (text(a.get("description")), text(a.get("details")), text(a.get("accessibility")))
                    if t).lower()
    return {"step_free": True if re.search(r"step[- ]free|wheelchair access|level access|ramp", said) else None,
            "accessible_toilet": True if re.search(r"accessible toilet|disabled toilet|changing places", said)
            else None,
            "hearing_loop": True if re.search(r"hearing loop|induction loop", said) else None}
