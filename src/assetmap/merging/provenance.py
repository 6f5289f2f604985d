"""Per-field provenance of merged assets, and when each was last verified.

Every asset keeps ``provenance`` (field -> the source record that gave it, e.g.
``{"name": "gp_practices:C81015", "location": "osm:node/604008291"}``). For downloads and the
app it is also spread into flat columns naming the *source* (``osm``, ``libraries``,
``gp_practices``…) of each group of fields:

- ``src_name``, ``src_address`` (address or postcode), ``src_hours`` (opening hours),
  ``src_contact`` (website, phone, e-mail; several sources joined with ';'),
  ``src_location`` (``osm``, a curated source's own coordinates, or ``<source> (postcode)``
  when the point is the postcode's);
- ``last_verified``: the latest date any of the asset's sources was checked: for an OSM
  element its ``check_date``/``survey:date`` tags, else the extract's date; for a curated record
  its list's ``date`` (``data/sources.toml``).
"""
from __future__ import annotations

import re

import pandas as pd

PROVENANCE_COLUMNS = ["src_name", "src_location", "src_hours", "src_contact", "src_address", "last_verified"]
DATE_TAGS = ("check_date", "survey:date", "check_date:opening_hours", "survey_date", "source:date")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def iso_date(v) -> str | None:
    """``2021-05-03``, ``2021-05`` or ``2021`` from the start of a tag value, else None."""
    if not isinstance(v, str):
        return None
    m = _DATE.match(v.strip())
    if not m:
        return None
    return "-".join(p for p in m.groups() if p)


def element_date(tags: dict, default: str | None) -> str | None:
    """When an OSM element was last checked: the latest of its check/survey date tags, else
    ``default`` (the extract's date)."""
    found = [d for d in (iso_date(tags.get(k)) for k in DATE_TAGS) if d]
    return max(found) if found else default


def _source(ref) -> str | None:
    if not isinstance(ref, str) or not ref:
        return None
    name, _, rest = ref.partition(":")
    return name + (" (postcode)" if rest.endswith(" (postcode)") else "")


def provenance_columns(assets: pd.DataFrame) -> pd.DataFrame:
    """The flat provenance columns, aligned with ``assets`` (which has ``provenance`` and the
    private ``_dates``: source ref -> date)."""
    rows = []
    for prov, dates in zip(assets.get("provenance", []), assets.get("_dates", []), strict=False):
        prov = prov if isinstance(prov, dict) else {}
        contact = [_source(prov.get(f)) for f in ("website", "phone", "email")]
        known = [d for d in (dates or {}).values() if d]
        rows.append({
            "src_name": _source(prov.get("name")),
            "src_location": _source(prov.get("location")),
            "src_hours": _source(prov.get("opening_hours")),
            "src_contact": ";".join(dict.fromkeys(c for c in contact if c)) or None,
            "src_address": _source(prov.get("address") or prov.get("postcode")),
            "last_verified": max(known) if known else None,
        })
    return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS, index=assets.index)
