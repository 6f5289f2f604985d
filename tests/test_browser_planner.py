"""The planner map in a real headless Chromium, on real builds, fully offline: loading, markers and
their popups, the family layers and the side panel's filter by family and category (the
neighbourhood layers are in test_browser_planner_layers.py).

The app runs on 127.0.0.1 in a background thread; every request the browser makes to any other
host is recorded (and aborted) and fails the test, as do console errors, page errors and any
JavaScript dialog (the sign of a successful script injection). See tests/browser_support.py.
Screenshots of the planner are written to /tmp/shots/ for a person to look at.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app_fixtures import CHESTERFIELD, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT
from browser_support import SHOTS, Watched, asset_id, most_deprived, popup_text, wait_for_map

pytestmark = pytest.mark.browser


def test_planner_loads_offline_without_errors(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner.png"))
    page.assert_clean()
    paths = {urlsplit(u).path for u in page.local_requests}
    for name in ("neighbourhoods", "assets"):
        assert f"/data/{CHESTERFIELD}/{name}.geojson" in paths
    assert f"/tiles/{CHESTERFIELD}/basemap.pmtiles" in paths  # the vector base map, by range requests
    assert any(p.startswith("/static/v/") and p.endswith("/vendor/leaflet/leaflet.js") for p in paths)
    assert page.page.inner_text("h1") == chesterfield_ar.name


def test_assets_are_clustered_markers(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    assert page.page.locator(".marker-cluster.asset-cluster").count() > 0
    total = page.page.evaluate("() => window.assetmapPlanner.cluster.getLayers().length")
    assert total == len(chesterfield_ar.assets)
    # the clusters' counts plus the single markers on screen never exceed the assets
    on_screen = page.page.evaluate("""() => {
        let n = 0;
        document.querySelectorAll('.asset-cluster span:first-child').forEach(s => n += Number(s.textContent));
        return n + document.querySelectorAll('.asset-marker').length; }""")
    assert 0 < on_screen <= len(chesterfield_ar.assets)


def test_clicking_a_marker_opens_its_popup(page, chesterfield_ar):
    lib = chesterfield_ar.assets[chesterfield_ar.assets["name"] == "Chesterfield Library"].iloc[0]
    page.goto("/")
    wait_for_map(page)
    # zoom to the library (it is inside a cluster at the initial zoom), then click it like a person would
    page.page.evaluate("id => window.assetmapPlanner.openAsset(id)", lib["asset_id"])
    assert "Chesterfield Library" in popup_text(page)
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    page.page.wait_for_selector(".leaflet-popup-content", state="detached")
    page.page.click('.asset-marker[aria-label="Chesterfield Library, Library"]')
    text = popup_text(page)
    assert "Chesterfield Library" in text
    assert lib["address"] in text and "Opening hours" in text
    assert page.page.locator(".leaflet-popup-content a", has_text="Website").get_attribute("href").startswith("https://")
    page.assert_clean()


def test_markers_work_from_the_keyboard(page, chesterfield_ar):
    lib = chesterfield_ar.assets[chesterfield_ar.assets["name"] == "Chesterfield Library"].iloc[0]
    page.goto(f"/#asset={lib['asset_id']}")
    wait_for_map(page)
    assert "Chesterfield Library" in popup_text(page)  # opened from the URL's #asset=
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    marker = page.page.locator('.asset-marker[aria-label="Chesterfield Library, Library"]')
    assert marker.get_attribute("tabindex") == "0"
    marker.focus()
    page.page.keyboard.press("Enter")
    assert "Chesterfield Library" in popup_text(page)


def test_family_overlays_toggle_their_markers(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    faith = int((chesterfield_ar.assets["family"] == "faith").sum())
    count = "() => window.assetmapPlanner.cluster.getLayers().length"
    before = page.page.evaluate(count)
    box = page.page.locator(".leaflet-control-layers label", has_text="Faith").locator("input")
    box.uncheck()
    assert page.page.evaluate(count) == before - faith
    box.check()
    assert page.page.evaluate(count) == before
    choropleth = page.page.locator(".leaflet-control-layers label", has_text="Deprivation").locator("input")
    choropleth.uncheck()
    assert page.page.locator(".leaflet-choropleth-pane path").count() == 0
    choropleth.check()
    assert page.page.locator(".leaflet-choropleth-pane path").count() == len(chesterfield_ar.neighbourhoods)


def test_attribution_and_skip_link(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    attribution = page.page.locator(".am-attribution")
    assert "© OpenStreetMap contributors (ODbL)" in attribution.inner_text()
    assert "Open Government Licence v3.0" in attribution.inner_text()
    attribution.locator("summary").click()
    for line in chesterfield_ar.attribution:
        assert line in attribution.inner_text()


def test_planner_fits_a_phone_screen(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto("/")
        wait_for_map(w)
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390
        box = w.page.locator("#map").bounding_box()
        assert box["width"] >= 380 and box["height"] >= 300
        w.assert_clean()
    finally:
        ctx.close()


def test_planner_popups_link_to_asset_and_profile_pages(page, chesterfield_ar):
    lib = asset_id(chesterfield_ar, "Chesterfield Library")
    page.goto(f"/#asset={lib}")
    wait_for_map(page)
    popup_text(page)
    link = page.page.locator(".leaflet-popup-content a", has_text="More about this place")
    assert link.get_attribute("href") == f"/area/{CHESTERFIELD}/asset/{lib}"
    code = most_deprived(chesterfield_ar)
    page.page.evaluate("""code => { const p = window.assetmapPlanner;
        p.choropleth.eachLayer(l => { if (l.feature.properties.lsoa21_code === code) l.openPopup(); }); }""", code)
    page.page.wait_for_selector(".lsoa-popup a", timeout=5000)
    assert page.page.locator(".lsoa-popup a").get_attribute("href") == f"/area/{CHESTERFIELD}/neighbourhood/{code}"
    page.assert_clean()


# --- the filter by family and category ------------------------------------------------------

CLUSTERED = "() => window.assetmapPlanner.cluster.getLayers().length"


def _shown(w, expected: int) -> None:
    """Wait until the cluster group holds ``expected`` markers, then check the panel says so."""
    w.page.wait_for_function(f"n => ({CLUSTERED})() === n", arg=expected, timeout=5000)
    total = int(w.page.evaluate("() => Object.keys(window.assetmapPlanner.markers).length"))
    said = w.page.inner_text("#asset-filter-count")
    assert said == (f"Showing all {total:,} places." if expected == total else f"Showing {expected:,} of {total:,} places.")


def test_category_filter_removes_and_restores_exactly_its_markers(page, chesterfield_ar):
    assets = chesterfield_ar.assets
    n = assets["category"].value_counts().to_dict()
    total = len(assets)
    page.goto("/")
    wait_for_map(page)
    # every category with places is offered under its family, with its count from the data
    boxes = page.page.locator('#asset-filter input[name="category"]')
    offered = {v: int(c) for v, c in zip(boxes.evaluate_all("bs => bs.map(b => b.value)"), page.page.locator(
        '#asset-filter .category-choice .count').evaluate_all("cs => cs.map(c => c.firstChild.textContent)"), strict=False)}
    assert offered == n
    _shown(page, total)

    def box(category):
        return page.page.locator(f'#asset-filter input[name="category"][value="{category}"]')

    box("library").uncheck()
    _shown(page, total - n["library"])
    assert page.page.evaluate("""() => window.assetmapPlanner.cluster.getLayers()
        .filter(m => m.assetCategory === 'library').length""") == 0
    box("community_centre").uncheck()
    _shown(page, total - n["library"] - n["community_centre"])
    assert "hide=community_centre,library" in page.page.url  # in the panel's order
    box("library").check()
    _shown(page, total - n["community_centre"])
    # the family switched off in the layer control: its categories are disabled, their ticks kept
    family = int((assets["family"] == "community_spaces").sum())
    page.page.locator(".leaflet-control-layers label", has_text="Community spaces").locator("input").uncheck()
    _shown(page, total - family)
    fieldset = page.page.locator('#asset-filter fieldset[data-family="community_spaces"]')
    assert fieldset.evaluate("f => f.disabled") and not fieldset.locator('input[name="family"]').is_checked()
    assert box("library").is_disabled() and box("library").is_checked() and not box("community_centre").is_checked()
    fieldset.locator('input[name="family"]').check()  # on again from the panel: as it was
    _shown(page, total - n["community_centre"])
    assert page.page.locator(".leaflet-control-layers label", has_text="Community spaces").locator("input").is_checked()
    page.page.click("#filter-none")
    _shown(page, 0)
    box("gp").check()
    _shown(page, n["gp"])
    page.page.click("#filter-all")
    _shown(page, total)
    assert "hide=" not in page.page.url
    # a place asked for by the address or a link is shown, whatever the filter hid
    box("library").uncheck()
    page.page.evaluate("id => window.assetmapPlanner.openAsset(id)", asset_id(chesterfield_ar, "Chesterfield Library"))
    assert "Chesterfield Library" in popup_text(page)
    _shown(page, total)
    assert box("library").is_checked()
    page.assert_clean()


def test_category_filter_from_the_address_and_the_keyboard(page, chesterfield_ar):
    assets = chesterfield_ar.assets
    n = assets["category"].value_counts().to_dict()
    faith = int((assets["family"] == "faith").sum())
    page.goto("/?hide=library,place_of_worship")  # all of Faith's categories: the family is off
    wait_for_map(page)
    _shown(page, len(assets) - n["library"] - faith)
    group = page.page.get_by_role("group", name=re.compile("^Faith"))
    assert not group.get_by_role("checkbox", name=re.compile("^Faith")).is_checked()
    assert group.get_by_role("checkbox", name=re.compile("^Place of worship")).is_disabled()
    # fieldsets and labels name every checkbox; Tab reaches them in order and Space ticks them
    spaces = page.page.get_by_role("group", name=re.compile("^Community spaces"))
    spaces.get_by_role("checkbox", name=re.compile(r"^Community centre or hall \d+ places$")).focus()
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("() => document.activeElement.value") == "library"
    assert not spaces.get_by_role("checkbox", name=re.compile("^Library")).is_checked()
    page.page.keyboard.press("Space")
    _shown(page, len(assets) - faith)
    group.get_by_role("checkbox", name=re.compile("^Faith")).focus()
    page.page.keyboard.press("Space")
    _shown(page, len(assets))
    assert urlsplit(page.page.url).query == ""
    page.assert_clean()


def test_category_filter_fits_a_narrow_phone(browser, server):
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto("/")
        wait_for_map(w)
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 360
        sizes = w.page.locator("#asset-filter input, #asset-filter button").evaluate_all(
            "es => es.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height, r.right]; })")
        assert len(sizes) > 10 and all(wd >= 24 and ht >= 24 and right <= 360 for wd, ht, right in sizes)
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.locator("#asset-filter").screenshot(path=str(SHOTS / "planner-filter-360.png"))
        w.assert_clean()
    finally:
        ctx.close()


# --- hostile data --------------------------------------------------------------------------

def test_hostile_names_show_as_text_in_planner_popups(hostile_page, hostile_ar):
    w = hostile_page
    w.goto("/")
    wait_for_map(w)
    for name in (XSS_IMG, XSS_SCRIPT):
        w.page.evaluate("id => window.assetmapPlanner.openAsset(id)", asset_id(hostile_ar, name))
        w.page.wait_for_function("n => { const e = document.querySelector('.leaflet-popup-content');"
                                 " return e && e.textContent.includes(n); }", arg=name, timeout=5000)
        assert name in popup_text(w)
    w.page.evaluate("id => window.assetmapPlanner.openAsset(id)", asset_id(hostile_ar, XSS_IMG))
    w.page.wait_for_function("n => document.querySelector('.leaflet-popup-content')?.textContent.includes(n)",
                             arg=XSS_IMG, timeout=5000)
    assert XSS_ADDRESS in popup_text(w)
    # the javascript: website is text, not a link
    assert w.page.locator(".leaflet-popup-content a[href^='javascript']").count() == 0
    # the library drops non-http(s) websites at ingest (merge.clean_contact): neither link nor text
    assert "javascript:alert(4)" not in popup_text(w)
    # hovering shows the name in a tooltip, also as text
    w.page.hover(f'.asset-marker[aria-label="{XSS_IMG}, Timebank"]')
    w.page.wait_for_selector(".leaflet-tooltip", timeout=5000)
    assert XSS_IMG in w.page.inner_text(".leaflet-tooltip")
    w.page.wait_for_timeout(500)  # give any injected handler time to fire
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    assert w.page.evaluate("() => document.querySelectorAll('script:not([src]):not([type=\"application/json\"])').length") == 0
    w.assert_clean()
