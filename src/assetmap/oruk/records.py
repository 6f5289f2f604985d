"""One asset as Open Referral UK (HSDS 3.0 UK profile) records: service, location, service_at_location.

Every id is a UUID 5 of the area and the asset id, so it stays the same from build to build.
What the build knows goes out, nothing invented:

* ``last_modified`` (and ``assured_date``) come from the record's own date, the build's
  ``last_verified``: an OSM element's ``check_date``/``survey:date`` tags, else the extract's
  date; a curated or registry record's own check date, else its list's date. The build time is
  used only for a record with no date at all.
* ``phones`` (HSDS 3.0 core ``service.phones``: the UK profile has no phone table, and its
  validator accepts extra fields), one per number in the asset's ``phone`` (``;``-separated).
* ``schedules``: the OSM ``opening_hours`` as HSDS weekly/monthly rules
  (:mod:`assetmap.oruk.schedules`).
* one physical ``location`` with its coordinates (WGS84), the asset id as its external
  identifier, and the address when the asset has both an address and a postcode.
"""
from __future__ import annotations

import re
import uuid

from .schedules import schedules

NAMESPACE = uuid.UUID("6f1c5d4e-2b7a-5e0f-9c3d-8a1b2c3d4e5f")
TEXT_FIELDS = ("name", "description", "email", "website", "phone", "opening_hours", "last_verified", "address",
               "postcode")
_MOBILE = re.compile(r"^(\+44\s*\(?0?\)?\s*|0)7")  # UK mobile numbers: 07… or +44 7…
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _http(url) -> str | None:
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _text(v) -> str | None:
    """A non-empty string, or None (for None, NaN and blanks)."""
    return v.strip() or None if isinstance(v, str) else None


def record_date(v) -> str | None:
    """``2018-05-21`` (or ``2018-05``, ``2018``) as a full ISO date, else None."""
    m = _DATE.match(v.strip()) if isinstance(v, str) else None
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{mo or '01'}-{d or '01'}"


def date_time(day: str | None, built: str | None) -> str | None:
    """RFC 3339 date-time of a record's own date (midnight UTC), else of the build time."""
    if day:
        return f"{day}T00:00:00Z"
    if isinstance(built, str) and built:
        return built if re.search(r"(Z|[+-]\d\d:\d\d)$", built) else built + "Z"
    return None


def phones(raw, sid: str, slug: str, asset_id: str) -> list[dict]:
    numbers = [p.strip() for p in raw.split(";") if p.strip()] if isinstance(raw, str) else []
    return [{"id": uid("phone", slug, asset_id, n), "service_id": sid, "number": n,
             "type": "cell" if _MOBILE.match(n) else "voice"} for n in numbers]


def location_record(slug: str, r: dict, name: str, city: str | None) -> dict:
    loc_id = uid("location", slug, r["asset_id"])
    loc = {"id": loc_id, "location_type": "physical", "name": name, "latitude": r["lat"], "longitude": r["lon"],
           "external_identifier": r["asset_id"], "external_identifier_type": "assetmap asset_id"}
    if r.get("address") and r.get("postcode"):
        loc["addresses"] = [{"id": uid("address", slug, r["asset_id"]), "location_id": loc_id,
                             "address_1": r["address"], "city": city or "", "state_province": "England",
                             "postal_code": r["postcode"], "country": "GB", "address_type": "physical"}]
    return loc


def service_record(slug: str, r: dict, built: str | None, city: str | None, cats: dict,
                   term_by_key: dict) -> tuple[dict, dict, dict]:
    """One asset as (the full service, its listing form, its service_at_location listing form).
    ``r`` holds asset_id, name, description, email, website, phone, opening_hours, last_verified,
    address, postcode, lat, lon, category, categories."""
    r = {k: (_text(v) if k in TEXT_FIELDS else v) for k, v in r.items()}
    sid = uid("service", slug, r["asset_id"])
    cat_label = cats.get(r["category"], {}).get("label", r["category"])
    name = r.get("name") or f"Unnamed {cat_label.lower()}"
    checked = record_date(r.get("last_verified"))
    listed = {"id": sid, "name": name, "status": "active",
              "description": r.get("description") or f"{cat_label} in {city or slug}",
              "url": _http(r.get("website")), "email": r.get("email") or None,
              "assured_date": checked, "last_modified": date_time(checked, built)}
    listed = {k: v for k, v in listed.items() if v is not None}
    location = location_record(slug, r, name, city)
    sal_id = uid("sal", slug, r["asset_id"])
    attributes = [{"id": uid("attribute", slug, r["asset_id"], c), "link_id": sid, "link_type": "service",
                   "link_entity": "service", "taxonomy_term_id": term_by_key[c]["id"],
                   "taxonomy_term": term_by_key[c]}
                  for c in r["categories"] if c in term_by_key]
    hours = schedules(r.get("opening_hours"), lambda key: uid("schedule", slug, r["asset_id"], key),
                      {"service_id": sid})
    full = {**listed, "phones": phones(r.get("phone"), sid, slug, r["asset_id"]), "schedules": hours,
            "service_at_locations": [{"id": sal_id, "service_id": sid, "location_id": location["id"],
                                      "location": location}],
            "attributes": attributes}
    sal = {"id": sal_id, "service_id": sid, "location_id": location["id"], "location": location, "service": listed}
    return full, listed, sal


def service_at_location(full: dict, n: int = 0) -> dict:
    """The full record of a full service's ``n``-th service_at_location (the service nested in it)."""
    sal = {"service_id": full["id"], **full["service_at_locations"][n]}
    sal.setdefault("location_id", sal["location"]["id"])
    service = {k: v for k, v in full.items() if k != "service_at_locations"}
    return {**sal, "service": service}
