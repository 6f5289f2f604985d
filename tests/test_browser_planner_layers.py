"""The planner map's neighbourhood layers in a real headless Chromium, on real builds, fully offline:
deprivation deciles (overall IMD or any IoD domain), walking times, gaps and priorities, and the
what-if tool. See tests/browser_support.py; screenshots are written to /tmp/shots/.
"""
from __future__ import annotations

import pytest

from assetmap.serving.colours import DECILE_COLOURS
from browser_support import SHOTS, popup_text, wait_for_map

pytestmark = pytest.mark.browser


def test_choropleth_draws_every_neighbourhood_in_decile_colours(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    fills = page.page.eval_on_selector_all(".leaflet-choropleth-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert len(fills) == len(chesterfield_ar.neighbourhoods)
    expected = {DECILE_COLOURS[int(d) - 1] for d in chesterfield_ar.neighbourhoods["imd_decile"].dropna()}
    assert set(fills) == expected


def test_walking_layer_colours_neighbourhoods_by_minutes_to_the_chosen_place(page, chesterfield_ar):
    from assetmap.serving.colours import WALK_CLASSES

    page.goto("/")
    wait_for_map(page)
    page.page.select_option("#walk-category", "library")
    page.page.wait_for_function("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.walk)")
    assert not page.page.evaluate("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.choropleth)")
    fills = page.page.eval_on_selector_all(".leaflet-choropleth-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    nb = chesterfield_ar.neighbourhoods
    assert len(fills) == len(nb)

    def colour(m):
        return next(c for upper, c in WALK_CLASSES if upper is None or m <= upper)

    assert sorted(fills) == sorted(colour(m) for m in nb["walk_library_min"])
    assert len(set(fills)) >= 3  # a real spread of walking times, not one colour
    # the tooltip and popup say the minutes for the chosen place
    worst = nb.loc[nb["walk_library_min"].idxmax()]
    page.page.evaluate("""code => {
        const p = window.assetmapPlanner; p.walk.eachLayer(l => { if (l.feature.properties.lsoa21_code === code) l.openPopup(); });
    }""", worst["lsoa21_code"])
    assert f"Walk to nearest library{round(worst['walk_library_min'])} min" in popup_text(page)
    assert "Walk to nearest library (min)" in page.page.inner_text(".map-key")
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner-walking.png"))
    page.assert_clean()


def test_deprivation_layer_shades_by_any_iod_domain(page, chesterfield_ar):
    from assetmap.serving.colours import DECILE_COLOURS

    page.goto("/")
    wait_for_map(page)
    page.page.select_option("#dep-measure", "income")
    page.page.wait_for_function("() => document.getElementById('imd-legend-title').textContent.includes('Income')")
    assert page.page.evaluate("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.choropleth)")
    nb = chesterfield_ar.neighbourhoods
    fills = page.page.evaluate("""() => { const out = {};
        window.assetmapPlanner.choropleth.eachLayer(l => { out[l.feature.properties.lsoa21_code] = l.options.fillColor; });
        return out; }""")
    assert fills == {c: DECILE_COLOURS[int(d) - 1] for c, d in zip(nb["lsoa21_code"], nb["income_decile"], strict=False)}
    counts = page.page.eval_on_selector_all("#imd-legend .decile-count", "ns => ns.map(n => Number(n.textContent))")
    assert counts == [int((nb["income_decile"] == d).sum()) for d in range(1, 11)]
    page.assert_clean()


def test_gap_layers_bivariate_colours_and_outlines(page, chesterfield_ar):
    from assetmap.serving.colours import BIVARIATE_COLOURS

    page.goto("/")
    wait_for_map(page)
    page.page.click('[data-show-layer="bivariate"]')
    page.page.wait_for_function("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.gaps.bivariate)")
    assert not page.page.evaluate("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.choropleth)")
    nb = chesterfield_ar.neighbourhoods
    fills = page.page.eval_on_selector_all(".leaflet-choropleth-pane path[fill]:not([fill='none'])",
                                           "ps => ps.map(p => p.getAttribute('fill'))")
    assert sorted(fills) == sorted(BIVARIATE_COLOURS[c] for c in nb["bivariate_class"])
    outlined = page.page.evaluate("() => window.assetmapPlanner.gaps.outlines.getLayers().length")
    assert outlined == int((nb["double_disadvantage"] | nb["left_behind_england"]).sum()) > 0
    assert "Need × gap" in page.page.inner_text(".map-key")
    page.page.click('[data-show-layer="priority"]')
    assert "Priority score" in page.page.inner_text(".map-key")
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner-priority.png"))
    page.assert_clean()


def test_what_if_sites_and_a_new_place_on_the_map(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    page.page.select_option("#whatif-category", "food_bank")
    page.page.click("#whatif-site")
    page.page.wait_for_selector("#whatif-result ol li", timeout=10_000)
    assert page.page.locator(".whatif-marker").count() == 5
    assert "Best sites for food bank" in page.page.inner_text("#whatif-result")
    # open one in the town centre, by clicking the map there
    page.page.click("#whatif-click")
    assert page.page.get_attribute("#whatif-click", "aria-pressed") == "true"
    # a point near the town centre where no marker sits on top of the map
    point = page.page.evaluate("""() => {
        const m = window.assetmapPlanner.map, r = m.getContainer().getBoundingClientRect();
        for (let d = 0; d < 0.01; d += 0.0005) {
            for (const [dy, dx] of [[d, 0], [-d, 0], [0, d], [0, -d]]) {
                const p = m.latLngToContainerPoint([53.2356 + dy, -1.4216 + dx]);
                const el = document.elementFromPoint(r.left + p.x, r.top + p.y);
                if (el && !el.closest('.leaflet-marker-pane') && !el.closest('.leaflet-control')) return [p.x, p.y];
            }
        }
        return null; }""")
    assert point is not None
    box = page.page.locator("#map").bounding_box()
    page.page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    page.page.wait_for_function("() => document.getElementById('whatif-result').textContent.includes('shorter walk')",
                                timeout=10_000)
    shaded = page.page.eval_on_selector_all(".leaflet-choropleth-pane path",
                                            "ps => ps.filter(p => ['#006d2c', '#31a354', '#74c476', '#c7e9c0'].includes(p.getAttribute('fill'))).length")
    assert shaded > 10
    # the result links to its exports (js/pack.js): the print page, and CSV by neighbourhood and by decile
    exports = page.page.eval_on_selector_all("#whatif-result .scenario-exports a", "as => as.map(a => a.href)")
    assert len(exports) == 3 and "scenario-pack?open=food_bank&lon=" in exports[0] and exports[2].endswith("table=deciles")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner-whatif.png"))
    page.assert_clean()


def test_legend_lists_the_ten_deciles(page):
    page.goto("/")
    legend = page.page.locator("#imd-legend")
    assert legend.is_visible()
    assert legend.locator("li").count() == 10
    text = legend.inner_text()
    assert "1 = most deprived 10%" in text and "Most deprived 10%" in text and "Least deprived 10%" in text


def test_best_sites_for_warm_spaces_include_an_unnamed_building(page, chesterfield_ar):
    """Warm spaces failed with "Unexpected token 'N'" (an unnamed building's name was NaN): now the
    five picks show, and for community centres, whose picks include an unnamed building, it shows as
    "Unnamed …", with no console error."""
    page.goto("/")
    wait_for_map(page)
    for category, label in (("warm_space", "warm space"), ("community_centre", "community centre")):
        page.page.select_option("#whatif-category", category)
        page.page.click("#whatif-site")
        page.page.wait_for_function(
            "t => document.querySelector('#whatif-result')?.innerText.includes(t)", arg=f"Best sites for {label}",
            timeout=10_000)
        assert page.page.locator("#whatif-result ol li").count() == 5
        assert page.page.locator(".whatif-marker").count() == 5
        assert "NaN" not in page.page.inner_text("#whatif-result")
    assert "Unnamed " in page.page.inner_text("#whatif-result")
    page.assert_clean()
