"""The lookup, asset and neighbourhood profile pages in a real headless Chromium, on real builds,
fully offline (see tests/browser_support.py: anything leaving 127.0.0.1, console or page errors and
JavaScript dialogs fail the test). Screenshots are written to /tmp/shots/ for a person to look at.
"""
from __future__ import annotations

import pytest

from app_fixtures import CHESTERFIELD, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT
from browser_support import SHOTS, Watched, asset_id, most_deprived, popup_text, wait_for_map

pytestmark = pytest.mark.browser


# --- lookup ------------------------------------------------------------------------------

def test_lookup_page_lists_and_maps_the_nearest_places(page, chesterfield_ar):
    from assetmap.serving.search import CANDIDATES, rank_by_trust

    expected = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[:10]
    page.goto("/lookup?postcode=S40+1LP")
    wait_for_map(page, "#lookup-map")
    items = page.page.locator("ol.result-list > li")
    assert items.count() == len(expected) == 10
    for i, r in enumerate(expected):
        assert items.nth(i).locator(".result-name").inner_text() == (r["name"] or f"Unnamed {r['category_label'].lower()}")
    assert page.page.locator(".rank-marker").count() == 10
    assert page.page.locator(".postcode-marker").inner_text() == "S40 1LP"
    page.page.locator(".rank-marker").first.click()
    assert expected[0]["name"] in popup_text(page)
    assert "highlight" in (items.first.get_attribute("class") or "")
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "lookup.png"))
    page.assert_clean()


def test_lookup_errors_render_in_the_browser(page):
    resp = page.page.goto(page.origin + "/lookup?postcode=NOT+A+POSTCODE")
    assert resp.status == 400
    assert "is not a UK postcode" in page.page.inner_text(".error-summary")
    assert page.page.input_value("#postcode") == "NOT A POSTCODE"
    page.page.fill("#postcode", "s401lp")
    page.page.click("button[type=submit]")
    page.page.wait_for_selector("ol.result-list")
    assert "S40 1LP" in page.page.inner_text("#results-title")


# --- hostile data --------------------------------------------------------------------------

def test_hostile_names_show_as_text_in_the_lookup(hostile_page):
    w = hostile_page
    w.goto("/lookup?postcode=S40+1LP")
    wait_for_map(w, "#lookup-map")
    names = w.page.locator("ol.result-list .result-name").all_inner_texts()
    assert XSS_IMG in names and XSS_SCRIPT in names
    assert XSS_ADDRESS in w.page.inner_text("ol.result-list")
    for rank in (1, 2):  # both hostile places are at the postcode itself, fanned out around it
        w.page.click(f'.rank-marker[aria-label^="{rank}. "]')
        w.page.wait_for_function("n => document.querySelector('.leaflet-popup-content')?.textContent.includes(n)",
                                 arg=names[rank - 1], timeout=5000)
        assert names[rank - 1] in popup_text(w)
    w.page.wait_for_timeout(500)
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    w.assert_clean()


# --- asset pages and neighbourhood profiles --------------------------------------------------

@pytest.mark.parametrize("width", [1400, 360])
def test_asset_page_map_and_layout(browser, server, chesterfield_ar, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        lib = asset_id(chesterfield_ar, "Chesterfield Library")
        w.goto(f"/area/{CHESTERFIELD}/asset/{lib}")
        wait_for_map(w, "#asset-map")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
        main = w.page.locator('.asset-marker[aria-label="Chesterfield Library, Library"]')
        assert main.count() == 1
        assert w.page.locator(".leaflet-marker-pane .asset-marker").count() >= 4  # the place and its neighbours
        assert w.page.locator("#asset-map").get_attribute("aria-label").startswith("Map of Chesterfield Library")
        # a nearby marker's popup links to that place's page
        w.page.locator(".leaflet-marker-pane .asset-marker").first.click()
        w.page.wait_for_selector(".leaflet-popup-content a", timeout=5000)
        href = w.page.locator(".leaflet-popup-content a").first.get_attribute("href")
        assert href.startswith(f"/area/{CHESTERFIELD}/asset/")
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / f"asset-{width}.png"), full_page=True)
        w.assert_clean()
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [1400, 360])
def test_profile_page_sorts_tables_and_fits(browser, server, chesterfield_ar, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        code = most_deprived(chesterfield_ar)
        w.goto(f"/area/{CHESTERFIELD}/neighbourhood/{code}")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
        table = w.page.locator("#walk-table")
        assert table.get_attribute("data-sortable") == "yes"
        table.locator("thead th").nth(1).locator("button").click()
        assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "ascending"
        values = [float(v) for v in table.locator("tbody td:nth-child(2)").evaluate_all(
            "cs => cs.map(c => c.getAttribute('data-sort')).filter(v => v !== '')")]
        shown = [float(t) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts() if t[:1].isdigit()]
        assert shown == sorted(values) and len(shown) > 10
        table.locator("thead th").nth(1).locator("button").click()
        assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "descending"
        shown = [float(t) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts() if t[:1].isdigit()]
        assert shown == sorted(values, reverse=True)
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / f"neighbourhood-{width}.png"), full_page=True)
        w.assert_clean()
    finally:
        ctx.close()


def test_hostile_names_show_as_text_on_asset_pages(hostile_page, hostile_ar):
    w = hostile_page
    a = hostile_ar.assets[hostile_ar.assets["name"] == XSS_IMG].iloc[0]
    w.goto(f"/area/{HOSTILE_SLUG}/asset/{a['asset_id']}")
    wait_for_map(w, "#asset-map")
    assert w.page.inner_text("h1") == XSS_IMG
    w.page.hover(f'.asset-marker[aria-label="{XSS_IMG}, Timebank"]')
    w.page.wait_for_selector(".leaflet-tooltip", timeout=5000)
    assert XSS_IMG in w.page.inner_text(".leaflet-tooltip")
    w.goto(f"/area/{HOSTILE_SLUG}/neighbourhood/{a['lsoa21_code']}")
    assert XSS_IMG in w.page.inner_text("#inside-table")
    w.page.wait_for_timeout(500)
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    w.assert_clean()
