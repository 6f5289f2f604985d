"""Trust in a real headless Chromium (tests/browser_support.py): the wheelchair filter says how many
of the nearest places have no wheelchair information and lets the user include them; records not
recently checked and with cautions are shown as such, and the page passes axe-core."""
from __future__ import annotations

import re

import pytest

from browser_support import axe_violations, wait_for_map

pytestmark = pytest.mark.browser


def test_wheelchair_filter_counts_the_unknown_and_can_include_them(page):
    page.goto("/lookup?postcode=S40+1LP")
    page.page.locator("summary", has_text="Type of place, access and opening times").click()
    page.page.locator("#access").check()
    page.page.locator("button[type=submit]", has_text="Find places").click()
    page.page.wait_for_load_state()
    note = page.page.locator("#wheelchair-note")
    text = note.inner_text()
    m = re.search(r"Wheelchair access is not recorded for (\d+) of the (\d+) nearest places", text)
    assert m, text
    unknown, of = int(m.group(1)), int(m.group(2))
    assert unknown > of / 2  # most places have no information in the 2018 extract
    known_only = page.page.locator("ol.result-list > li").count()
    assert known_only < 10
    note.get_by_role("link", name=f"Include the {unknown} places with no information").click()
    page.page.wait_for_load_state()
    assert "wheelchair_unknown=include" in page.page.url
    wait_for_map(page, "#lookup-map")
    assert page.page.locator("ol.result-list > li").count() == 10 > known_only
    assert "They are included below" in page.page.locator("#wheelchair-note").inner_text()
    assert page.page.locator("#wheelchair-unknown").is_checked()
    # every result shows its age and source; the unchecked ones say so
    first = page.page.locator("ol.result-list > li").first
    assert "Source:" in first.locator(".trust-age").inner_text()
    axe_violations(page.page, "lookup with the wheelchair filter", map_pins=".leaflet-marker-icon")
    # the nearest places here are this winter's warm spaces (checked August 2026); GP surgeries are not
    page.goto("/lookup?postcode=S40+1LP&category=gp")
    assert page.page.locator(".trust-stale").count() >= 1
    page.assert_clean()
