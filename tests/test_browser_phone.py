"""The public lookup on a phone (Chromium at 360 x 740), as a member of the public uses it: a
postcode (S41 7TD) and "food bank", "warm space" or "GP", on the real Chesterfield build, offline.
Screenshots go to /tmp/shots/phone-*.png for a person to look at."""
from __future__ import annotations

import pytest

from browser_support import SHOTS, Watched, wait_for_map

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
POSTCODE = "S41 7TD"


def _phone(browser, server, **options) -> Watched:
    ctx = browser.new_context(viewport=PHONE, **options)
    return Watched(ctx.new_page(), server.url)


def _search(w: Watched, q: str) -> None:
    w.goto("/lookup")
    w.page.fill("#postcode", POSTCODE)
    w.page.fill("#q", q)
    w.page.click("button[type=submit]")
    w.page.wait_for_selector("#result-1")
    w.page.wait_for_load_state("load")
    w.page.wait_for_timeout(200)  # the answer is focused just after "load"


def _first_result_top(w: Watched) -> float:
    return w.page.evaluate("() => document.getElementById('result-1').getBoundingClientRect().top")


@pytest.mark.parametrize("q", ["food bank", "warm space", "GP"])
def test_after_a_search_the_first_result_is_on_the_first_screen(browser, server, q):
    w = _phone(browser, server)
    try:
        _search(w, q)
        top = _first_result_top(w)
        assert 0 <= top < PHONE["height"] - 100, f"{q}: the first result starts {top:.0f} px down the screen"
        # the heading that names the answer has the focus, so a screen reader reads it first
        assert w.page.evaluate("() => document.activeElement.id") == "results-title"
        assert POSTCODE in w.page.inner_text("#results-title")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / f"phone-{q.replace(' ', '-')}.png"))
        w.assert_clean()
    finally:
        w.page.context.close()


def test_without_javascript_the_search_still_lands_on_the_results(browser, server):
    w = _phone(browser, server, java_script_enabled=False)
    try:
        _search(w, "food bank")
        assert w.page.url.endswith("#results")
        assert 0 <= _first_result_top(w) < PHONE["height"] - 100
    finally:
        w.page.context.close()


def test_going_back_to_the_results_does_not_jump(browser, server):
    """A reader who scrolled down, opened a place and came back is left where they were."""
    w = _phone(browser, server)
    try:
        _search(w, "GP")
        w.page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        w.page.wait_for_timeout(100)
        w.page.click("#result-1 .result-links a[href*='/asset/']")
        w.page.wait_for_load_state("load")
        w.page.go_back()
        w.page.wait_for_load_state("load")
        w.page.wait_for_timeout(300)
        assert w.page.evaluate("() => document.activeElement.id") != "results-title"
    finally:
        w.page.context.close()


# --- use my location -------------------------------------------------------------------------

NEAR_S41_7TD = {"latitude": 53.236266, "longitude": -1.423513}  # the postcode's own point


def test_use_my_location_searches_from_the_nearest_postcode(browser, server, app):
    from assetmap.serving.locate import nearest_postcode

    w = _phone(browser, server, geolocation=NEAR_S41_7TD, permissions=["geolocation"])
    bodies = []
    w.page.on("request", lambda r: bodies.append(r.post_data) if r.url.endswith("/lookup/here") else None)
    try:
        w.goto("/lookup")
        w.page.fill("#q", "food bank")
        w.page.click("#use-location")
        w.page.wait_for_selector("#result-1")
        expected = nearest_postcode(app.extensions["assetmap"].results, NEAR_S41_7TD["longitude"],
                                    NEAR_S41_7TD["latitude"]).postcode
        assert expected in w.page.inner_text("#results-title")
        assert w.page.input_value("#q") == "food bank"  # the rest of the form is kept
        # the position left the phone once, rounded to about 100 m, in a POST body: never in an address
        assert bodies == ['{"lat":53.236,"lon":-1.424}']
        assert not [u for u in w.local_requests if "53.23" in u or "1.42" in u]
        w.page.wait_for_load_state("load")
        w.page.wait_for_timeout(200)
        assert 0 <= _first_result_top(w) < PHONE["height"] - 100
        w.assert_clean()
    finally:
        w.page.context.close()


def test_a_refused_location_says_so_and_offers_the_postcode(browser, server):
    w = _phone(browser, server)  # no permission granted: Chromium refuses
    try:
        w.goto("/lookup")
        w.page.click("#use-location")
        w.page.wait_for_function("() => document.getElementById('locate-status').textContent.includes('postcode')")
        text = w.page.inner_text("#locate-status")
        assert "not allowed" in text and "Enter your postcode" in text
        assert w.page.evaluate("() => document.activeElement.id") == "postcode"
        assert w.page.get_attribute("#locate-status", "role") == "status"
        w.assert_clean()
    finally:
        w.page.context.close()


def test_a_location_outside_the_areas_is_told_so(browser, server):
    w = _phone(browser, server, geolocation={"latitude": 51.5074, "longitude": -0.1278}, permissions=["geolocation"])
    try:
        w.goto("/lookup")
        w.page.click("#use-location")
        w.page.wait_for_function("() => document.getElementById('locate-status').textContent.includes('outside')")
        assert "Chesterfield" in w.page.inner_text("#locate-status")
    finally:
        w.page.context.close()


# --- walking route and the place map ------------------------------------------------------------

def test_the_walking_route_is_drawn_on_the_places_map(browser, server):
    w = _phone(browser, server)
    try:
        _search(w, "GP")
        name = w.page.inner_text("#result-1 .result-name")
        w.page.click("#result-1 a:has-text('Walking route')")
        wait_for_map(w, "#place-map")
        assert w.page.inner_text("h1") == f"Walking to {name}"
        assert "min on foot" in w.page.inner_text(".walk-summary")
        assert w.page.locator("#place-map .leaflet-overlay-pane path").count() == 1  # the route, nothing else
        assert w.page.locator(".postcode-marker").inner_text() == POSTCODE
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / "phone-route.png"))
        w.assert_clean()
    finally:
        w.page.context.close()


def test_show_on_map_is_the_place_and_its_street_not_the_planner(browser, server):
    w = _phone(browser, server)
    try:
        _search(w, "warm space")
        name = w.page.inner_text("#result-1 .result-name")
        w.page.click("#result-1 a:has-text('Show on map')")
        wait_for_map(w, "#place-map")
        assert "/asset/" in w.page.url and w.page.inner_text("h1") == f"{name} on the map"
        # no neighbourhood shading, no route: only the place over the base map's streets
        assert w.page.locator("#place-map .leaflet-overlay-pane path").count() == 0
        assert w.page.locator("#place-map .asset-marker").count() == 1
        assert w.page.evaluate("() => window.assetmapPlace.map.getZoom()") >= 16
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        w.assert_clean()
    finally:
        w.page.context.close()


# --- more results ---------------------------------------------------------------------------------

def _more(w: Watched) -> None:
    w.goto("/lookup?postcode=S41+7TD#results")
    w.page.click("a:has-text('Show more places')")
    w.page.wait_for_selector("#result-20")
    w.page.wait_for_load_state("load")
    w.page.wait_for_timeout(200)


def test_more_places_land_on_the_first_new_one(browser, server):
    w = _phone(browser, server)
    try:
        _more(w)
        assert "page=2" in w.page.url and w.page.url.endswith("#result-11")
        top = w.page.evaluate("() => document.getElementById('result-11').getBoundingClientRect().top")
        assert 0 <= top < PHONE["height"] - 100
        assert w.page.evaluate("() => document.activeElement.id") == "result-11"
        assert w.page.locator(".rank-marker").count() == 20  # the map shows them all
        w.assert_clean()
    finally:
        w.page.context.close()


def test_more_places_without_javascript(browser, server):
    w = _phone(browser, server, java_script_enabled=False)
    try:
        _more(w)
        assert w.page.locator("ol.result-list > li").count() == 20
        top = w.page.evaluate("() => document.getElementById('result-11').getBoundingClientRect().top")
        assert 0 <= top < PHONE["height"] - 100
    finally:
        w.page.context.close()


# --- accessibility, layout and weight ----------------------------------------------------------------

def _new_pages(ar) -> dict[str, str]:
    gp = ar.lookup("S41 7TD", category="gp").results[0]["asset_id"]
    return {
        "lookup S41 7TD food bank": "/lookup?postcode=S41+7TD&q=food+bank",
        "lookup S41 7TD more": "/lookup?postcode=S41+7TD&page=2#result-11",
        "place map": f"/area/chesterfield/asset/{gp}/map",
        "walking route": f"/area/chesterfield/asset/{gp}/map?from=S41+7TD",
    }


@pytest.mark.parametrize("width", [1400, 360])
@pytest.mark.parametrize("name", ["lookup S41 7TD food bank", "lookup S41 7TD more", "place map", "walking route"])
def test_new_pages_pass_axe_and_never_scroll_sideways(browser, server, chesterfield_ar, name, width):
    from browser_support import axe_violations

    ctx = browser.new_context(viewport={"width": width, "height": 740})
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto(_new_pages(chesterfield_ar)[name])
        wait_for_map(w, "#place-map" if "map" in name or "route" in name else "#lookup-map")
        w.page.wait_for_timeout(300)
        axe_violations(w.page, f"{name} @ {width}px")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
        w.assert_clean()
    finally:
        ctx.close()


def test_a_refused_location_message_passes_axe(browser, server):
    from browser_support import axe_violations

    w = _phone(browser, server)
    try:
        w.goto("/lookup")
        w.page.click("#use-location")
        w.page.wait_for_function("() => document.getElementById('locate-status').textContent.length > 0")
        axe_violations(w.page, "lookup with a refused location @ 360px")
    finally:
        w.page.context.close()


LOOKUP_BUDGET = 300 * 1024  # bytes over the wire for the lookup page with its results and map, cold cache


@pytest.mark.parametrize("width", [1400, 360])
def test_the_lookup_page_weighs_under_300_kb(browser, server, width):
    """Everything a first visit fetches (HTML, CSS, scripts, the base map's tiles), as sent (compressed)."""
    ctx = browser.new_context(viewport={"width": width, "height": 740})
    page = ctx.new_page()
    try:
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        sizes: dict[str, int] = {}
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(server.url + "/lookup?postcode=S41+7TD&q=food+bank")
        page.wait_for_selector('#lookup-map[data-ready="yes"]', state="attached", timeout=20_000)
        page.wait_for_load_state("networkidle")
        total = sum(sizes.values())
        print(f"lookup page at {width}px: {total / 1024:.0f} KB in {len(sizes)} responses")
        assert 50 * 1024 < total < LOOKUP_BUDGET
    finally:
        ctx.close()
