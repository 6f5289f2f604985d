"""The web app (Flask test client) on a real Chesterfield build: the planner and the lookup."""
from __future__ import annotations

import html
import json
import re

import pytest

from app import create_app
from app_fixtures import CHESTERFIELD, HOSTILE_SLUG
from page_support import CHESTERFIELD_BOX, OGL_LINE, OS_LINE, OSM_LINE, script_json, text, visible_text

# --- planner -----------------------------------------------------------------------------

def test_index_shows_area_summary_legend_and_attribution(client, chesterfield_ar):
    resp = client.get("/")
    assert resp.status_code == 200
    page = text(resp)
    seen = visible_text(page)
    assert '<html lang="en">' in page
    assert "Skip to main content" in page
    assert "<h1 id=\"area-title\">Chesterfield</h1>" in page
    for line in (OSM_LINE, OGL_LINE, OS_LINE):
        assert line in seen
    assert "1 = most deprived 10%" in seen
    assert f"Neighbourhoods {len(chesterfield_ar.neighbourhoods)}" in seen
    assert f"Residents {int(chesterfield_ar.neighbourhoods['residents'].sum()):,}" in seen
    assert f"Community assets {len(chesterfield_ar.assets):,}" in seen
    # every family with assets is listed with its count
    for fam, n in chesterfield_ar.assets["family"].value_counts().items():
        label = chesterfield_ar.taxonomy["families"][fam]["label"]
        assert re.search(rf"{re.escape(label)}\s+{n:,}\b", seen), (label, n)
    assert 'href="/area/chesterfield/neighbourhoods"' in page


def test_index_map_config_is_json_with_local_urls(client, chesterfield_ar):
    page = text(client.get("/"))
    cfg = script_json(page, "map-config")
    assert cfg["slug"] == CHESTERFIELD
    (s, w), (n, e) = cfg["bounds"]
    min_lon, min_lat, max_lon, max_lat = chesterfield_ar.bounds
    assert (s, w, n, e) == (min_lat, min_lon, max_lat, max_lon)
    assert cfg["urls"]["assets"] == "/data/chesterfield/assets.geojson"
    assert cfg["tiles"] is None
    assert OSM_LINE in cfg["attribution"]["short"]
    assert cfg["attribution"]["lines"] == chesterfield_ar.attribution
    assert len(cfg["deciles"]) == 10 and cfg["deciles"][0]["label"] == "most deprived 10%"
    # per-neighbourhood counts add up to the assets inside neighbourhoods
    assert sum(v["total"] for v in cfg["lsoa_assets"].values()) == int(chesterfield_ar.assets["lsoa21_code"].notna().sum())
    # the page loads scripts only from this site
    for src in re.findall(r'<script[^>]* src="([^"]+)"', page):
        assert src.startswith("/static/"), src
    for href in re.findall(r'<link[^>]* href="([^"]+)"', page):
        assert href.startswith("/static/"), href


def test_area_route_and_unknown_area(client):
    assert client.get("/area/chesterfield/").status_code == 200
    resp = client.get("/area/atlantis/")
    assert resp.status_code == 404
    assert "There is no area called “atlantis”" in visible_text(text(resp))
    assert client.get("/area/atlantis/neighbourhoods").status_code == 404


def test_neighbourhoods_table_lists_every_lsoa_most_deprived_first(client, chesterfield_ar):
    resp = client.get("/area/chesterfield/neighbourhoods")
    assert resp.status_code == 200
    page = text(resp)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
    nb = chesterfield_ar.neighbourhoods
    assert len(rows) == len(nb)
    first = nb.sort_values("imd_rank").iloc[0]
    assert first["lsoa21_code"] in rows[0] and html.escape(first["lsoa21_name"]) in rows[0]
    assert "<caption" in page and 'scope="col"' in page


def test_area_switcher_lists_every_loaded_area(hostile_root, chesterfield_root, tmp_path):
    root = tmp_path / "two"
    root.mkdir()
    (root / CHESTERFIELD).symlink_to((chesterfield_root / CHESTERFIELD).resolve(), target_is_directory=True)
    (root / HOSTILE_SLUG).symlink_to((hostile_root / HOSTILE_SLUG).resolve(), target_is_directory=True)
    two = create_app({"ASSETMAP_BUILD_ROOT": str(root), "DEFAULT_AREA": HOSTILE_SLUG, "TESTING": True}).test_client()
    page = text(two.get("/"))
    assert 'aria-label="Areas"' in page
    assert '<a href="/area/chesterfield/">Chesterfield</a>' in page
    assert f'href="/area/{HOSTILE_SLUG}/" aria-current="page"' in page


# --- lookup ------------------------------------------------------------------------------

def test_lookup_lists_the_librarys_nearest_assets_in_order(client, chesterfield_ar):
    resp = client.get("/lookup?postcode=S40 1LP")
    assert resp.status_code == 200
    page = text(resp)
    from assetmap.serving.search import CANDIDATES, rank_by_trust, trust_penalty_m

    # nearest on foot after the trust penalties (a record not recently checked ranks 800 m farther)
    expected = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[:10]
    assert len(expected) == 10
    items = re.findall(r'<li class="result" id="result-(\d+)">(.*?)</li>', page, re.S)
    assert [int(i) for i, _ in items] == list(range(1, 11))
    for (_, item), r in zip(items, expected, strict=False):
        assert html.escape(r["name"] or "Unnamed") in item
        assert r["category_label"] in item
    # a real GP surgery 158 m from S40 1LP in a straight line, 223 m on foot (OpenStreetMap + NHS ODS); its
    # records were checked in 2018 and April 2025, so among any kind of place fresher records come first
    seen = visible_text(text(client.get("/lookup?postcode=S40 1LP&category=gp")))
    assert "Inspire Health - Avenue House Surgery" in seen
    assert "GP surgery · 3 min walk (223 m on foot; 4 min at a slower pace)" in seen
    walks = [r["walk_m"] + trust_penalty_m(r) for r in expected]
    assert walks == sorted(walks) and all(r["walk_m"] >= r["straight_m"] for r in expected)
    data = script_json(page, "lookup-data")
    assert data["postcode"] == "S40 1LP"
    assert [r["rank"] for r in data["results"]] == list(range(1, 11))
    assert all(CHESTERFIELD_BOX[0] < r["lon"] < CHESTERFIELD_BOX[2] and CHESTERFIELD_BOX[1] < r["lat"] < CHESTERFIELD_BOX[3]
               for r in data["results"])


def test_lookup_by_category_finds_the_real_nearest_library(client, chesterfield_ar):
    resp = client.get("/lookup?postcode=S40+1LP&category=library")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    found = chesterfield_ar.lookup("S40 1LP", category="library").results
    assert found[0]["name"] == "Chesterfield Library"
    assert "Chesterfield Library" in seen
    assert "New Beetwell Street, Chesterfield, Derbyshire, S40 1QN" in seen
    assert seen.count("Library ·") == len(found)


def test_lookup_accepts_lowercase_without_space(client):
    resp = client.get("/lookup?postcode=s401lp")
    assert resp.status_code == 200
    assert "10 nearest places to S40 1LP" in visible_text(text(resp))


def test_lookup_of_a_category_with_no_assets_says_so(client, chesterfield_ar):
    absent = [k for k in chesterfield_ar.taxonomy["categories"]
              if not chesterfield_ar.assets["categories"].map(lambda cs, k=k: k in cs).any()]
    assert absent, "every category has assets in Chesterfield; pick another empty-category check"
    resp = client.get(f"/lookup?postcode=S40+1LP&category={absent[0]}")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    label = chesterfield_ar.taxonomy["categories"][absent[0]]["label"]
    assert f"Nothing found near S40 1LP: {label}" in seen
    assert f"No places of the type “{label}” have been mapped in Chesterfield yet" in seen
    # related kinds of place the area does have are offered instead: the same family's, as links
    tax = chesterfield_ar.taxonomy["categories"]
    with_related = [k for k in absent if any(c["family"] == tax[k]["family"] and c != tax[k]
                                             and chesterfield_ar.assets["categories"].map(lambda cs, o=o: o in cs).any()
                                             for o, c in tax.items())]
    assert with_related, "no empty category has a related one in Chesterfield; pick another check"
    page = text(client.get(f"/lookup?postcode=S40+1LP&category={with_related[0]}"))
    family = tax[with_related[0]]["family"]
    related = [o for o, c in tax.items() if c["family"] == family and o != with_related[0]
               and chesterfield_ar.assets["categories"].map(lambda cs, o=o: o in cs).any()]
    assert "Related places near S40 1LP:" in visible_text(page)
    for o in related:
        assert f'href="/lookup?postcode=S40+1LP&amp;category={o}">{html.escape(tax[o]["label"])}</a>' in page


def test_lookup_without_postcode_is_just_the_form(client):
    resp = client.get("/lookup")
    assert resp.status_code == 200
    page = text(resp)
    assert '<label for="postcode">Postcode, place or street</label>' in page
    assert '<label for="category">Type of place</label>' in page
    assert 'class="result-list"' not in page and "There is a problem" not in page


def test_malformed_postcode_is_400_with_message_and_refilled_form(client):
    resp = client.get("/lookup?postcode=NOT+A+POSTCODE&category=library")
    assert resp.status_code == 400
    page = text(resp)
    assert "is not a UK postcode" in visible_text(page)
    assert 'value="NOT A POSTCODE"' in page
    assert 'aria-invalid="true"' in page
    assert '<option value="library" selected>' in page


def test_unknown_postcode_is_404_with_message(client):
    resp = client.get("/lookup?postcode=ZZ99 9ZZ")
    assert resp.status_code == 404
    page = text(resp)
    assert "could not find the postcode ZZ99 9ZZ" in visible_text(page)
    assert 'value="ZZ99 9ZZ"' in page


@pytest.mark.parametrize("query", [
    "postcode=S40+1LP&category=spaceport",
    "postcode=" + "A" * 500,
    "postcode=%00%01",
    "postcode=S40+1LP&category=%3Cscript%3E",
])
def test_odd_lookups_are_client_errors_never_500(client, query):
    resp = client.get("/lookup?" + query)
    assert resp.status_code == 400
    # control characters are refused for every page before the lookup sees them (app/security.py)
    assert ("contains a control character" if "%00" in query else "There is a problem") in text(resp)
    assert "<script>" not in text(resp).split("<footer", 1)[0].split("</header>", 1)[1]


FRAMED_QUERIES = [
    {}, {"postcode": "S40 1LP"}, {"postcode": "s401lp", "category": "library"},
    {"postcode": "NOT A POSTCODE"}, {"postcode": "ZZ99 9ZZ"}, {"postcode": "S40 1LP", "category": "nope"},
]


def test_framed_lookup_page_is_exactly_the_full_render(chesterfield_root, chesterfield_ar):
    """The lookup renders its frame once per variant; every spliced page must equal render_template's,
    byte for byte, whatever order the variants are first met in."""
    from flask import render_template

    from app.blueprints.public import run_lookup

    absent = next(k for k in chesterfield_ar.taxonomy["categories"]
                  if not chesterfield_ar.assets["categories"].map(lambda cs, k=k: k in cs).any())
    queries = FRAMED_QUERIES + [{"postcode": "S40 1LP", "category": absent}]
    for order in (queries, queries[::-1]):
        app = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root)})
        client = app.test_client()
        for query in order + order:  # the first meeting renders a frame, the second reuses it
            resp = client.get("/lookup", query_string=query)
            postcode = query.get("postcode", "")
            category = query.get("category") or None
            with app.test_request_context("/lookup", query_string=query):
                context, status = run_lookup(postcode, category) if postcode else ({}, 200)
                full = render_template("lookup.html", postcode=postcode, category=category, **context)
            assert resp.status_code == status, query
            assert resp.get_data(as_text=True) == full, query
            assert "\x00" not in full


def test_lookup_from_a_place_or_street_name(client):
    """Place and street names from the OSM extract start a lookup from their nearest postcode."""
    resp = client.get("/lookup?postcode=brimington")
    page = visible_text(text(resp))
    assert resp.status_code == 200 and "nearest places to Brimington" in page
    assert "Walks are from postcode S43" in page and "(village)" in page
    street = client.get("/lookup?postcode=Saltergate&category=library")
    street_text = visible_text(text(street))
    assert street.status_code == 200
    assert "nearest place to Saltergate" in street_text or "nearest places to Saltergate" in street_text
    # a name shared by several streets: a choice, each choice a working lookup
    choose = client.get("/lookup?postcode=Church+Street")
    assert choose.status_code == 200 and "Which “Church Street” do you mean?" in visible_text(text(choose))
    links = re.findall(r'href="(/lookup\?postcode=[^"]+near=[^"]+)"', text(choose))
    assert len(links) >= 2
    picked = client.get(html.unescape(links[0]))
    assert picked.status_code == 200 and "nearest places to Church Street, " in visible_text(text(picked))
    # a forged choice (label and postcode that do not belong together) is refused
    assert client.get("/lookup?postcode=S40+1LP&near=Church+Street%2C+Nowhere").status_code == 400
    # neither a postcode nor a known name
    nothing = client.get("/lookup?postcode=Xyzzyville")
    assert nothing.status_code == 400
    assert "not the name of a place or street we know" in visible_text(text(nothing))


def test_what_matters_to_you_search_with_filters(client, chesterfield_ar):
    """Interests in plain words map to categories and keywords; filters narrow the results and,
    when they leave nothing, the page says why and offers the search without them."""
    cats = chesterfield_ar.taxonomy["categories"]
    resp = client.get("/lookup?postcode=S40+1LP&q=I+like+gardening")
    page = text(resp)
    assert resp.status_code == 200 and "gardening and growing" in visible_text(page)
    # each result is of an interest's category or holds one of its keywords in its name or description
    # (not "the page mentions garden": the form echoes the query, so that is always true)
    shown = [(html.unescape(n), html.unescape(c)) for n, c in re.findall(
        r'class="result-name">([^<]*)</h3>\s*<p class="result-meta"><span class="result-category">([^<]+)<', page)]
    allowed = {cats[c]["label"] for c in ("allotment", "nature_reserve", "park")}
    assets = chesterfield_ar.assets

    def has_keyword(name: str) -> bool:
        rows = assets[assets["name"] == name]
        words = " ".join(f"{r['name']} {r.get('description') or ''}" for _, r in rows.iterrows()).lower()
        return any(k in words for k in ("garden", "allotment", "growing"))

    assert shown and any(c in allowed for _, c in shown)
    assert all(c in allowed or has_keyword(n) for n, c in shown), shown
    lonely = visible_text(text(client.get("/lookup?postcode=S40+1LP&q=lonely")))
    assert "company and friendship" in lonely
    # a word the vocabulary does not know: the form back, the problem named, examples given
    odd = client.get("/lookup?postcode=S40+1LP&q=xylophone")
    assert odd.status_code == 400 and "Try words like company, gardening" in visible_text(text(odd))
    assert 'value="xylophone"' in text(odd)
    # wheelchair: every result is known to be accessible
    wc = client.get("/lookup?postcode=S40+1LP&access=wheelchair")
    ids = re.findall(r'/asset/([^"#?/]+)"', text(wc))
    pages = {a["asset_id"]: a for a in chesterfield_ar.assets.to_dict("records")}
    assert ids and all(pages[html.unescape(i)].get("wheelchair") in ("yes", "limited") for i in ids)
    # a filter nothing passes: said, with the way out
    none = visible_text(text(client.get("/lookup?postcode=S40+1LP&q=faith&access=wheelchair&open=sunday")))
    assert ("Show the nearest places without these filters" in none) or ("nearer places were left out" in none)
    assert client.get("/lookup?postcode=S40+1LP&open=someday").status_code == 400


def test_map_neighbourhoods_are_slim_and_keep_shared_borders(client, chesterfield_ar):
    """The map's neighbourhood data: simplified as a coverage (no gaps or overlaps between
    neighbours), with the measures the planner draws and without the ones it never does."""
    import shapely
    from shapely.geometry import shape

    nb = json.loads(client.get("/data/chesterfield/neighbourhoods.geojson").data)
    props = nb["features"][0]["properties"]
    for needed in ("lsoa21_code", "lsoa21_name", "imd_decile", "imd_rank", "income_decile", "gap_score", "gap_quintile",
                   "bivariate_class", "priority_score", "double_disadvantage", "walk_gp_min", "walk_gp_m",
                   "walk_gp_min_rm", "walk_family_health_min", "residents",
                   "priority_warm_space", "count_warm_space"):  # per-category priority (js/priority.js)
        assert needed in props, needed
    assert not any(k.startswith(("gapz_", "e2sfca_", "per1k_", "shortfall_")) for k in props)
    shapes = [shape(f["geometry"]) for f in nb["features"]]
    assert all(s.is_valid for s in shapes)
    union = shapely.union_all(shapes)
    assert abs(sum(s.area for s in shapes) - union.area) < 1e-9 * union.area + 1e-12  # no overlaps
    full = chesterfield_ar.neighbourhoods.geometry.union_all()
    assert abs(union.area - full.area) / full.area < 0.01  # the same ground, give or take the simplification
    assert len(client.get("/data/chesterfield/neighbourhoods.geojson").data) < \
        len(client.get("/download/chesterfield/neighbourhoods.geojson").data) / 2
