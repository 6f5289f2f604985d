"""Asset pages and neighbourhood profiles (Flask test client) on the real Chesterfield build,
plus escaping of hostile data on both."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html.parser import HTMLParser

import numpy as np
import pytest
from markupsafe import escape

from app_fixtures import CHESTERFIELD, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT
from assetmap.serving.hours import open_now, weekly_hours
from assetmap.serving.profiles import neutral
from page_support import assert_no_raw_markup, script_json, text, visible_text

BASE = f"/area/{CHESTERFIELD}"


def asset_url(asset_id: str, slug: str = CHESTERFIELD) -> str:
    return f"/area/{slug}/asset/{asset_id}"


def one(ar, mask) -> dict:
    rows = ar.assets[mask]
    assert len(rows), "no such asset in the build"
    return rows.iloc[0].to_dict()


class Outline(HTMLParser):
    """Headings in order, and every table's caption and header cells."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.tables: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables.append({"caption": False, "th": 0, "scoped": 0})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self.tables[-1]["scoped"] += a.get("scope") in ("col", "row")


def assert_accessible_structure(page: str) -> None:
    o = Outline()
    o.feed(page)
    assert o.headings[0] == 1 and o.headings.count(1) == 1, o.headings
    for prev, nxt in zip(o.headings, o.headings[1:], strict=False):
        assert nxt <= prev + 1, f"heading level jumps from h{prev} to h{nxt}"
    assert o.tables, "no tables"
    for t in o.tables:
        assert t["caption"], "a table without a caption"
        assert t["th"] and t["th"] == t["scoped"], "header cells without scope"


# --- opening hours -------------------------------------------------------------------------

def test_hours_in_words_for_a_known_rule():
    h = weekly_hours("Mo-Fr 09:00-18:00; Sa 09:00-13:00", today=date(2026, 3, 4))
    assert h.parsed and not h.varies
    assert h.rows == [("Monday", "09:00–18:00"), ("Tuesday", "09:00–18:00"), ("Wednesday", "09:00–18:00"),
                      ("Thursday", "09:00–18:00"), ("Friday", "09:00–18:00"), ("Saturday", "09:00–13:00"),
                      ("Sunday", "Closed")]
    # 2026-03-04 is a Wednesday
    assert open_now(h, datetime(2026, 3, 4, 10, 0)) == "open"
    assert open_now(h, datetime(2026, 3, 4, 19, 0)) == "closed"
    assert open_now(h, datetime(2026, 3, 8, 12, 0)) == "closed"  # Sunday


def test_hours_overnight_all_day_and_week_varying_rules():
    assert weekly_hours("24/7").rows[0] == ("Monday", "Open 24 hours")
    late = dict(weekly_hours("Tu 10:30-02:30", today=date(2026, 3, 4)).rows)
    assert late["Tuesday"] == "10:30–24:00" and late["Wednesday"] == "00:00–02:30"
    h = weekly_hours("Mo 10:00-15:00; Fr[1,3] 10:00-12:00", today=date(2026, 3, 4))
    assert h.varies and "varies by week" in dict(h.rows)["Friday"]
    assert "10:00–12:00" in dict(h.rows)["Friday"] and "Closed" in dict(h.rows)["Friday"]
    assert weekly_hours("") is None and weekly_hours(None) is None


def test_unparseable_hours_are_kept_as_written():
    h = weekly_hours("Sunday Services: 08:00 - Said Mass")
    assert not h.parsed and h.raw == "Sunday Services: 08:00 - Said Mass" and h.rows == []
    assert open_now(h) is None


# --- asset pages ---------------------------------------------------------------------------

def test_asset_page_of_a_named_osm_asset(client, chesterfield_ar):
    lib = one(chesterfield_ar, chesterfield_ar.assets["name"] == "Chesterfield Library")
    resp = client.get(asset_url(lib["asset_id"]))
    assert resp.status_code == 200
    page = text(resp)
    seen = visible_text(page)
    assert "<h1>Chesterfield Library</h1>" in page
    assert "Library" in seen and "Community spaces" in seen
    assert lib["address"] in seen and lib["postcode"] in seen
    # opening hours in words, from the asset's own rule
    expected = weekly_hours(lib["opening_hours"])
    assert expected.parsed
    for day, hours in expected.rows:
        assert f"{day} {hours}" in seen
    assert lib["opening_hours"] in seen  # the rule as written, too
    assert re.search(r"(Open|Closed) now", seen)
    # contact: the website as a link, the e-mail as mailto:
    assert f'href="{lib["website"]}"' in page and f'href="mailto:{lib["email"]}"' in page
    # sources and per-field provenance
    assert "OpenStreetMap" in seen and "Open Database Licence" in seen
    assert f"Last verified: {lib['last_verified']}" in seen
    assert "Which source gave each detail" in seen and "Opening hours Public libraries" in seen
    # report link, map with an accessible name and a text alternative, nearby places linked
    assert f'href="/report?asset={lib["asset_id"]}&amp;area=chesterfield"' in page
    assert client.get(f"/report?asset={lib['asset_id']}&area=chesterfield").status_code == 200  # the form for it
    assert 'id="asset-map"' in page and 'aria-label="Map of Chesterfield Library and the streets around it"' in page
    assert "Text alternative: Chesterfield Library is at latitude" in seen
    cfg = script_json(page, "asset-data")
    assert cfg["asset"]["title"] == "Chesterfield Library" and len(cfg["nearby"]) >= 3
    assert cfg["basemap"] == f"/tiles/{CHESTERFIELD}/basemap.pmtiles"
    assert cfg["tiles"] is None
    for n in cfg["nearby"]:
        assert f'href="{n["url"]}"' in page
    # the neighbourhood it lies in, linked to its profile
    assert f'href="{BASE}/neighbourhood/{lib["lsoa21_code"]}"' in page
    assert_accessible_structure(page)


def test_nearby_places_are_the_nearest_of_other_types(app, chesterfield_ar):
    view = app.extensions["assetmap"].views[CHESTERFIELD]
    assets = chesterfield_ar.assets
    xy = np.column_stack([assets.geometry.to_crs(27700).x, assets.geometry.to_crs(27700).y])
    i = int(np.flatnonzero(assets["name"].to_numpy() == "Chesterfield Library")[0])
    nearby = view.asset_pages[assets["asset_id"].iloc[i]]["nearby"]
    cats = [n["category"] for n in nearby]
    assert len(cats) == len(set(cats)) and "Library" not in cats
    d = np.hypot(*(xy - xy[i]).T)
    first = nearby[0]
    assert first["distance_m"] == pytest.approx(
        min(d[j] for j in range(len(assets)) if assets["category"].iloc[j] != "library" and j != i), abs=0.01)
    assert [n["distance_m"] for n in nearby] == sorted(n["distance_m"] for n in nearby)


def test_asset_page_of_a_merged_asset_shows_both_sources(client, chesterfield_ar):
    assets = chesterfield_ar.assets
    gp = one(chesterfield_ar, assets["sources"].map(
        lambda s: any(x.startswith("osm:") for x in s) and any(x.startswith("gp_practices:") for x in s)))
    page = text(client.get(asset_url(gp["asset_id"])))
    seen = visible_text(page)
    sources = {s["name"]: s for s in chesterfield_ar.report["sources"]}
    assert "OpenStreetMap" in seen and sources["openstreetmap"]["licence"] in seen
    assert sources["gp_practices"]["licence"] in seen
    label = chesterfield_ar.report["curated"]["gp_practices"]["label"]
    practice = next(x for x in gp["sources"] if x.startswith("gp_practices:")).split(":", 1)[1]
    assert label in seen and practice in seen
    osm = next(x for x in gp["sources"] if x.startswith("osm:")).split(":", 1)[1]
    assert f'href="https://www.openstreetmap.org/{osm}"' in page
    assert f"Name {label}" in seen  # the authoritative list named it


def test_asset_page_of_an_unnamed_asset(client, chesterfield_ar):
    a = one(chesterfield_ar, chesterfield_ar.assets["name"].isna() & (chesterfield_ar.assets["category"] == "playground"))
    page = text(client.get(asset_url(a["asset_id"])))
    assert "<h1>Playground (unnamed)</h1>" in page
    assert "<title>Playground (unnamed) · Chesterfield · assetmap</title>" in page
    assert "No opening hours are recorded" in visible_text(page)


def test_wheelchair_access_in_words(client, chesterfield_ar):
    assets = chesterfield_ar.assets
    yes = one(chesterfield_ar, assets["wheelchair"] == "yes")
    assert "Wheelchair access: yes." in visible_text(text(client.get(asset_url(yes["asset_id"]))))
    limited = one(chesterfield_ar, assets["wheelchair"] == "limited")
    assert "Wheelchair access: limited." in visible_text(text(client.get(asset_url(limited["asset_id"]))))
    unknown = one(chesterfield_ar, assets["wheelchair"].isna())
    seen = visible_text(text(client.get(asset_url(unknown["asset_id"]))))
    assert "Wheelchair access: unknown." in seen and "Ask the place before you visit" in seen


def test_asset_with_unparseable_hours_shows_them_as_written(client, chesterfield_ar):
    assets = chesterfield_ar.assets
    rows = assets[assets["opening_hours"].map(lambda v: isinstance(v, str) and weekly_hours(v).rule is None)]
    if not len(rows):
        pytest.skip("every opening_hours value in this build parses")
    a = rows.iloc[0]
    seen = visible_text(text(client.get(asset_url(a["asset_id"]))))
    assert f"As given by the source: {a['opening_hours']}" in seen


def test_unknown_asset_is_a_helpful_404(client):
    resp = client.get(asset_url("osm-node-1"))
    assert resp.status_code == 404
    seen = visible_text(text(resp))
    assert "There is no place with the id “osm-node-1” in Chesterfield" in seen
    assert client.get("/area/nowhere/asset/osm-node-1").status_code == 404


def test_every_asset_page_renders(client, chesterfield_ar):
    for aid in chesterfield_ar.assets["asset_id"]:
        assert client.get(asset_url(aid)).status_code == 200, aid


# --- neighbourhood profiles ------------------------------------------------------------------

@pytest.fixture(scope="module")
def most_deprived(chesterfield_ar) -> dict:
    nb = chesterfield_ar.neighbourhoods
    return nb.loc[nb["imd_rank"].idxmin()].to_dict()


def test_profile_of_the_most_deprived_neighbourhood(client, chesterfield_ar, most_deprived):
    r = most_deprived
    resp = client.get(f"{BASE}/neighbourhood/{r['lsoa21_code']}")
    assert resp.status_code == 200
    page = text(resp)
    seen = visible_text(page)
    assert f"<h1>{escape(r['display_name'])}</h1>" in page and r["lsoa21_name"] in r["display_name"]
    assert r["lsoa21_code"] in seen and r["lad_name"] in seen
    assert f"IMD rank in England {int(r['imd_rank']):,}" in seen
    assert f"{int(r['residents']):,}" in seen and f"{int(r['households']):,}" in seen
    for key, label in (("income", "Income"), ("employment", "Employment"), ("crime", "Crime"),
                       ("housing", "Barriers to housing and services")):
        assert f"{label} {int(r[f'{key}_rank']):,} {int(r[f'{key}_decile'])}" in seen
    # the chart has a table alternative and is hidden from screen readers itself
    assert 'class="bars" aria-hidden="true"' in page and "The same figures are in the table below" in seen
    # gap components
    assert f"rank {int(r['gap_rank'])} of {len(chesterfield_ar.neighbourhoods)}" in seen
    assert f"rank {int(r['priority_rank'])} of" in seen
    assert_accessible_structure(page)
    # the assets inside it, linked
    inside = chesterfield_ar.assets[chesterfield_ar.assets["lsoa21_code"] == r["lsoa21_code"]]
    for aid in inside["asset_id"]:
        assert f'href="{asset_url(aid)}"' in page


def test_profile_walking_table_matches_the_data(client, chesterfield_ar, most_deprived):
    r = most_deprived
    nb = chesterfield_ar.neighbourhoods
    page = text(client.get(f"{BASE}/neighbourhood/{r['lsoa21_code']}"))
    table = page[page.index('id="walk-table"'):]
    table = table[:table.index("</table>")]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [visible_text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        rows[cells[0]] = cells
    labels = {k: c["label"] for k, c in chesterfield_ar.taxonomy["categories"].items()}
    for key in ("gp", "library", "pharmacy", "food_bank"):
        here = r[f"walk_{key}_min"]
        ok = nb[f"walk_{key}_min"].notna() & nb["residents"].notna()
        avg = float(np.average(nb.loc[ok, f"walk_{key}_min"], weights=nb.loc[ok, "residents"]))
        cells = rows[labels[key]]
        assert cells[1] == f"{here:.1f}" and cells[3] == f"{avg:.1f}"
        assert (cells[5] == "Longer") == (round(here, 1) > round(avg, 1))
    assert any(c[5] == "Longer" for c in rows.values())  # the most deprived place has some long walks
    # same-decile averages come from the equity table of the build
    import json
    by = json.loads((chesterfield_ar.dir / "downloads" / "equity.json").read_text())["by_decile"]
    gp = next(b for b in by if b["category"] == "gp" and b["imd_decile"] == int(r["imd_decile"]))
    assert rows[labels["gp"]][4] == f"{gp['mean_min']:.1f}"


def test_profile_csv_download(client, chesterfield_ar, most_deprived):
    r = most_deprived
    resp = client.get(f"{BASE}/neighbourhood/{r['lsoa21_code']}.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(resp))))
    by = {(x["section"], x["item"]): x for x in rows}
    assert by[("neighbourhood", "code")]["value"] == r["lsoa21_code"]
    imd = by[("deprivation (IoD 2025)", "Index of Multiple Deprivation (overall)")]
    assert int(imd["rank"]) == int(r["imd_rank"]) and int(imd["decile"]) == int(r["imd_decile"])
    gp = next(x for x in rows if x["section"] == "walking time (minutes)" and x["item"] == "GP surgery")
    assert float(gp["value"]) == pytest.approx(r["walk_gp_min"], abs=0.051)


def test_profile_csv_neutralises_formula_cells(app, client, most_deprived):
    assert neutral("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [neutral(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "Plain", 5, -2.5)] == \
        ["'+1", "'-1", "'@SUM(A1)", "'\tx", "Plain", 5, -2.5]
    # a hostile place name inside the neighbourhood comes out of the real route neutralised
    profile = app.extensions["assetmap"].views[CHESTERFIELD].profiles[most_deprived["lsoa21_code"]]
    fake = {"asset_id": "cur-test-1", "title": "=cmd|' /C calc'!A0", "category": "@Timebank", "distance_m": 1.0}
    profile["inside"].append(fake)
    try:
        body = text(client.get(f"{BASE}/neighbourhood/{most_deprived['lsoa21_code']}.csv"))
    finally:
        profile["inside"].remove(fake)
    row = next(x for x in csv.reader(io.StringIO(body)) if x[-1] == "cur-test-1")
    assert row[1] == "'=cmd|' /C calc'!A0" and row[2] == "'@Timebank"
    assert not any(cell[:1] in "=+-@" for line in csv.reader(io.StringIO(body)) for cell in line if cell)


def test_unknown_neighbourhood_is_a_helpful_404(client):
    resp = client.get(f"{BASE}/neighbourhood/E01999999")
    assert resp.status_code == 404
    assert "has no neighbourhood with the code “E01999999”" in visible_text(text(resp))
    assert client.get(f"{BASE}/neighbourhood/E01999999.csv").status_code == 404


def test_every_profile_renders(client, chesterfield_ar):
    for code in chesterfield_ar.neighbourhoods["lsoa21_code"]:
        assert client.get(f"{BASE}/neighbourhood/{code}").status_code == 200, code


# --- links to the pages ----------------------------------------------------------------------

def test_lookup_results_link_to_asset_pages(client, chesterfield_ar):
    from assetmap.serving.search import CANDIDATES, rank_by_trust

    page = text(client.get("/lookup?postcode=S40+1LP"))
    cfg = script_json(page, "lookup-data")
    # nearest on foot, after the trust penalties (records not recently checked rank farther)
    found = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[:len(cfg["results"])]
    for r in found:
        assert f'href="{asset_url(r["asset_id"])}"' in page
    assert [x["url"] for x in cfg["results"]] == [asset_url(r["asset_id"]) for r in found]


def test_neighbourhood_table_and_planner_link_to_profiles(client, chesterfield_ar):
    page = text(client.get(f"{BASE}/neighbourhoods"))
    for code in chesterfield_ar.neighbourhoods["lsoa21_code"]:
        assert f'href="{BASE}/neighbourhood/{code}"' in page
    cfg = script_json(text(client.get(f"{BASE}/")), "map-config")
    assert cfg["urls"]["asset_page"] == f"{BASE}/asset/"
    assert cfg["urls"]["neighbourhood_page"] == f"{BASE}/neighbourhood/"


# --- hostile data ------------------------------------------------------------------------------

def test_hostile_names_are_escaped_on_asset_and_profile_pages(hostile_client, hostile_ar):
    assets = hostile_ar.assets
    for name in (XSS_IMG, XSS_SCRIPT):
        a = assets[assets["name"] == name].iloc[0]
        page = text(hostile_client.get(asset_url(a["asset_id"], HOSTILE_SLUG)))
        assert_no_raw_markup(page, f"asset page of {name}")
        seen = visible_text(page)
        assert name in seen
        if name == XSS_IMG:
            assert XSS_ADDRESS in seen
        assert script_json(page, "asset-data")["asset"]["title"] == name
        # its neighbourhood lists it, escaped
        code = a["lsoa21_code"]
        prof = text(hostile_client.get(f"/area/{HOSTILE_SLUG}/neighbourhood/{code}"))
        assert_no_raw_markup(prof, f"profile {code}")
        assert name in visible_text(prof)
        # and so does the page of a place nearby
        near = text(hostile_client.get(asset_url(
            assets.loc[(assets["lsoa21_code"] == code) & (assets["name"] != name), "asset_id"].iloc[0], HOSTILE_SLUG)))
        assert_no_raw_markup(near, "a neighbour's page")
    assert_no_raw_markup(text(hostile_client.get(f"/area/{HOSTILE_SLUG}/asset/%3Cimg%20src=x%3E")), "404")
