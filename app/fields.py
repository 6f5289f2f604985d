"""Documentation of the downloadable fields, shown on the downloads page.

Columns named by a pattern (``count_<category>``) are documented once. The tests check every
column of the real downloads against :func:`documented`, so a column the library adds without
documentation fails a test instead of appearing unexplained.
"""
from __future__ import annotations

import re

from assetmap.constants import IOD_DOMAINS

ASSET_FIELDS = (
    ("asset_id", "text", "Stable identifier: osm-<type>-<id> for OpenStreetMap features, cur-<source>-<hash> for curated-only records."),
    ("name", "text", "Name of the place or service (may be empty when OpenStreetMap has no name)."),
    ("address", "text", "Postal address as published by the source."),
    ("postcode", "text", "Postcode in canonical form (e.g. S40 1LP)."),
    ("website", "text", "Website as an absolute http(s) URL (a bare domain from a source gets https://; other schemes are dropped)."),
    ("phone", "text", "Telephone number."),
    ("email", "text", "Email address (without mailto:)."),
    ("opening_hours", "text", "Opening hours in OpenStreetMap opening_hours syntax where available."),
    ("description", "text", "Free-text description from the source."),
    ("wheelchair", "text", "Wheelchair access: yes, limited or no (OpenStreetMap wheelchair=*, designated counted as yes, or a curated list's field); empty when not known."),
    ("category", "text", "Primary category key (see the taxonomy on the About page)."),
    ("categories", "list", "Every category the asset belongs to (CSV: joined with ';')."),
    ("family", "text", "Family of the primary category (e.g. health, community_spaces)."),
    ("sources", "list", "Source records merged into this asset, as <source>:<id> (CSV: joined with ';')."),
    ("provenance", "object", "Which source each field came from (CSV: JSON text)."),
    ("src_name", "text", "Source that gave the name: osm, or a curated list (e.g. gp_practices, libraries)."),
    ("src_location", "text", "Source of the point: osm (the mapped building or entrance), a curated list's own coordinates, or '<list> (postcode)' when it is the postcode's centre."),
    ("src_hours", "text", "Source of the opening hours (empty when none is known)."),
    ("src_contact", "text", "Source(s) of the website, phone and e-mail, joined with ';'."),
    ("src_address", "text", "Source of the address (or of the postcode when there is no address)."),
    ("last_verified", "text", "Latest date any source of the asset was checked: a curated list's date, OSM check_date/survey:date tags, else the OSM extract's date (YYYY-MM-DD, YYYY-MM or YYYY)."),
    ("osm_type", "text", "OpenStreetMap element type (node, way, relation) when the asset is in OpenStreetMap."),
    ("osm_id", "integer", "OpenStreetMap element id."),
    ("lsoa21_code", "text", "Code of the LSOA 2021 neighbourhood the asset lies in (empty outside the mapped neighbourhoods)."),
    ("lon", "number", "Longitude, WGS84 (CSV only; GeoJSON and GeoPackage carry the point geometry)."),
    ("lat", "number", "Latitude, WGS84 (CSV only)."),
)

NEIGHBOURHOOD_FIELDS = (
    ("lsoa21_code", "text", "Lower layer Super Output Area (2021) code."),
    ("lsoa21_name", "text", "LSOA 2021 name (ONS), e.g. Chesterfield 012A."),
    ("display_name", "text", "The neighbourhood's name as the site shows it: the local name with the LSOA name, e.g. 'Spital & Hasland (Chesterfield 012A)' (the LSOA name alone when there is no local name)."),
    ("local_name", "text", "The House of Commons Library's name for the MSOA the LSOA lies in (MSOA Names 2.2, Open Parliament Licence v3.0; not an official name)."),
    ("msoa21_code / msoa21_name", "text", "The MSOA 2021 the LSOA lies in: code and ONS name (the LSOA name less its last letter)."),
    ("ward_code / ward_name", "text", "Electoral ward 2024 (ONS LSOA 2021 to ward best-fit lookup)."),
    ("osm_places", "text", "Named OpenStreetMap places (place=suburb, village, neighbourhood…) inside the LSOA, largest first, joined with '; '."),
    ("lad_code", "text", "Local authority district code."),
    ("lad_name", "text", "Local authority district name."),
    ("covered_share", "number", "Share of the LSOA's area covered by the OpenStreetMap extract (0–1)."),
    ("residents", "integer", "Usual residents, Census 2021."),
    ("households", "integer", "Households, Census 2021."),
    ("n_postcodes", "integer", "Number of live postcodes (Code-Point Open) in the LSOA."),
    ("imd_score / _rank / _decile", "number", "Index of Multiple Deprivation 2025: score, rank (1 = most deprived of England's LSOAs) and decile (1 = most deprived 10%)."),
    ("<domain>_score / _rank / _decile", "number", "The same for each IoD 2025 domain: income, employment, education, health, crime, housing, environment."),
    ("count_<category>", "integer", "Number of assets of that category in the LSOA."),
    ("per1k_<category>", "number", "Assets of that category per 1,000 residents."),
    ("dist_<category>_m", "number", "Straight-line distance in metres from the LSOA's postcodes (mean) to the nearest asset of that category; empty when the area has none."),
    ("walk_<category>_m", "number", "Walking distance in metres on the street network from the LSOA's postcodes (mean) to the nearest asset of that category (origins and assets snapped to the nearest walkable way, the snap leg included); empty when the area has none."),
    ("walk_<category>_min", "number", "The same as walking time in minutes at the walking speed (default 4.8 km/h)."),
    ("walk_<category>_min_rm", "number", "The same at the reduced-mobility speed (default 3 km/h), for older people and people with limited mobility."),
    ("walk_family_<family>_m / _min / _min_rm", "number", "The same to the nearest asset of any category of a family (e.g. walk_family_health_min)."),
    ("e2sfca_<category>", "number", "Enhanced two-step floating catchment access: places of that category per 1,000 people within a 30-minute walk, weighted 1 / 0.68 / 0.22 at 10 / 20 / 30 minutes (mean over the LSOA's postcodes)."),
    ("bfca_<category>", "number", "Balanced floating catchment access (Páez et al. 2019): the same without demand and supply inflation, per 1,000 people."),
    ("sa_<category> / sa_<category>_per1k", "number", "Spatial availability (Soukhov et al. 2023): how many places' worth of that category's supply is available to the LSOA's residents (it adds up to the places there are), and the same per 1,000 residents."),
    ("gapz_<category>", "number", "Gap index step 1: rank-based inverse normal of the LSOA's mean walking time to that category (higher = longer walk than the area's other LSOAs)."),
    ("gapz_family_<family> / gapx_family_<family>", "number", "Gap index step 2: the family's mean of its categories' z, and its exponentially transformed rank (0–100, 100 = the biggest gap)."),
    ("gap_score / gap_rank / gap_quintile", "number", "The gap index: weighted mean of the families' transformed scores (0–100), its rank in the area (1 = biggest gap) and quintile (1 = worst fifth)."),
    ("need_score / need_rank_england / need_decile_england", "number", "Need: weighted IoD 2025 domains (exponentially transformed England ranks, IMD weights, without barriers to housing and services), 0–100; its rank and decile among England's LSOAs (1 = most in need)."),
    ("need_tercile / gap_tercile / bivariate_class", "text", "Need and gap terciles within the area (3 = highest) and the bivariate class need-gap (e.g. 3-3: high need, big gap)."),
    ("double_disadvantage / left_behind_england", "boolean", "In the area's worst 20% on both need and gap; and the left-behind form: England's worst 10% on need and the area's worst 10% on gap."),
    ("shortfall_<category>", "number", "FGT-style shortfall: mean over the LSOA's postcodes of (t − z) / z for walks t over z = 15 minutes, 0 within it."),
    ("need_weight / shortfall_mean", "number", "Need score / 100, and the mean shortfall over the categories."),
    ("priority_<category> / priority_score / priority_rank", "number", "Priority: residents × need weight × shortfall, for one category and over all (rank 1 = first); the people in the most deprived places who lack the place within a walk."),
)

_DOMAINS = ("imd", *IOD_DOMAINS)


def documented(column: str, kind: str) -> bool:
    """Whether ``column`` of the assets or neighbourhoods download is described above."""
    if kind == "assets":
        return column in {f[0] for f in ASSET_FIELDS} or column == "geometry"
    plain = {f[0] for f in NEIGHBOURHOOD_FIELDS if " " not in f[0] and "<" not in f[0]}
    if column in plain or column == "geometry":
        return True
    if re.fullmatch(rf"({'|'.join(_DOMAINS)})_(score|rank|decile)", column):
        return True
    gaps = {"gap_score", "gap_rank", "gap_quintile", "need_score", "need_rank_england", "need_decile_england",
            "need_tercile", "gap_tercile", "bivariate_class", "double_disadvantage", "left_behind_england",
            "need_weight", "shortfall_mean", "priority_score", "priority_rank"}
    return column in gaps or bool(re.fullmatch(
        r"(count|per1k|e2sfca|bfca|gapz|shortfall|priority)_[a-z0-9_]+|sa_[a-z0-9_]+?(_per1k)?|gapx_family_[a-z0-9_]+"
        r"|dist_[a-z0-9_]+_m|walk_[a-z0-9_]+_(m|min|min_rm)", column))
