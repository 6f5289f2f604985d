"""The vector base map in a real headless Chromium: a page fetches only the tiles it shows (range
requests to this server), draws them, and labels the streets and places by name."""
from __future__ import annotations

import pytest

from app_fixtures import CHESTERFIELD
from browser_support import wait_for_map

pytestmark = pytest.mark.browser

# every text a canvas draws, recorded before any page script runs
RECORD_TEXT = """
window.__drawnText = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  window.__drawnText.push(String(text));
  return fill.call(this, text, ...rest);
};
"""

TILE_REQUESTS = """() => performance.getEntriesByType('resource')
  .filter(e => e.name.includes('/basemap.pmtiles'))
  .map(e => ({bytes: e.encodedBodySize, size: e.transferSize}))"""

# distinct colours in the map's tile canvases (a blank canvas has one)
CANVAS_COLOURS = """() => {
  const seen = new Set();
  for (const c of document.querySelectorAll('.leaflet-tile-pane canvas')) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  }
  return seen.size;
}"""


def _drawn(page) -> set[str]:
    page.page.wait_for_function("() => window.__drawnText.length > 0", timeout=20_000)
    page.page.wait_for_timeout(500)  # labels are placed tile by tile
    return set(page.page.evaluate("() => window.__drawnText"))


def test_lookup_map_fetches_only_the_tiles_it_shows_and_names_the_streets(page, chesterfield_ar):
    page.page.add_init_script(RECORD_TEXT)
    page.goto("/lookup?postcode=S40+1LP")
    wait_for_map(page, "#lookup-map")
    requests = page.page.evaluate(TILE_REQUESTS)
    archive = chesterfield_ar.basemap.stat().st_size
    fetched = sum(r["bytes"] for r in requests)
    assert len(requests) >= 2  # the header and directory, then the tiles in view
    assert 0 < fetched < min(200_000, archive / 4), (fetched, archive)
    assert page.page.evaluate(CANVAS_COLOURS) > 8  # land, roads, buildings, green space, labels…
    drawn = _drawn(page)
    # the nearest places (this winter's warm spaces) span about 1.3 km: streets and districts are named
    assert {"Edinburgh Road", "Hunloke Avenue", "Spital"} <= drawn, sorted(drawn)[:40]
    page.assert_clean()


def test_planner_base_map_shows_place_names_and_can_be_switched_off(page, chesterfield_ar):
    page.page.add_init_script(RECORD_TEXT)
    page.goto("/")
    wait_for_map(page)
    drawn = _drawn(page)
    assert "Brampton" in drawn or "Newbold" in drawn, sorted(drawn)[:40]  # suburbs, at the whole-area zoom
    assert page.page.locator(".leaflet-tile-pane canvas").count() >= 4
    # the layer control's checkbox takes the base map away and brings it back
    control = page.page.locator(".leaflet-control-layers")
    control.hover()
    box = control.get_by_label("Base map (OpenStreetMap)")
    box.uncheck()
    assert page.page.locator(".leaflet-tile-pane canvas").count() == 0
    box.check()
    page.page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-pane canvas').length > 0")
    page.assert_clean()


def test_asset_page_map_draws_its_streets(page, chesterfield_ar):
    lib = chesterfield_ar.assets[chesterfield_ar.assets["name"] == "Chesterfield Library"].iloc[0]
    page.page.add_init_script(RECORD_TEXT)
    page.goto(f"/area/{CHESTERFIELD}/asset/{lib['asset_id']}")
    wait_for_map(page, "#asset-map")
    assert page.page.evaluate(CANVAS_COLOURS) > 8
    assert "New Beetwell Street" in _drawn(page) or "Beetwell Street" in _drawn(page)
    page.assert_clean()
