"""Accessibility: axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page at desktop and phone widths,
and the planner map and the lookup used with the keyboard alone."""
from __future__ import annotations

import pytest

from app_fixtures import (  # noqa: F401  (pytest fixtures are used by name)
    CHESTERFIELD, app, chesterfield_ar, chesterfield_root,
)
from test_browser import Watched, axe_violations, browser, server, wait_for_map  # noqa: F401

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
        "neighbourhood profile": (f"/area/{CHESTERFIELD}/neighbourhood/{code}", None, 200),
        "lookup empty": ("/lookup", None, 200),
        "lookup results": ("/lookup?postcode=S40+1LP", "#lookup-map", 200),
        "lookup error": ("/lookup?postcode=NOT+A+POSTCODE", None, 400),
        "asset page": (f"/area/{CHESTERFIELD}/asset/{lib}", "#asset-map", 200),
        "shortlist": (f"/shortlist?ids={two}", None, 200),
        "downloads": ("/downloads", None, 200),
        "about": ("/about", None, 200),
        "methodology": ("/methodology", None, 200),
        "equity": (f"/area/{CHESTERFIELD}/equity", None, 200),
        "api": ("/api", None, 200),
    }


PAGES = ["planner", "neighbourhood table", "neighbourhood profile", "lookup empty", "lookup results", "lookup error",
         "asset page", "shortlist", "downloads", "about", "methodology", "equity", "api"]


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
