"""The build's activities as Open Referral UK services: one ``service`` per activity (a curated
record with ``record_kind = "service"``), its sessions as HSDS ``schedules`` and, unless it is
area-wide, one ``service_at_location`` at the place it is held (the asset's location record, the
same as the place's own service uses). Places' own opening hours stay on the places' services
(:mod:`.records`); warm-space sessions made from those hours are not repeated here."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .records import date_time, location_record, record_date, uid

SCHEDULE_KEYS = ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to")
ACCESS = {"drop_in": "Drop in", "self_referral": "Self-referral", "referral": "By referral (GP, link worker or "
          "other professional)", "appointment": "By appointment"}


def _clean(v):
    return None if v is None or (isinstance(v, float) and v != v) else v


def _schedule(slug: str, sid: str, s: dict) -> dict:
    out: dict[str, str | int] = {"id": uid("schedule", slug, s["session_id"]), "service_id": sid}
    for k in SCHEDULE_KEYS:
        v = _clean(s.get(k))
        if v is not None:
            out[k] = int(v) if k == "interval" else str(v)
    out["notes"] = "Times are local UK time (Europe/London)."
    return out


def activity_services(slug: str, build_dir: Path, assets: dict[str, dict], built: str | None, city_of
                      ) -> list[tuple[dict, dict, dict | None]]:
    """(full service, its listing form, its service_at_location listing form or None) per activity.
    ``assets``: asset id -> the asset record with lat/lon (as :func:`.records.service_record` reads it);
    ``city_of(asset)`` its district name."""
    path = Path(build_dir) / "sessions.parquet"
    if not path.exists():
        return []
    table = pd.read_parquet(path)
    if "record_kind" not in table:
        return []
    # the registry's own services are published from the registry with their full record
    # (OrukCatalogue.add_registry); the build's copies of them would list each twice
    table = table[(table["record_kind"] == "service") & ~table["source"].astype(str).str.startswith("registry:")]
    out = []
    for (source, source_id), group in table.groupby(["source", "source_id"], sort=True):
        rows = [{k: _clean(v) for k, v in r.items()} for r in group.to_dict("records")]
        first = rows[0]
        sid = uid("service", slug, "activity", str(source), str(source_id))
        checked = record_date(first.get("last_checked"))
        listed = {"id": sid, "name": first.get("service_name") or "Activity", "status": "active",
                  "description": first.get("description") or f"{first.get('service_name')} in {slug}",
                  "url": first.get("website") if str(first.get("website") or "").startswith(("http://", "https://"))
                  else None, "email": first.get("email"), "fees_description": first.get("cost"),
                  "eligibility_description": first.get("eligibility"),
                  "application_process": ACCESS.get(str(first.get("access")), first.get("access")),
                  "assured_date": checked, "last_modified": date_time(checked, built)}
        listed = {k: v for k, v in listed.items() if v is not None}
        full = {**listed, "schedules": [_schedule(slug, sid, s) for s in rows], "service_at_locations": []}
        if first.get("contact_name"):
            full["contacts"] = [{"id": uid("contact", slug, sid), "service_id": sid, "name": first["contact_name"]}]
        asset = assets.get(first.get("asset_id") or "")
        sal = None
        if asset is not None:
            location = location_record(slug, asset, str(asset.get("name") or first.get("venue") or listed["name"]),
                                       city_of(asset))
            sal_id = uid("sal", slug, "activity", sid)
            full["service_at_locations"] = [{"id": sal_id, "service_id": sid, "location_id": location["id"],
                                             "location": location}]
            sal = {"id": sal_id, "service_id": sid, "location_id": location["id"], "location": location,
                   "service": listed}
        out.append((full, listed, sal))
    return out
