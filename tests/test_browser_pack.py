"""The committee pack in Chromium: the print layout shows the map image and the tables (print media
emulated), the pack and the scenario pages fit a phone, and a scenario is reached from the planner
with the keyboard alone, from a postcode, with its exports linked."""
from __future__ import annotations

import pytest

from app_fixtures import CHESTERFIELD
from browser_support import SHOTS, Watched

pytestmark = pytest.mark.browser


def _ctx(browser, width):
    return browser.new_context(viewport={"width": width, "height": 900})


def test_pack_prints_the_map_and_tables(browser, server):
    ctx = _ctx(browser, 1400)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto(f"/area/{CHESTERFIELD}/pack?category=warm_space&category=food_bank")
        w.page.wait_for_function("() => document.getElementById('pack-map').complete", timeout=60_000)
        w.page.emulate_media(media="print")
        shown = w.page.evaluate("""() => {
            const vis = s => { const e = document.querySelector(s); if (!e) return false;
                const r = e.getBoundingClientRect(); return getComputedStyle(e).display !== 'none' && r.width > 0 && r.height > 0; };
            return {map: vis('#pack-map'), width: document.getElementById('pack-map').naturalWidth,
                    top: vis('#pack-top'), sources: vis('#pack-sources'), legend: vis('.pack-legend'),
                    header: vis('.site-header'), chooser: vis('.category-chooser'),
                    rows: document.querySelectorAll('#pack-top tbody tr').length}; }""")
        assert shown["map"] and shown["width"] >= 700, shown
        assert shown["top"] and shown["sources"] and shown["legend"] and shown["rows"] >= 5, shown
        assert not shown["header"] and not shown["chooser"], shown
        SHOTS.mkdir(parents=True, exist_ok=True)
        pdf = w.page.pdf(format="A4")  # what the browser's own "print to PDF" makes
        assert len(pdf) > 50_000
        w.page.emulate_media(media="screen")
        w.page.screenshot(path=str(SHOTS / "pack-1400.png"), full_page=True)
        w.assert_clean()
    finally:
        ctx.close()


@pytest.mark.parametrize("path", ["pack", "equity", "scenario-pack?open=warm_space&postcode=S40+1LP"])
def test_pack_pages_fit_a_phone(browser, server, path):
    ctx = _ctx(browser, 360)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto(f"/area/{CHESTERFIELD}/{path}")
        w.page.wait_for_load_state("load")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 360
        w.assert_clean()
    finally:
        ctx.close()


def test_scenario_from_a_postcode_with_the_keyboard(browser, server):
    ctx = _ctx(browser, 1400)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto(f"/area/{CHESTERFIELD}/")
        w.page.focus("#scenario-category")
        w.page.keyboard.press("Tab")  # to the building list: leave it on "none"
        w.page.keyboard.press("Tab")
        assert w.page.evaluate("() => document.activeElement.id") == "scenario-postcode"
        w.page.keyboard.type("S40 1LP")
        w.page.keyboard.press("Enter")
        w.page.wait_for_selector("#scenario-deciles", timeout=30_000)
        assert "S40 1LP" in w.page.locator("h1").inner_text()
        assert w.page.locator("#scenario-deciles tbody tr").count() >= 5
        assert "table=deciles" in w.page.locator("#scenario-csv-deciles").get_attribute("href")
        w.assert_clean()
    finally:
        ctx.close()
