"""The planner as a decision tool, in a real headless Chromium on the real Chesterfield build:
priority for one kind of place (js/priority.js), the state kept in the address (js/mapstate.js) and
the map's clarity (measure buttons pressed, the layer panel clear of the area, clusters that let
neighbourhood clicks through). See tests/browser_support.py; screenshots go to /tmp/shots/.
"""
from __future__ import annotations

import pytest

from assetmap.serving.colours import PRIORITY_COLOURS
from browser_support import SHOTS, wait_for_map

pytestmark = pytest.mark.browser


def test_priority_for_one_kind_of_place(page, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    top_overall = nb.sort_values("priority_rank").iloc[0]
    warm = nb.sort_values(["priority_warm_space", "lsoa21_code"], ascending=[False, True])
    page.goto("/")
    wait_for_map(page)
    first = page.page.locator("#priority-top li a").first
    assert first.inner_text() == top_overall["lsoa21_name"]  # the overall score first
    assert "every kind of place mapped" in page.page.inner_text("#priority-covers")
    page.page.select_option("#priority-category", "warm_space")
    page.page.wait_for_function("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.gaps.priority)")
    assert "Priority score for warm space" in page.page.inner_text(".map-key")
    assert page.page.inner_text("#priority-top-title") == "Highest priority: Warm space"
    names = page.page.locator("#priority-top li a").all_inner_texts()
    assert names == warm["lsoa21_name"].head(len(names)).tolist()
    assert "min walk to the nearest" in page.page.inner_text("#priority-top li")
    if top_overall["priority_warm_space"] == 0:  # a place with warm spaces near is not a warm-space priority
        assert top_overall["lsoa21_name"] not in names
    # the layer: the top fifth of those short of a warm space in the darkest colour, the rest lighter
    fills = page.page.evaluate("""code => {
        const out = {}; window.assetmapPlanner.gaps.priority.eachLayer(l => {
            out[l.feature.properties.lsoa21_code] = l.options.fillColor; }); return out; }""")
    assert fills[warm.iloc[0]["lsoa21_code"]] == PRIORITY_COLOURS[0]
    zero = nb[nb["priority_warm_space"] == 0]["lsoa21_code"]
    assert all(fills[c] == PRIORITY_COLOURS[-1] for c in zero)
    # a set of two kinds: the mean of theirs
    page.page.click("#priority-set summary")
    page.page.check('#priority-set input[value="food_bank"]')
    page.page.wait_for_function("() => window.assetmapPlanner.priority.current() === 'warm_space,food_bank'")
    assert "Warm space, Food bank" in page.page.inner_text("#priority-covers")
    both = ((nb["priority_warm_space"] + nb["priority_food_bank"]) / 2).round(1)
    best = nb.loc[both.sort_values(ascending=False).index[0], "lsoa21_name"]
    assert page.page.locator("#priority-top li a").first.inner_text() == best
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner-priority-warm.png"))
    page.assert_clean()
