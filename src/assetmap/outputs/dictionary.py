"""The data dictionary of every download, from one definition: column, meaning, unit, type, source.

Each rule is a regular expression over column names (``walk_(?P<key>…)_min``) with its meaning, unit,
type and source, so the ~400 neighbourhood columns made per category and family are described by a
few dozen rules. :func:`data_dictionary` applies them to the real columns of an area's downloads;
:func:`describe` raises for a column no rule describes; the dictionary lists such a column as "not
yet described" (a build never stops for it) and tests/test_dictionary.py fails on it, so a column the
library adds without a description fails the tests instead of appearing unexplained.
:func:`download_licences` states each download's licence and attribution from the build's sources.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ..constants import IOD_DOMAINS

OSM = "OpenStreetMap"
MERGED = "OpenStreetMap and the curated lists, merged by assetmap"
WALK = "assetmap walking measure (OpenStreetMap streets and paths, Code-Point Open postcodes, Census 2021)"
GAP = "assetmap gap measure (walking times, IoD 2025, Census 2021)"
ONS = "ONS LSOA 2021 boundaries and lookups"
IOD = "English Indices of Deprivation 2025 (MHCLG)"
CENSUS = "Census 2021 (ONS)"
TRUST = "assetmap trust checks (each category's freshness policy, plausibility, duplicates)"
NAMES = "House of Commons Library MSOA Names 2.2 (Open Parliament Licence v3.0)"
SESSIONS = "the curated lists' activities and sessions (assetmap sessions table)"
_CAT = r"(?P<key>[a-z0-9_]+?)"

# (regex, type, unit, source, meaning); {key} is the category or family key the column is about
ASSET_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("asset_id", "text", "", MERGED,
     "Stable identifier: osm-<type>-<id> for OpenStreetMap features, cur-<source>-<hash> for curated-only records."),
    ("name", "text", "", MERGED, "Name of the place or service (may be empty when OpenStreetMap has no name)."),
    ("address", "text", "", MERGED, "Postal address as published by the source."),
    ("postcode", "text", "", MERGED, "Postcode in canonical form (e.g. S40 1LP)."),
    ("website", "text", "URL", MERGED, "Website as an absolute http(s) URL."),
    ("phone", "text", "", MERGED, "Telephone number."),
    ("email", "text", "", MERGED, "Email address (without mailto:)."),
    ("opening_hours", "text", "", MERGED, "Opening hours in OpenStreetMap opening_hours syntax where available."),
    ("description", "text", "", MERGED, "Free-text description from the source."),
    ("wheelchair", "text", "", MERGED, "Wheelchair access: yes, limited or no; empty when not known."),
    ("category", "text", "", "assetmap taxonomy", "Primary category key (see the taxonomy on the About page)."),
    ("categories", "list", "", "assetmap taxonomy", "Every category the asset belongs to (CSV: joined with ';')."),
    ("family", "text", "", "assetmap taxonomy", "Family of the primary category (e.g. health, community_spaces)."),
    ("sources", "list", "", MERGED, "Source records merged into this asset, as <source>:<id> (CSV: joined with ';')."),
    ("provenance", "object", "", MERGED, "Which source each field came from (CSV: JSON text)."),
    ("src_(name|location|hours|contact|address)", "text", "", MERGED,
     "Source that gave the asset's {0}: osm, a curated list, or '<list> (postcode)' for a postcode's centre."),
    ("last_verified", "text", "date", MERGED,
     "Latest date any source of the asset was checked (YYYY-MM-DD, YYYY-MM or YYYY)."),
    ("osm_type", "text", "", OSM, "OpenStreetMap element type (node, way, relation)."),
    ("osm_id", "integer", "", OSM, "OpenStreetMap element id."),
    ("lsoa21_code", "text", "", ONS,
     "Code of the LSOA 2021 neighbourhood the asset lies in (empty outside the mapped ones)."),
    ("lon", "number", "degrees (WGS84)", MERGED,
     "Longitude (CSV only; GeoJSON and GeoPackage carry the point geometry)."),
    ("lat", "number", "degrees (WGS84)", MERGED, "Latitude (CSV only)."),
    ("geometry", "geometry", "WGS84", MERGED, "The asset's point (GeoJSON and GeoPackage)."),
    ("(toilets_wheelchair|hearing_loop)", "text", "", MERGED,
     "Accessibility fact {0}: yes, limited or no (OpenStreetMap tag or a curated list's field); empty when not known."),
    ("wheelchair_description", "text", "", MERGED, "Wheelchair access in the source's own words."),
    ("checked_age_days", "integer", "days", TRUST, "Days from the record's last check to the build's reference date."),
    ("fresh_until", "text", "date", TRUST,
     "The last day the record counts as recently checked under its category's freshness policy."),
    ("not_recently_checked", "boolean", "", TRUST, "Past its category's freshness policy on the reference date."),
    ("freshness_reason", "text", "", TRUST, "Why the record is (or is not) counted as recently checked."),
    ("season_over", "boolean", "", TRUST,
     "A seasonal record (e.g. a warm space) whose season has ended: never shown as open now."),
    ("checks", "text", "", TRUST,
     "Plausibility cautions found by the build (hours, names, category, point far from its postcode), '; '-joined."),
    ("food_access", "text", "", TRUST,
     "How a food bank is reached: referral (a food bank voucher), self_referral, drop_in or appointment."),
    ("food_way_in", "text", "", TRUST,
     "How to get food help there, in words: referral, distribution sessions or their absence, the food bank's page."),
    ("food_way_in_source", "text", "", TRUST, "The list the food help explanation comes from."),
    ("merged_from", "text", "", TRUST, "Ids of same-named duplicates from the curated lists folded into this record."),
    ("duplicate_of", "text", "", TRUST, "A likely duplicate left for a curator: which record, why and how far apart."),
)

_DOM = "|".join(("imd", *IOD_DOMAINS))
NEIGHBOURHOOD_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("lsoa21_code", "text", "", ONS, "Lower layer Super Output Area (2021) code."),
    ("lsoa21_name", "text", "", ONS, "LSOA 2021 name."),
    ("lad_code", "text", "", ONS, "Local authority district code."),
    ("lad_name", "text", "", ONS, "Local authority district name."),
    ("covered_share", "number", "share 0–1", OSM, "Share of the LSOA's area covered by the OpenStreetMap extract."),
    ("residents", "integer", "people", CENSUS, "Usual residents."),
    ("households", "integer", "households", CENSUS, "Households."),
    ("n_postcodes", "integer", "postcodes", "Code-Point Open (OS)", "Live postcodes in the LSOA."),
    (f"(?P<key>{_DOM})_score", "number", "score", IOD, "Index of Multiple Deprivation 2025 or domain ({key}): score."),
    (f"(?P<key>{_DOM})_rank", "integer", "rank (1 = most deprived in England)", IOD, "IoD 2025 {key}: rank."),
    (f"(?P<key>{_DOM})_decile", "integer", "decile (1 = most deprived 10%)", IOD, "IoD 2025 {key}: decile."),
    (f"count_{_CAT}", "integer", "places", MERGED, "Number of assets of {key} in the LSOA."),
    (f"per1k_{_CAT}", "number", "places per 1,000 residents", MERGED, "Assets of {key} per 1,000 residents."),
    (f"dist_{_CAT}_m", "number", "metres", WALK,
     "Straight-line distance from the LSOA's postcodes (mean) to the nearest {key}."),
    (f"walk_family_{_CAT}_m", "number", "metres", WALK,
     "Walking distance (mean over postcodes) to the nearest place of the family {key}."),
    (f"walk_family_{_CAT}_min", "number", "minutes", WALK,
     "Walking time (mean over postcodes) to the nearest place of the family {key}."),
    (f"walk_family_{_CAT}_min_rm", "number", "minutes", WALK, "The same at the reduced-mobility speed (family {key})."),
    (f"walk_{_CAT}_m", "number", "metres", WALK,
     "Walking distance on streets and paths (mean over postcodes) to the nearest {key}."),
    (f"walk_{_CAT}_min", "number", "minutes", WALK,
     "Walking time (mean over postcodes) to the nearest {key} at the walking speed."),
    (f"walk_{_CAT}_min_rm", "number", "minutes", WALK,
     "The same at the reduced-mobility speed (default 3 km/h), to the nearest {key}."),
    (f"e2sfca_{_CAT}", "number", "places per 1,000 people", WALK,
     "Enhanced two-step floating catchment access to {key}."),
    (f"bfca_{_CAT}", "number", "places per 1,000 people", WALK, "Balanced floating catchment access to {key}."),
    (f"sa_{_CAT}_per1k", "number", "places per 1,000 residents", WALK,
     "Spatial availability of {key} per 1,000 residents."),
    (f"sa_{_CAT}", "number", "places", WALK,
     "Spatial availability: places' worth of {key} available to the residents."),
    (f"gapz_family_{_CAT}", "number", "z-score", GAP, "Gap index step 2: mean z of the family {key}'s categories."),
    (f"gapx_family_{_CAT}", "number", "score 0–100", GAP,
     "Gap index step 2: the family {key}'s transformed rank (100 = biggest gap)."),
    (f"gapz_{_CAT}", "number", "z-score", GAP,
     "Gap index step 1: inverse normal of the rank of the walk to {key} (higher = longer)."),
    ("gap_score", "number", "score 0–100", GAP, "The gap index (100 = the biggest gap in the area)."),
    ("gap_rank", "integer", "rank (1 = biggest gap)", GAP, "Rank of the gap index in the area."),
    ("gap_quintile", "integer", "quintile (1 = worst fifth)", GAP, "Quintile of the gap index in the area."),
    ("gap_rank_england", "integer", "rank (1 = biggest gap)", GAP,
     "Rank of the gap index among England's LSOAs, from the national build (same gap settings)."),
    ("gap_decile_england", "integer", "decile (1 = worst tenth)", GAP,
     "Decile of the gap index among England's LSOAs, from the national build."),
    ("priority_rank_england", "integer", "rank (1 = first)", GAP,
     "Rank of the overall priority among England's LSOAs, from the national build."),
    ("need_score", "number", "score 0–100", GAP,
     "Need: weighted IoD 2025 domains without barriers to housing and services."),
    ("need_rank_england", "integer", "rank (1 = most in need)", GAP, "Rank of need among England's LSOAs."),
    ("need_decile_england", "integer", "decile (1 = most in need)", GAP, "Decile of need among England's LSOAs."),
    ("(need|gap)_tercile", "integer", "tercile (3 = highest)", GAP, "{0} tercile within the area."),
    ("bivariate_class", "text", "need-gap terciles", GAP, "Bivariate class need-gap (e.g. 3-3: high need, big gap)."),
    ("double_disadvantage", "boolean", "", GAP, "In the area's worst 20% on both need and gap."),
    ("left_behind_england", "boolean", "", GAP, "England's worst 10% on need and the area's worst 10% on gap."),
    ("need_weight", "number", "share 0–1", GAP, "Need score / 100."),
    ("shortfall_mean", "number", "share of the threshold", GAP, "Mean shortfall over the categories."),
    (f"shortfall_{_CAT}", "number", "share of the threshold", GAP,
     "Mean over postcodes of (t − z) / z for walks to {key} over z minutes."),
    ("priority_score", "number", "people × need × shortfall", GAP, "Priority over all categories."),
    ("priority_rank", "integer", "rank (1 = first)", GAP, "Rank of the overall priority in the area."),
    (f"priority_{_CAT}", "number", "people × need × shortfall", GAP,
     "Priority for {key}: residents × need weight × shortfall."),
    ("geometry", "geometry", "WGS84", ONS, "The LSOA's boundary (GeoJSON and GeoPackage)."),
    ("display_name", "text", "", NAMES,
     "The neighbourhood's name as the site shows it: the local name with the LSOA name (the LSOA name alone when "
     "there is no local name)."),
    ("local_name", "text", "", NAMES,
     "The House of Commons Library's name for the MSOA the LSOA lies in (MSOA Names 2.2; not an official name)."),
    ("msoa21_code", "text", "", ONS, "Code of the MSOA 2021 the LSOA lies in."),
    ("msoa21_name", "text", "", ONS, "ONS name of the MSOA 2021 the LSOA lies in (the LSOA name less its letter)."),
    ("ward_code", "text", "", ONS, "Electoral ward 2024 code (ONS LSOA 2021 to ward best-fit lookup)."),
    ("ward_name", "text", "", ONS, "Electoral ward 2024 name (ONS LSOA 2021 to ward best-fit lookup)."),
    ("osm_places", "text", "", OSM, "Named OpenStreetMap places inside the LSOA, largest first, '; '-joined."),
    (f"sessions_wk_{_CAT}", "number", "sessions a week", SESSIONS,
     "Sessions a week of {key} within the walk, weighted by the distance decay (mean over the LSOA's postcodes)."),
    (f"sessions_e2sfca_{_CAT}", "number", "sessions a week per 1,000 people", SESSIONS,
     "E2SFCA with each place's sessions a week of {key} as its supply."),
)

EQUITY_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("category", "text", "", "assetmap taxonomy", "Category key."),
    ("imd_decile", "integer", "decile (1 = most deprived 10%)", IOD, "IMD 2025 decile of the people's neighbourhoods."),
    ("population", "number", "people", CENSUS, "People the row stands for (residents shared among postcodes)."),
    ("mean_min", "number", "minutes", WALK,
     "Population-weighted mean walking time to the nearest place of the category."),
    ("palma", "number", "ratio", GAP,
     "Mean walk of IMD decile 10 over that of deciles 1–4 (below 1: the most deprived walk farther)."),
    ("fgt0", "number", "share 0–1", GAP, "Share of people whose walk is over the threshold."),
    ("fgt1", "number", "share of the threshold", GAP, "Mean shortfall beyond the threshold, as a share of it."),
    ("fgt2", "number", "share of the threshold, squared", GAP, "Mean squared shortfall (severity)."),
    ("threshold_min", "number", "minutes", GAP, "The walking-time threshold z (equity.json)."),
    ("summary", "table", "", GAP, "The summary table, one object per category (equity.json)."),
    ("by_decile", "table", "", GAP, "The by-decile table, one object per category and decile (equity.json)."),
)

REVIEW_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("curated_(source|id|name)", "text", "", MERGED, "The curated record left for review: its {0}."),
    ("category", "text", "", "assetmap taxonomy", "Category of the curated record."),
    ("candidate_(asset_id|ref|name)", "text", "", OSM, "The OpenStreetMap candidate it might be: its {0}."),
    ("distance_m", "number", "metres", MERGED, "Distance between the record and the candidate."),
    ("score", "number", "0–1", MERGED, "Match score."),
    ("reason", "text", "", MERGED, "Why the pair was left for a person to decide."),
)

SESSION_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("session_id", "text", "", SESSIONS, "Stable identifier of the recurring session."),
    ("asset_id", "text", "", SESSIONS, "The place the session is held at (empty for an area-wide activity)."),
    ("area_wide", "boolean", "", SESSIONS, "An activity with no place (telephone, online, across the area)."),
    ("record_kind", "text", "", SESSIONS, "service (an activity or group) or place (a place's own weekly hours)."),
    ("service_name", "text", "", SESSIONS, "The activity's name."),
    ("category", "text", "", "assetmap taxonomy", "Category key of the activity."),
    ("(source|source_id)", "text", "", SESSIONS, "The curated list the session came from: its {0}."),
    ("(freq|interval|byday|bymonthday)", "text", "", SESSIONS,
     "HSDS 3.0 recurrence, {0}: WEEKLY or MONTHLY, every n-th week or month, days (TU, MO,WE, 1TU, -1FR), "
     "day of month."),
    ("(opens_at|closes_at)", "text", "HH:MM (UK time)", SESSIONS, "The session's {0}."),
    ("(valid_from|valid_to)", "text", "date", SESSIONS, "The session's season: {0} (empty when open-ended)."),
    ("(cost|access|eligibility|contact_name|phone|email|website|venue|description)", "text", "", SESSIONS,
     "The activity's {0} as the source gives it (access: drop_in, self_referral, referral or appointment)."),
    ("last_checked", "text", "date", SESSIONS, "When the source last checked the activity."),
)

RULES = {"assets": ASSET_RULES, "neighbourhoods": NEIGHBOURHOOD_RULES, "equity": EQUITY_RULES, "review": REVIEW_RULES,
         "sessions": SESSION_RULES}
DOWNLOAD_KINDS = {"assets.geojson": "assets", "assets.csv": "assets", "neighbourhoods.geojson": "neighbourhoods",
                  "neighbourhoods.csv": "neighbourhoods", "equity_summary.csv": "equity",
                  "equity_by_decile.csv": "equity", "equity.json": "equity", "merge_review.csv": "review",
                  "sessions.csv": "sessions"}
_COMPILED = {k: [(re.compile(r[0]), *r[1:]) for r in rules] for k, rules in RULES.items()}


class UndescribedColumn(KeyError):
    """A download's column that no rule of the data dictionary describes."""


def describe(column: str, kind: str, labels: dict[str, str] | None = None) -> dict:
    """The dictionary row of one column of a download of ``kind`` (assets, neighbourhoods, equity, review)."""
    for rx, typ, unit, source, meaning in _COMPILED[kind]:
        m = rx.fullmatch(column)
        if m:
            key = m.groupdict().get("key")
            text = meaning.format(*m.groups(), key=(labels or {}).get(key, key) if key else "")
            return {"column": column, "meaning": text, "unit": unit, "type": typ, "source": source}
    raise UndescribedColumn(f"{column!r} of the {kind} downloads has no description: add a rule to "
                            f"assetmap.outputs.dictionary.{kind.upper()}_RULES")


def download_columns(path: Path) -> list[str]:
    """The columns (properties) of one download file."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh), [])
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        cols: dict[str, None] = {}
        for f in data.get("features", []):
            cols.update(dict.fromkeys(f.get("properties") or {}))
        return [*cols, "geometry"]
    return [k for k in data if not k.startswith("_")]


DOCS = ("dictionary.csv", "dictionary.json", "LICENCE.txt")


def write_data_docs(out: Path, area: str, slug: str, taxonomy: dict, sources: list[dict]) -> dict[str, int]:
    """The downloads' data dictionary (CSV and JSON, with each download's licence) and LICENCE.txt,
    the sidecar of the CSV files, into ``out/downloads``."""
    dl = Path(out) / "downloads"
    rows = data_dictionary(out, taxonomy, slug)
    licences = {k.format(slug=slug): v for k, v in download_licences({"sources": sources}).items()}
    (dl / "dictionary.csv").write_text(dictionary_csv(rows), encoding="utf-8")
    (dl / "dictionary.json").write_text(json.dumps({"area": area, "licences": licences, "columns": rows},
                                                   ensure_ascii=False, indent=1), encoding="utf-8")
    (dl / "LICENCE.txt").write_text(licence_text(area, {"sources": sources}, slug), encoding="utf-8")
    return {f"downloads/{n}": (dl / n).stat().st_size for n in DOCS}


def gpkg_columns(path: Path) -> dict[str, list[str]]:
    """The GeoPackage's layers and their columns."""
    import pyogrio

    out = {str(layer): [*pyogrio.read_info(path, layer=str(layer))["fields"], "geometry"]
           for layer, _ in pyogrio.list_layers(path)}
    Path(f"{path}.aux.xml").unlink(missing_ok=True)  # GDAL's side file of a read: the metadata is in the file
    return out


def data_dictionary(build_dir: Path, taxonomy: dict, slug: str) -> list[dict]:
    """Every column of every download of a built area, in order: download, column, meaning, unit, type, source."""
    labels = {k: c["label"] for k, c in taxonomy["categories"].items()}
    labels.update({k: f["label"] for k, f in taxonomy.get("families", {}).items()})
    rows = []
    for name, kind in DOWNLOAD_KINDS.items():
        path = Path(build_dir) / "downloads" / name
        if path.exists():
            rows += [{"download": name, **_row(c, kind, labels)} for c in download_columns(path)]
    gpkg = Path(build_dir) / "downloads" / f"assetmap-{slug}.gpkg"
    if gpkg.exists():
        for layer, cols in gpkg_columns(gpkg).items():
            rows += [{"download": f"{gpkg.name} ({layer})", **_row(c, layer, labels)} for c in cols]
    return rows


def _row(column: str, kind: str, labels: dict[str, str]) -> dict:
    """The column's description; one without a rule is listed as such (type and source left empty,
    which tests/test_dictionary.py rejects) rather than stopping a build."""
    try:
        return describe(column, kind, labels)
    except UndescribedColumn:
        return {"column": column, "meaning": "not yet described", "unit": "", "type": "", "source": ""}


def dictionary_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["download", "column", "meaning", "unit", "type", "source"],
                       lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def download_licences(report: dict) -> dict[str, dict]:
    """Each download's licence and attribution, from the build's sources: files with OpenStreetMap
    data in them are a database derived from it (ODbL 1.0, share-alike); curated records keep their
    own source's terms ("no licence stated" where the source gives none)."""
    srcs = report.get("sources", [])
    osm: dict = next((s for s in srcs if s.get("kind") == "osm"), {})
    curated = [f"{s['name']}: {s.get('licence') or 'no licence stated'}" for s in srcs if s.get("kind") == "curated"]
    public = [s for s in srcs if s.get("kind") in ("boundaries", "deprivation", "population", "postcodes",
                                                    "neighbourhood_names", "wards")]
    odbl = ("Open Database Licence (ODbL) 1.0: a database derived from OpenStreetMap. If you publish a changed "
            "version, or a database made with it, share it under the ODbL too.")
    attribution = [osm.get("attribution", "© OpenStreetMap contributors")]
    curated_credit = [s["attribution"] for s in srcs if s.get("kind") == "curated" and s.get("attribution")]
    public_credit = [s["attribution"] for s in public if s.get("attribution")]
    assets: dict = {"licence": odbl, "share_alike": True,
              "also": "Curated records are also under their own source's terms: " + ("; ".join(curated) or "none"),
              "attribution": attribution + curated_credit}
    areas: dict = {"licence": odbl, "share_alike": True,
             "also": "Public statistics in it are under the Open Government Licence v3.0 or the OS OpenData licence; "
                     "the neighbourhoods' local names under the Open Parliament Licence v3.0.",
             "attribution": attribution + public_credit}
    out = {}
    for name, kind in DOWNLOAD_KINDS.items():
        out[name] = assets if kind in ("assets", "review", "sessions") else areas
    both = list(dict.fromkeys(attribution + curated_credit + public_credit))
    out["assetmap-{slug}.gpkg"] = {**assets, "attribution": both}
    return out


def licence_text(area: str, report: dict, slug: str) -> str:
    """The downloads' licences as plain text (the CSV files' sidecar, ``LICENCE.txt``)."""
    lines = [f"Licences of the {area} downloads (assetmap)", ""]
    for name, lic in download_licences(report).items():
        lines += [name.format(slug=slug), f"  Licence: {lic['licence']}", f"  {lic['also']}",
                  "  Attribution: " + " | ".join(lic["attribution"]), ""]
    return "\n".join(lines)


def readable(pattern: str) -> str:
    """A rule's column pattern as people read it: ``walk_<category>_min``, ``<domain>_score``."""
    out = pattern.replace(_CAT, "<family>" if "family_" in pattern else "<category>")
    out = re.sub(r"\(\?P<key>[^)]*\)", "<domain>", out)
    return re.sub(r"\(([a-z_|]+)\)", lambda m: "<" + m.group(1).replace("|", " / ") + ">", out)


def field_rows(kind: str) -> list[tuple[str, str, str, str, str]]:
    """The rules of a kind of download for a page: (column pattern, type, unit, source, meaning)."""
    return [(readable(rx), typ, unit, source, meaning.replace("{key}", "…").replace("{0}", "…"))
            for rx, typ, unit, source, meaning in RULES[kind]]
