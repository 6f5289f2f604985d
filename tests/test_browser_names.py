"""Named places in a real headless Chromium, offline: the planner's search box flies to a named
neighbourhood and opens it, the district's unmapped part is drawn and labelled, a district
postcode outside the extract (S43 3PX, Staveley) is told so on the lookup page and in the
planner, and the neighbourhood profile has its own map (see tests/browser_support.py)."""
from __future__ import annotations

import pytest

from app_fixtures import CHESTERFIELD
from browser_support import axe_violations, popup_text, wait_for_map

pytestmark = pytest.mark.browser


def _search(page, text: str) -> None:
    page.page.fill("#planner-search-q", text)
    page.page.wait_for_selector("#planner-search-results .search-hit", timeout=15_000)


def _centre_in(page, code: str) -> bool:
    """Whether the map's centre lies in the bounds of the drawn neighbourhood ``code``."""
    return page.page.evaluate("""code => { const P = window.assetmapPlanner; let inside = false;
        P.map.eachLayer(l => { if (!l.unmapped && l.feature && l.feature.properties.lsoa21_code === code && l.getBounds)
            inside = inside || l.getBounds().contains(P.map.getCenter()); });
        return inside; }""", code)


def test_search_spital_flies_to_the_neighbourhood_and_opens_it(page, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    spital = nb[nb["local_name"] == "Spital & Hasland"].sort_values("lsoa21_name").iloc[0]
    page.goto("/")
    wait_for_map(page)
    zoom = page.page.evaluate("() => window.assetmapPlanner.map.getZoom()")
    _search(page, "Spital")
    hit = page.page.locator("#planner-search-results .search-hit", has_text=spital["display_name"]).first
    hit.click()
    text = popup_text(page)
    assert spital["display_name"] in text and spital["lsoa21_code"] in text
    assert page.page.evaluate("() => window.assetmapPlanner.map.getZoom()") > zoom
    assert _centre_in(page, spital["lsoa21_code"])
    assert "Showing Spital & Hasland" in page.page.inner_text("#planner-search-status")
    # from the keyboard: a code and Enter opens the first (only) match
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    code = nb.iloc[0]["lsoa21_code"]
    page.page.fill("#planner-search-q", code)
    page.page.press("#planner-search-q", "Enter")
    page.page.wait_for_function("c => document.querySelector('.lsoa-popup')?.textContent.includes(c)", arg=code,
                                timeout=15_000)
    assert _centre_in(page, code)
    page.page.wait_for_timeout(400)  # the popup's fade-in: axe reads blended colours while it runs
    axe_violations(page.page, "planner with search results")
    page.assert_clean()


def test_planner_shows_the_unmapped_part_and_finds_s43_3px(page, chesterfield_ar):
    unmapped = len(chesterfield_ar.unmapped)
    assert unmapped == 15  # 69 Chesterfield LSOAs, 54 covered by the demo extract
    page.goto(f"/area/{CHESTERFIELD}/")
    wait_for_map(page)
    page.page.wait_for_function("n => window.assetmapSearch.unmapped().getLayers().length === n", arg=unmapped,
                                timeout=15_000)
    label = page.page.inner_text(".unmapped-label")
    assert "Not mapped: 15 of Chesterfield’s 69 neighbourhoods" in label
    page.page.fill("#planner-search-q", "S43 3PX")
    page.page.press("#planner-search-q", "Enter")
    text = popup_text(page)
    assert "Not mapped" in text and "Staveley & Norbriggs" in text
    assert "not mapped" in page.page.inner_text("#planner-search-status")
    page.assert_clean()


def test_lookup_of_a_district_postcode_outside_the_extract(page):
    page.page.goto(page.origin + "/lookup?postcode=S43+3PX")
    page.page.wait_for_selector("#postcode-error")
    message = page.page.inner_text("#postcode-error")
    assert "S43 3PX is a real postcode in Chesterfield" in message
    assert "Staveley & Norbriggs" in message and "54 of Chesterfield’s 69 neighbourhoods" in message
    assert "letter or bill" not in message
    assert "The areas mapped here are: Chesterfield" in message
    page.page.click("#postcode-error a:has-text('See the Chesterfield map')")
    wait_for_map(page)
    page.assert_clean()


def test_profile_page_has_its_own_map(page, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    code = nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]
    inside = int((chesterfield_ar.assets["lsoa21_code"] == code).sum())
    page.goto(f"/area/{CHESTERFIELD}/neighbourhood/{code}")
    wait_for_map(page, "#neighbourhood-map")
    info = page.page.evaluate("""() => { const M = window.assetmapNeighbourhood;
        return {outline: M.outline.getLayers().length, places: M.places.length,
                inView: M.map.getBounds().contains(M.outline.getBounds()) }; }""")
    assert info["outline"] == 1 and info["inView"]
    assert info["places"] >= inside
    paths = page.local_requests
    assert any(f"/tiles/{CHESTERFIELD}/basemap.pmtiles" in u for u in paths)  # the build's own base map
    axe_violations(page.page, "neighbourhood profile with map")
    page.assert_clean()
