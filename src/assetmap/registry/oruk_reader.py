"""Reading Open Referral UK / HSDS JSON into rows: one row per service and physical location.

Accepted shapes: a list of services (a ``/services`` list endpoint, e.g. the Bristol feed); a
page ``{"contents": [...]}``; a single service; or tables ``{"organizations": [...],
"services": [...], "locations": [...], "service_at_locations": [...], "physical_addresses" or
"addresses": [...], "phones": [...], "taxonomy_terms": [...], "attributes" or
"service_taxonomys": [...]}``. Nested objects (``service.organization``,
``service.service_at_locations[].location``, ``service.attributes[].taxonomy_term``) and table
references (``organization_id``, ``location_id``, ``taxonomy_term_id``) are both followed.

A service with no location becomes one row with the reason "no location: …" (quarantined,
counted in the report: never dropped). A service at several locations becomes one row per
location, with the id ``<service id>@<location id>``. Taxonomy terms are matched to assetmap
categories through the taxonomy's keys, labels and aliases; when none matches, the first term's
name is kept as the category, so the row's reason names it. HTML in descriptions becomes text.
"""
from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

from ..errors import ImportFileError
from .limits import Limits
from .readers import RawRow, ReadResult, _json

_BLOCK = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"}


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
        return html
    p = _Text()
    p.feed(html)
    p.close()
    lines = (" ".join(line.replace("\xa0", " ").split()) for line in "".join(p.parts).split("\n"))
    return "\n".join(line for line in lines if line) or None


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _first(*values: Any) -> Any:
    for v in values:
        if isinstance(v, str) and v.strip():
            return v
    return None


def _by(rows: list, key: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in rows:
        if isinstance(r, dict) and r.get(key) is not None:
            out[str(r[key])].append(r)
    return out


class _Feed:
    """Indexes over the tables of a tabular feed (all empty for a list of nested services)."""

    def __init__(self, obj: dict):
        t = lambda k: _list(obj.get(k))  # noqa: E731
        self.orgs = {str(o.get("id")): o for o in t("organizations") if isinstance(o, dict)}
        self.locations = {str(x.get("id")): x for x in t("locations") if isinstance(x, dict)}
        self.sal = _by(t("service_at_locations"), "service_id")
        self.addresses = _by(t("physical_addresses") + t("addresses"), "location_id")
        self.phones_s = _by(t("phones"), "service_id")
        self.phones_l = _by(t("phones"), "location_id")
        self.terms = {str(x.get("id")): x for x in t("taxonomy_terms") + t("taxonomies") if isinstance(x, dict)}
        self.attrs = _by(t("attributes"), "link_id")
        self.service_tax = _by(t("service_taxonomys"), "service_id")


def _services(obj: Any, name: str) -> tuple[list, _Feed]:
    if isinstance(obj, list):
        return obj, _Feed({})
    if isinstance(obj, dict):
        if isinstance(obj.get("services"), list):
            return obj["services"], _Feed(obj)
        if isinstance(obj.get("contents"), list):
            return obj["contents"], _Feed({})
        if "id" in obj and "name" in obj:
            return [obj], _Feed({})
    raise ImportFileError(f"{name} is not Open Referral UK JSON: expected a list of services, a page with "
                          f"\"contents\", or tables with \"services\"; check the file or choose another --format")


def _embedded(obj: dict, key: str, id_key: str, table: dict):
    """``obj[key]`` when the feed embeds the record there, else the record ``obj[id_key]`` names in ``table``."""
    return obj.get(key) if isinstance(obj.get(key), dict) else table.get(str(obj.get(id_key)))


def _locations(svc: dict, feed: _Feed) -> list[dict]:
    locs: list[dict] = []
    for sal in _list(svc.get("service_at_locations")) + feed.sal.get(str(svc.get("id")), []):
        if not isinstance(sal, dict):
            continue
        loc = _embedded(sal, "location", "location_id", feed.locations)
        if loc:
            locs.append(loc)
    locs += [x for x in _list(svc.get("locations")) if isinstance(x, dict)]
    seen, out = set(), []
    for loc in locs:
        key = str(loc.get("id", id(loc)))
        if key not in seen and loc.get("location_type", "physical") in ("physical", None, ""):
            seen.add(key)
            out.append(loc)
    return out


def _terms(svc: dict, feed: _Feed) -> list[dict]:
    terms: list[dict] = []
    for a in _list(svc.get("attributes")) + feed.attrs.get(str(svc.get("id")), []):
        if isinstance(a, dict):
            term = _embedded(a, "taxonomy_term", "taxonomy_term_id", feed.terms)
            if term:
                terms.append(term)
    for st in _list(svc.get("service_taxonomys")) + feed.service_tax.get(str(svc.get("id")), []):
        if isinstance(st, dict):
            term = _embedded(st, "taxonomy", "taxonomy_id", feed.terms)
            if term:
                terms.append(term)
    terms += [t for t in _list(svc.get("taxonomy_terms")) if isinstance(t, dict)]
    return terms


def _category(terms: list[dict], resolve) -> str | None:
    words = [w for t in terms for w in (t.get("term"), t.get("code"), t.get("name"))
             if isinstance(w, str) and w.strip()]
    if resolve:
        for w in words:
            if resolve(w):
                return w
    names = [t.get("name") for t in terms if isinstance(t.get("name"), str) and t["name"].strip()]
    return names[0] if names else (words[0] if words else None)


def _address(loc: dict, feed: _Feed) -> tuple[str | None, str | None]:
    addrs = [a for a in _list(loc.get("physical_addresses")) + _list(loc.get("addresses"))
             + feed.addresses.get(str(loc.get("id")), []) if isinstance(a, dict)]
    if not addrs:
        return None, loc.get("postcode") if isinstance(loc.get("postcode"), str) else None
    a = addrs[0]
    parts = [a.get(k) for k in ("address_1", "address_2", "city") if isinstance(a.get(k), str) and a.get(k).strip()]
    return (", ".join(p.strip() for p in parts) or None), _first(a.get("postal_code"), a.get("postcode"))


def _phone(*holders: Any, extra: list | None = None) -> str | None:
    phones = [p for h in holders if isinstance(h, dict) for p in _list(h.get("phones"))] + (extra or [])
    return _first(*(p.get("number") for p in phones if isinstance(p, dict)))


def read_oruk(data: bytes, name: str, encoding: str | None = None, mapping: dict | None = None,
              taxonomy=None, limits: Limits = Limits()) -> ReadResult:
    """Rows of a feed read whole (within ``limits``: size and nesting depth, see :mod:`.limits`)."""
    services, feed = _services(_json(data, name, encoding, limits), name)
    resolve = taxonomy.resolve if taxonomy is not None else None
    rows: list[RawRow] = []
    no_location = 0
    for svc in services:
        if not isinstance(svc, dict):
            rows.append(RawRow(len(rows) + 1, {"service": svc}, {}, ["service: not a JSON object; give each service "
                                                                      "as an object with id and name"]))
            continue
        org = _embedded(svc, "organization", "organization_id", feed.orgs) or {}
        base = {
            "name": svc.get("name"),
            "description": html_to_text(svc.get("description")),
            "url": _first(svc.get("url"), org.get("url")),
            "email": _first(svc.get("email"), org.get("email")),
            "category": _category(_terms(svc, feed), resolve),
            "last_verified": (svc.get("assured_date") or "")[:10] if isinstance(svc.get("assured_date"), str) else None,
        }
        reasons = []
        status = svc.get("status")
        if isinstance(status, str) and status.strip() and status.strip().lower() != "active":
            reasons.append(f"status: the service is {status.strip()!r} in the feed; only active services are imported")
        locs = _locations(svc, feed)
        sid = str(svc.get("id")) if svc.get("id") not in (None, "") else ""
        if not locs:
            no_location += 1
            rows.append(RawRow(len(rows) + 1, {"service": svc, "location": None},
                               {**base, "id": sid, "phone": _phone(svc, extra=feed.phones_s.get(sid, []))},
                               reasons + ["no location: the service has no physical location in the feed (no "
                                          "service_at_locations or locations); add one at the source, or give "
                                          "coordinates or a postcode when fixing this row"]))
            continue
        for loc in locs:
            lid = str(loc.get("id", ""))
            address, postcode = _address(loc, feed)
            values = {**base, "id": sid if len(locs) == 1 else f"{sid}@{lid}",
                      "lat": loc.get("latitude"), "lon": loc.get("longitude"),
                      "address": address, "postcode": postcode,
                      "phone": _phone(svc, loc, extra=feed.phones_s.get(sid, []) + feed.phones_l.get(lid, []))}
            rows.append(RawRow(len(rows) + 1, {"service": svc, "location": loc}, values, list(reasons)))
    return ReadResult("oruk", iter(rows), notes={"services": len(services), "services_without_location": no_location})
