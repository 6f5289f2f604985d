"""Accessibility: axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page at desktop and phone widths,
and the planner map and the lookup used with the keyboard alone."""
from __future__ import annotations

import pytest

from app_fixtures import CHESTERFIELD
from browser_support import Watched, axe_violations, wait_for_map

pytestmark = pytest.mark.browser


def _pages(ar) -> dict[str, tuple[str, str | None, int]]:
    """name -> (path, map selector to wait for or None, expected status)."""
    nb = ar.neighbourhoods
    code = nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]
    lib = ar.assets.loc[ar.assets["name"] == "Chesterfield Library", "asset_id"].iloc[0]
    two = ",".join(f"{CHESTERFIELD}:{a}" for a in [lib, ar.assets["asset_id"].iloc[0]])
    return {
        "planner": ("/", "#map", 200),
        "neighbourhood table": (f"/area/{CHESTERFIELD}/neighbourhoods", None, 200),
        "neighbourhood profile": (f"/area/{CHESTERFIELD}/neighbourhood/{code}", "#neighbourhood-map", 200),
        "lookup empty": ("/lookup", None, 200),
        "lookup results": ("/lookup?postcode=S40+1LP", "#lookup-map", 200),
        "lookup error": ("/lookup?postcode=NOT+A+POSTCODE", None, 400),
        "lookup outside the mapped area": ("/lookup?postcode=S43+3PX", None, 200),
        "asset page": (f"/area/{CHESTERFIELD}/asset/{lib}", "#asset-map", 200),
        "shortlist": (f"/shortlist?ids={two}", None, 200),
        "downloads": ("/downloads", None, 200),
        "about": ("/about", None, 200),
        "methodology": ("/methodology", None, 200),
        "equity": (f"/area/{CHESTERFIELD}/equity", None, 200),
        "api": ("/api", None, 200),
        "lookup by interest with filters": ("/lookup?postcode=S40+1LP&q=lonely&open=monday", "#lookup-map", 200),
        "lookup place choices": ("/lookup?postcode=Church+Street", None, 200),
        "suggest a place": ("/suggest", None, 200),
        "report a problem": (f"/report?asset={lib}", None, 200),
        "curator login": ("/curate/login", None, 200),
        "committee pack": (f"/area/{CHESTERFIELD}/pack?category=warm_space&category=food_bank", None, 200),
        "scenario pack": (f"/area/{CHESTERFIELD}/scenario-pack?open=warm_space&postcode=S40+1LP", None, 200),
        "equity chosen": (f"/area/{CHESTERFIELD}/equity?category=warm_space&category=gp&category=library", None, 200),
    }


PAGES = ["planner", "neighbourhood table", "neighbourhood profile", "lookup empty", "lookup results", "lookup error",
         "lookup outside the mapped area",
         "asset page", "shortlist", "downloads", "about", "methodology", "equity", "api",
         "lookup by interest with filters", "lookup place choices", "suggest a place", "report a problem", "curator login",
         "committee pack", "scenario pack", "equity chosen"]


@pytest.mark.parametrize("width", [1400, 360])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violations(browser, server, chesterfield_ar, name, width):
    path, map_selector, status = _pages(chesterfield_ar)[name]
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        resp = w.page.goto(server.url + path)
        assert resp.status == status
        if map_selector:
            wait_for_map(w, map_selector)
            w.page.wait_for_timeout(300)
        axe_violations(w.page, f"{name} @ {width}px",
                       map_pins="#map .leaflet-marker-pane" if name == "planner" else None)
        if status >= 400:  # the browser logs the page's own status
            w.errors = [e for e in w.errors if f"status of {status}" not in e]
        w.assert_clean()
    finally:
        ctx.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_sideways_scroll_on_a_phone(browser, server, chesterfield_ar, name):
    """Every page fits 360 px: the document is no wider than the screen (tables scroll in their own box)."""
    path, map_selector, status = _pages(chesterfield_ar)[name]
    ctx = browser.new_context(viewport={"width": 360, "height": 800})
    page = ctx.new_page()
    try:
        resp = page.goto(server.url + path)
        assert resp.status == status
        page.wait_for_load_state("load")
        if map_selector:
            page.wait_for_selector(map_selector, timeout=20_000)
        width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= 360, f"{name}: the page is {width} px wide at 360 px"
    finally:
        ctx.close()


# --- the keyboard alone ------------------------------------------------------------------------

def _active(page) -> dict:
    page = getattr(page, "page", page)  # a Watched page or a Playwright one
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id, label: e.getAttribute('aria-label') || '',
                text: (e.textContent || '').trim().slice(0, 80), href: e.getAttribute('href') || '',
                inResult: e.closest('#result-1') ? 1 : e.closest('.result') ? 2 : 0,
                inPopup: !!e.closest('.leaflet-popup')}; }""")


def _tab_until(page, ok, limit: int = 60) -> dict:
    page = getattr(page, "page", page)
    for _ in range(limit):
        page.keyboard.press("Tab")
        a = _active(page)
        if ok(a):
            return a
    raise AssertionError(f"not reached in {limit} presses of Tab; focus is on {a}")


def test_lookup_with_the_keyboard_alone(page, chesterfield_ar):
    page.goto("/lookup")
    _tab_until(page, lambda a: a["id"] == "postcode", 15)
    page.page.keyboard.type("S40 1LP")
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector("ol.result-list")
    from assetmap.serving.search import CANDIDATES, rank_by_trust

    first = rank_by_trust(chesterfield_ar.lookup("S40 1LP", limit=CANDIDATES).results)[0]  # after the trust ranking
    # the first result's links come before any other result's
    a = _tab_until(page, lambda a: a["inResult"] != 0)
    assert a["inResult"] == 1 and a["tag"] == "a"
    # its page link follows its website, phone, walking route and map, if it has them, within the first result
    page_url = f"/area/{CHESTERFIELD}/asset/{first['asset_id']}"
    if a["href"] != page_url:  # the name itself may be the link
        a = _tab_until(page, lambda a: a["inResult"] != 1 or a["href"] == page_url, 8)
    assert a["href"] == page_url
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(f"**/asset/{first['asset_id']}")
    assert page.page.inner_text("h1") == first["name"]
    page.assert_clean()


def test_planner_with_the_keyboard_alone(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    # the skip link is the first thing after the side panel, and it jumps past the map
    skip = page.page.locator("a.skip-map")
    skip.focus()
    assert skip.is_visible() and skip.inner_text() == "Skip past the map"
    page.page.keyboard.press("Enter")
    assert _active(page.page)["id"] == "map-end"
    # from the skip link, Tab reaches a neighbourhood shape in a few presses
    skip.focus()
    shape = _tab_until(page.page, lambda a: a["tag"] == "path", 5)
    nb = chesterfield_ar.neighbourhoods.set_index("display_name")  # shapes are named as pages name them
    name, decile = shape["label"].rsplit(", IMD decile ", 1)
    assert int(decile) == int(nb.loc[name, "imd_decile"])
    # Enter opens its popup with focus on the profile link; Escape closes it and focus returns
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector(".lsoa-popup", timeout=5000)
    a = _active(page.page)
    assert a["inPopup"] and a["text"] == "Neighbourhood profile"
    assert a["href"] == f"/area/{CHESTERFIELD}/neighbourhood/{nb.loc[name, 'lsoa21_code']}"
    page.page.keyboard.press("Escape")
    page.page.wait_for_selector(".leaflet-popup", state="detached", timeout=5000)
    assert _active(page.page)["label"] == shape["label"]
    # and the profile is Enter, Enter away
    page.page.keyboard.press("Enter")
    page.page.wait_for_selector(".lsoa-popup a", timeout=5000)
    page.page.keyboard.press("Enter")
    page.page.wait_for_url(f"**/neighbourhood/{nb.loc[name, 'lsoa21_code']}")
    page.assert_clean()


def test_every_neighbourhood_shape_is_named_and_focusable(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    shapes = page.page.eval_on_selector_all(
        ".leaflet-choropleth-pane path", "ps => ps.map(p => [p.getAttribute('tabindex'), p.getAttribute('role'), p.getAttribute('aria-label')])")
    assert len(shapes) == len(chesterfield_ar.neighbourhoods)
    assert all(t == "0" and r == "button" and ", IMD decile " in (n or "") for t, r, n in shapes)
