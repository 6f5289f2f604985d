"""A tiny, complete, made-up English area written in code: every input file an area needs,
in the same formats as the real sources, plus a config naming them. Used to test that a new
area works from configuration alone, and to push hostile text through the whole pipeline."""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import geopandas as gpd
import osmium
from shapely.geometry import box

LAD = "E06999999"
# Two LSOAs side by side, each 1 km x 1 km, in British National Grid near Leicester.
X0, Y0 = 460000.0, 300000.0
LSOAS = [("E01999901", "Synthtown 001A", box(X0, Y0, X0 + 1000, Y0 + 1000)),
         ("E01999902", "Synthtown 001B", box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000))]
EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_SCRIPT = "Lunch <script>alert(2)</script> club"


def _lonlat(x, y):
    p = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs=27700).to_crs(4326).iloc[0]
    return round(p.x, 7), round(p.y, 7)


def write_area(root: Path, *, evil: bool = True, extra_toml: str = "") -> Path:
    """Write the raw files under ``root / "raw"`` and the area config; return the config path."""
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    # boundaries, as the national GPKG (lon/lat) with the same field names
    g = gpd.GeoDataFrame({"lsoa21_code": [c for c, _, _ in LSOAS], "lsoa21_name": [n for _, n, _ in LSOAS],
                          "ltla24_code": [LAD, LAD], "ltla24_name": ["Synthshire", "Synthshire"]},
                         geometry=[p for _, _, p in LSOAS], crs=27700).to_crs(4326)
    g.to_file(raw / "lsoa.gpkg", layer="lsoa21_bsc", driver="GPKG")
    # IoD2025 in the humaniverse layout
    domains = ["IMD", "Income", "Employment", "Education", "Health", "Crime", "Housing_and_Services", "Environment"]
    header = ["lsoa21_code"] + [f"{d}_{m}" for m in ("decile", "rank", "score") for d in domains]
    with gzip.open(raw / "imd.csv.gz", "wt", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerow(["E01999901"] + [1] * 8 + [100] * 8 + [55.5] * 8)
        w.writerow(["E01999902"] + [10] * 8 + [33000] * 8 + [2.5] * 8)
    with open(raw / "census.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["lsoa21_code", "total_residents", "total_households"])
        w.writerow(["E01999901", 1500, 650])
        w.writerow(["E01999902", 2000, 800])
    # postcodes (Code-Point Open layout), one per quarter of each LSOA
    with open(raw / "codepoint.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code",
                    "NHS_regional_HA_code", "NHS_HA_code", "Admin_county_code", "Admin_district_code", "Admin_ward_code"])
        w.writerow(["ZZ1 1AA", 10, int(X0 + 250), int(Y0 + 250), "E92000001", "", "", "", LAD, ""])
        w.writerow(["ZZ1 1AB", 10, int(X0 + 750), int(Y0 + 750), "E92000001", "", "", "", LAD, ""])
        w.writerow(["ZZ1 2AA", 10, int(X0 + 1250), int(Y0 + 250), "E92000001", "", "", "", LAD, ""])
        w.writerow(["ZZ1 2AB", 10, int(X0 + 1750), int(Y0 + 750), "E92000001", "", "", "", LAD, ""])
        w.writerow(["ZZ1 9ZZ", 90, 0, 0, "E92000001", "", "", "", LAD, ""])  # no coordinates
    # OSM: a library node, a community-centre closed way, a park multipolygon relation
    lib = _lonlat(X0 + 300, Y0 + 300)
    corners = [_lonlat(X0 + 600, Y0 + 600), _lonlat(X0 + 650, Y0 + 600), _lonlat(X0 + 650, Y0 + 650), _lonlat(X0 + 600, Y0 + 650)]
    park = [_lonlat(X0 + 1200, Y0 + 200), _lonlat(X0 + 1800, Y0 + 200), _lonlat(X0 + 1800, Y0 + 800), _lonlat(X0 + 1200, Y0 + 800)]
    road = [_lonlat(X0 + 10, Y0 + 500), _lonlat(X0 + 1990, Y0 + 500)]
    with osmium.SimpleWriter(str(raw / "synth.osm.pbf")) as w:
        w.add_node(osmium.osm.mutable.Node(id=1, location=lib, tags={"amenity": "library", "name": "Synthtown Library"}))
        for i, c in enumerate(corners):
            w.add_node(osmium.osm.mutable.Node(id=10 + i, location=c))
        for i, c in enumerate(park):
            w.add_node(osmium.osm.mutable.Node(id=20 + i, location=c))
        for i, c in enumerate(road):
            w.add_node(osmium.osm.mutable.Node(id=30 + i, location=c))
        cc_name = EVIL_NAME if evil else "Synthtown Community Centre"
        w.add_way(osmium.osm.mutable.Way(id=100, nodes=[10, 11, 12, 13, 10],
                                         tags={"amenity": "community_centre", "name": cc_name, "building": "yes"}))
        w.add_way(osmium.osm.mutable.Way(id=101, nodes=[20, 21, 22, 23, 20]))
        w.add_way(osmium.osm.mutable.Way(id=102, nodes=[30, 31], tags={"highway": "residential", "name": "High Street"}))
        w.add_relation(osmium.osm.mutable.Relation(id=1000, members=[("w", 101, "outer")],
                                                   tags={"type": "multipolygon", "leisure": "park", "name": "Synth Park"}))
    # curated: the same library (official list, by postcode), and a suggestions list with a category column
    with open(raw / "libraries.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Local authority", "Library name", "Address 1", "Address 2", "Address 3", "Postcode", "Year closed", "URL"])
        w.writerow(["Synthshire Council", "Synthtown", "1 High Street", "", "Synthtown", "zz11aa", "", "https://example.org/lib"])
        w.writerow(["Synthshire Council", "Closedville", "2 Low Street", "", "Synthtown", "ZZ1 1AB", "2015", ""])
    with open(raw / "suggestions.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "address", "postcode", "lat", "lon"])
        ll = _lonlat(X0 + 1700, Y0 + 700)
        w.writerow(["s1", EVIL_SCRIPT if evil else "Synth Lunch Club", "lunch club",
                    '"><svg onload=alert(3)> Church Hall' if evil else "Church Hall", "ZZ1 2AB", "", ""])
        w.writerow(["s2", "Synth Timebank", "Time bank", "3 Mill Lane", "", ll[1], ll[0]])
        w.writerow(["s3", "Mystery", "unknown thing", "", "ZZ1 2AA", "", ""])
        w.writerow(["s4", "Nowhere Group", "support group", "", "ZZ9 9ZZ", "", ""])
    cov = [*_lonlat(X0 - 100, Y0 - 100), *_lonlat(X0 + 2100, Y0 + 1100)]
    cfg = root / "synthtown.toml"
    cfg.write_text(f"""
data_root = "raw"
use_defaults = false

[area]
slug = "synthtown"
name = "Synthtown"
lads = ["{LAD}"]
neighbourhoods = "lads"

[osm]
file = "synth.osm.pbf"
url = "http://127.0.0.1:1/unused.osm.pbf"
coverage = {json.dumps(cov)}

[sources.lsoa]
kind = "boundaries"
file = "lsoa.gpkg"
layer = "lsoa21_bsc"
columns = {{ code = "lsoa21_code", name = "lsoa21_name", lad_code = "ltla24_code", lad_name = "ltla24_name" }}

[sources.imd]
kind = "deprivation"
file = "imd.csv.gz"
code = "lsoa21_code"
pattern = "{{label}}_{{measure}}"
domains = {{ imd = "IMD", income = "Income", employment = "Employment", education = "Education", health = "Health", crime = "Crime", housing = "Housing_and_Services", environment = "Environment" }}

[sources.pop]
kind = "population"
file = "census.csv"

[sources.pc]
kind = "postcodes"
file = "codepoint.csv"
columns = {{ postcode = "Postcode", x = "Eastings", y = "Northings", quality = "Positional_quality_indicator" }}
drop_quality = [90]

[sources.libraries]
kind = "curated"
file = "libraries.csv"
category = "library"
authoritative = true
name_suffix = "Library"
require_empty = ["Year closed"]
fields = {{ id = ["Local authority", "Library name"], name = "Library name", address = ["Address 1", "Address 2", "Address 3"], postcode = "Postcode", website = "URL" }}

[sources.suggestions]
kind = "curated"
file = "suggestions.csv"
category_field = "type"
fields = {{ id = "id", name = "name", address = "address", postcode = "postcode", lat = "lat", lon = "lon" }}
{extra_toml}
""")
    return cfg
