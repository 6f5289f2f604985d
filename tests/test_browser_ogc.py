"""The OGC API's HTML views in a real headless Chromium, offline under the app's CSP (see
tests/browser_support.py: anything leaving 127.0.0.1, console or page errors fail the test)."""
from __future__ import annotations

import pytest

from browser_support import SHOTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path, shapes", [
    ("/ogc/collections/chesterfield-neighbourhoods/items?limit=20&f=html", 20),
    ("/ogc/collections/chesterfield-assets/items?limit=30&f=html", 30),
    ("/ogc/collections/chesterfield-neighbourhoods/items/E01019526?f=html", 1),
])
def test_items_pages_draw_their_features_on_the_vendored_leaflet(page, path, shapes):
    page.goto(path)
    page.page.wait_for_selector("#ogc-map[data-ready=yes]", timeout=10_000)
    assert page.page.locator("#ogc-map path.leaflet-interactive").count() == shapes
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / f"ogc-{shapes}.png"))
    page.assert_clean()


def test_landing_collections_and_licences_browse_by_links(page):
    page.goto("/ogc/")
    page.page.get_by_role("link", name="The collections").click()
    page.page.get_by_role("link", name="Chesterfield: neighbourhoods").click()
    licences = page.page.locator("h2:has-text('Licence') + ul a[rel=license]")
    # OGL (ONS, MHCLG data), the ODbL (walking measures from OpenStreetMap), the Open Parliament Licence (names)
    assert licences.all_inner_texts()[0].startswith("OGL v3") and licences.count() == 3
    page.page.get_by_role("link", name="Browse the features").click()
    page.page.wait_for_selector("#ogc-map[data-ready=yes]")
    page.page.get_by_role("link", name="Next page").click()
    page.page.wait_for_selector("#ogc-map[data-ready=yes]")
    assert "offset=10" in page.page.url and "f=html" in page.page.url
    page.assert_clean()
