"""Reading Open Referral UK / HSDS JSON keeping its structure: organisations, services, services at
locations and schedules (stored by :mod:`.hsds_store`), and one row per physical location.

Accepted shapes: a list of services (a ``/services`` list endpoint, e.g. the Bristol feed); a
page ``{"contents": [...]}``; a single service; or tables ``{"organizations": [...],
"services": [...], "locations": [...], "service_at_locations": [...], "physical_addresses" or
"addresses": [...], "phones": [...], "taxonomy_terms": [...], "attributes" or
"service_taxonomys": [...], "schedules": [...]}``. Nested objects and table references
(``organization_id``, ``location_id``, ``taxonomy_term_id``, ``service_id``) are both followed.

Each physical location becomes a row (a curated asset, validated like any row; its point or
postcode checked); a location that cannot be placed is quarantined, and only that: its service and
the service's link to it are kept. A service with no location is kept as area-wide. A service is
refused (a quarantined row) only when it has no name or is not active. Services are categorised by
:mod:`.oruk_terms`, never refused for lack of a category. HTML in descriptions becomes text.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..errors import ImportFileError
from . import hsds_parts as parts
from .hsds_parts import html_to_text, listed, text
from .limits import Limits
from .oruk_terms import Categoriser
from .readers import RawRow, ReadResult, _json
from .validate import UK_BBOX

__all__ = ["HsdsService", "html_to_text", "read_oruk"]
NESTED = ("organization", "service_at_locations", "schedules")


@dataclass
class HsdsService:
    """One service as read: its columns, its record as given (``extra``) and its parts."""

    source_id: str
    values: dict[str, Any]
    extra: dict[str, Any]
    how: str  # how its category was found
    organization: dict | None = None
    schedules: list[dict] = field(default_factory=list)
    # {"source_id", "location_id" (row id), "location" (as given), "extra", "schedules"}
    sals: list[dict] = field(default_factory=list)


def _by(rows: list, key: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in rows:
        if isinstance(r, dict) and r.get(key) is not None:
            out[str(r[key])].append(r)
    return out


class _Feed:
    """Indexes over the tables of a tabular feed (all empty for a list of nested services)."""

    def __init__(self, obj: dict):
        def t(k: str) -> list:
            return listed(obj.get(k))
        self.orgs = {str(o.get("id")): o for o in t("organizations")}
        self.locations = {str(x.get("id")): x for x in t("locations")}
        self.sal = _by(t("service_at_locations"), "service_id")
        self.addresses = _by(t("physical_addresses") + t("addresses"), "location_id")
        self.phones_s = _by(t("phones"), "service_id")
        self.terms = {str(x.get("id")): x for x in t("taxonomy_terms") + t("taxonomies")}
        self.attrs = _by(t("attributes"), "link_id")
        self.service_tax = _by(t("service_taxonomys"), "service_id")
        self.schedules_s = _by(t("schedules"), "service_id")
        self.schedules_sal = _by(t("schedules"), "service_at_location_id")


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


def _terms(svc: dict, feed: _Feed) -> list[dict]:
    sid = str(svc.get("id"))
    terms = [_embedded(a, "taxonomy_term", "taxonomy_term_id", feed.terms)
             for a in listed(svc.get("attributes")) + feed.attrs.get(sid, [])]
    terms += [_embedded(st, "taxonomy", "taxonomy_id", feed.terms)
              for st in listed(svc.get("service_taxonomys")) + feed.service_tax.get(sid, [])]
    return [t for t in terms if isinstance(t, dict)] + listed(svc.get("taxonomy_terms"))


def _sals(svc: dict, feed: _Feed) -> list[tuple[dict, dict]]:
    """(service_at_location as given, its physical location with addresses) pairs."""
    pairs = []
    for sal in listed(svc.get("service_at_locations")) + feed.sal.get(str(svc.get("id")), []):
        loc = _embedded(sal, "location", "location_id", feed.locations)
        if isinstance(loc, dict):
            pairs.append((sal, loc))
    pairs += [({}, loc) for loc in listed(svc.get("locations"))]
    return [(s, loc) for s, loc in pairs if loc.get("location_type", "physical") in ("physical", None, "")]


def _address(loc: dict, feed: _Feed) -> tuple[str | None, str | None]:
    addrs = listed(loc.get("physical_addresses")) + listed(loc.get("addresses")) + \
        feed.addresses.get(str(loc.get("id")), [])
    if not addrs:
        return None, text(loc.get("postcode"))
    a = addrs[0]
    line = ", ".join(p for p in (text(a.get(k)) for k in ("address_1", "address_2", "city")) if p)
    return line or None, text(a.get("postal_code")) or text(a.get("postcode"))


def _in_uk(loc: dict) -> bool:
    lat, lon = loc.get("latitude"), loc.get("longitude")
    return (isinstance(lat, (int, float)) and isinstance(lon, (int, float))
            and UK_BBOX[1] <= lat <= UK_BBOX[3] and UK_BBOX[0] <= lon <= UK_BBOX[2])


def _service(svc: dict, feed: _Feed, categorise: Categoriser) -> HsdsService:
    org = _embedded(svc, "organization", "organization_id", feed.orgs)
    org = org if isinstance(org, dict) else {}
    name, description = text(svc.get("name"), 200), html_to_text(svc.get("description"))
    category, how = categorise.categorise(_terms(svc, feed), name, description)
    sid = str(svc.get("id")) if svc.get("id") not in (None, "") else ""
    values = {"name": name, "description": description, "category": category, "cost": parts.cost(svc),
              "eligibility": parts.eligibility(svc), "access": parts.access(svc),
              "contact_name": parts.contact_name(svc), "languages": parts.languages(svc),
              "url": parts.http(svc.get("url")) or parts.http(org.get("url")),
              "email": parts.email(svc.get("email")) or parts.email(org.get("email")),
              "phone": parts.phone(svc, {"phones": feed.phones_s.get(sid, [])}),
              "last_verified": parts.iso_date(svc.get("assured_date"))}
    out = HsdsService(sid, values, {k: v for k, v in svc.items() if k not in NESTED}, how,
                      parts.organization(org))
    out.schedules = [parts.schedule(s) for s in listed(svc.get("schedules")) + feed.schedules_s.get(sid, [])]
    return out


def _refusals(svc: dict, seen: dict[str, int], number: int) -> list[str]:
    reasons = []
    sid = str(svc.get("id") or "")
    if sid and sid in seen:
        reasons.append(f"id: duplicate service id {sid!r}, first used by service {seen[sid]} of the feed; give every "
                       f"service its own id, or remove the repeat")
    seen.setdefault(sid, number)
    if not text(svc.get("name")):
        reasons.append("name: the service has no name in the feed; give it one at the source, or type one here")
    status = svc.get("status")
    if isinstance(status, str) and status.strip() and status.strip().lower() != "active":
        reasons.append(f"status: the service is {status.strip()!r} in the feed; only active services are imported")
    return reasons


def _location_row(loc: dict, lid: str, svc: HsdsService, feed: _Feed) -> tuple[dict, list[str]]:
    address, postcode = _address(loc, feed)
    values = {"id": lid, "name": text(loc.get("name"), 200) or svc.values["name"],
              "category": svc.values["category"], "description": html_to_text(loc.get("description")),
              "address": address, "postcode": postcode, "lat": loc.get("latitude"), "lon": loc.get("longitude"),
              "url": svc.values["url"], "email": svc.values["email"], "phone": svc.values["phone"],
              "last_verified": svc.values["last_verified"].isoformat() if svc.values["last_verified"] else None}
    reasons = []
    if loc.get("latitude") is not None and not _in_uk(loc):
        reasons.append(f"location: the feed's point ({loc.get('latitude')}, {loc.get('longitude')}) is not in the "
                       f"UK, so this location is not on the map; its service and the service's link to it are kept. "
                       f"Give the location's real coordinates or a UK postcode to place it")
    return values, reasons


def read_oruk(data: bytes, name: str, encoding: str | None = None, mapping: dict | None = None,
              taxonomy=None, limits: Limits = Limits()) -> ReadResult:
    """Rows of a feed read whole (within ``limits``), with its services in ``result.hsds``."""
    from ..taxonomy import load_taxonomy

    services, feed = _services(_json(data, name, encoding, limits), name)
    categorise = Categoriser(taxonomy or load_taxonomy())
    rows: list[RawRow] = []
    kept: list[HsdsService] = []
    located: dict[str, int] = {}  # location row id -> row index
    seen: dict[str, int] = {}  # service id -> its number in the feed
    for number, svc in enumerate(services, 1):
        if not isinstance(svc, dict):
            rows.append(RawRow(len(rows) + 1, {"service": svc}, {}, ["service: not a JSON object; give each service "
                                                                      "as an object with id and name"]))
            continue
        if reasons := _refusals(svc, seen, number):
            values = {"id": str(svc.get("id") or ""), "name": text(svc.get("name")),
                      "description": html_to_text(svc.get("description")), "url": parts.http(svc.get("url"))}
            rows.append(RawRow(len(rows) + 1, {"service": svc, "location": None}, values, reasons))
            continue
        hs = _service(svc, feed, categorise)
        for n, (sal, loc) in enumerate(_sals(svc, feed)):
            lid = str(loc.get("id") or f"{hs.source_id}@{n}")
            if lid not in located:
                values, reasons = _location_row(loc, lid, hs, feed)
                located[lid] = len(rows)
                rows.append(RawRow(len(rows) + 1, {"location": loc, "service_id": hs.source_id}, values, reasons))
            sal_schedules = listed(sal.get("schedules")) + feed.schedules_sal.get(str(sal.get("id")), [])
            hs.sals.append({"source_id": text(str(sal.get("id") or ""), 100), "location_id": lid, "location": loc,
                            "extra": {k: v for k, v in sal.items() if k not in ("location", "schedules")},
                            "schedules": [parts.schedule(s) for s in sal_schedules]})
        hs.values["area_wide"] = not hs.sals
        kept.append(hs)
    result = ReadResult("oruk", iter(rows), notes={
        "services": len(services), "services_kept": len(kept),
        "services_area_wide": sum(1 for s in kept if s.values["area_wide"]), "locations": len(located),
        "categorised": _tally(kept)})
    result.hsds = kept
    return result


def _tally(kept: list[HsdsService]) -> dict[str, int]:
    """How many services were categorised each way (taxonomy term, name, description, other)."""
    out: dict[str, int] = defaultdict(int)
    for s in kept:
        out[s.how.split(" ")[0] if not s.how.startswith("nothing") else "other_activity"] += 1
    return dict(out)
