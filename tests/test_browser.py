"""The map pages in a real headless Chromium, on real builds, fully offline.

The app runs on 127.0.0.1 in a background thread; every request the browser makes to any other
host is recorded (and aborted) and fails the test, as do console errors, page errors and any
JavaScript dialog (the sign of a successful script injection).

Needs Debian's chromium at /usr/bin/chromium (``apt-get install -y chromium``); without it the
tests skip, unless the environment variable CI is set, when they fail. Screenshots of the
planner and lookup pages are written to /tmp/shots/ for a person to look at.
"""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.state import DECILE_COLOURS
from app_fixtures import (  # noqa: F401  (pytest fixtures are used by name)
    CHESTERFIELD, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT,
    app, chesterfield_ar, chesterfield_root, hostile_app, hostile_ar, hostile_root, in_ci,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path("/tmp/shots")
READY = 20_000  # ms to wait for the map data


_SHARED: dict = {"users": 0}  # one Playwright and Chromium for every module that imports `browser`


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run browser tests"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    # other test modules import this fixture, which makes one session fixture per module; the sync
    # API allows one Playwright at a time, so they share it
    if not _SHARED["users"]:
        _SHARED["pw"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["pw"].chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED["browser"].close()
        _SHARED["pw"].stop()


class LiveServer:
    """A Flask app served by werkzeug on 127.0.0.1 and an ephemeral port, in a thread."""

    def __init__(self, flask_app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def server(app):
    s = LiveServer(app)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def hostile_server(hostile_app):
    s = LiveServer(hostile_app)
    yield s
    s.stop()


class Watched:
    """A page plus everything that must not happen on it."""

    def __init__(self, page, origin: str):
        self.page = page
        self.origin = origin
        self.local_requests: list[str] = []
        self.foreign_requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.route("**/*", self._route)
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or (parts.scheme == "http" and parts.hostname == "127.0.0.1"):
            self.local_requests.append(url)
            route.continue_()
        else:
            self.foreign_requests.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def goto(self, path: str):
        resp = self.page.goto(self.origin + path)
        assert resp is not None and resp.ok, f"{path}: HTTP {resp.status if resp else '?'}"
        return resp

    def assert_clean(self):
        assert self.foreign_requests == [], "requests left 127.0.0.1"
        assert self.errors == [], "console or page errors"
        assert self.dialogs == [], "a JavaScript dialog opened: injected script ran"


def _watched(browser, url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    yield Watched(ctx.new_page(), url)
    ctx.close()


@pytest.fixture()
def page(browser, server):
    yield from _watched(browser, server.url)


@pytest.fixture()
def hostile_page(browser, hostile_server):
    yield from _watched(browser, hostile_server.url)


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, label: str = "", map_pins: str | None = None) -> list[dict]:
    """Run axe-core (from npm: node_modules/axe-core, installed by scripts/vendor.py) on the page
    against WCAG 2.0/2.1/2.2 A and AA; print every violation, fail on serious or critical ones.

    The source goes in with ``page.evaluate``, which the page's Content-Security-Policy does not
    govern, so the app's CSP stays untouched for the test."""
    if not AXE.exists():
        msg = f"{AXE} is missing: run `python scripts/vendor.py` (or `npm ci`) to install axe-core"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found = page.evaluate("""([tags, pins]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
        .then(r => r.violations.map(v => {
            const pinned = n => v.id === 'target-size' && pins && n.target.length === 1 &&
                                document.querySelector(n.target[0])?.closest(pins);
            const nodes = v.nodes.filter(n => !pinned(n));
            return {id: v.id, help: v.help, impact: nodes.length ? v.impact : 'allowed (map pins, WCAG 2.5.8 Essential)',
                    nodes: (nodes.length ? nodes : v.nodes).slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)};
        }))""", [AXE_TAGS, map_pins])
    for v in found:
        print(f"axe {label}: {v['impact']} {v['id']}: {v['help']}")
        for n in v["nodes"]:
            print("    " + n.replace("\n", " / "))
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{label}: serious or critical accessibility violations: " + \
        "; ".join(f"{v['id']} ({v['impact']}): {v['nodes'][:2]}" for v in bad)
    return found


def wait_for_map(w: Watched, selector: str = "#map") -> None:
    w.page.wait_for_selector(f'{selector}[data-ready="yes"]', state="attached", timeout=READY)


def popup_text(w: Watched) -> str:
    w.page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    return w.page.eval_on_selector(".leaflet-popup-content", "e => e.textContent")


# --- planner -----------------------------------------------------------------------------

def test_planner_loads_offline_without_errors(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "planner.png"))
    page.assert_clean()
    paths = {urlsplit(u).path for u in page.local_requests}
    for name in ("neighbourhoods", "assets"):
        assert f"/data/{CHESTERFIELD}/{name}.geojson" in paths
    assert f"/tiles/{CHESTERFIELD}/basemap.pmtiles" in paths  # the vector base map, by range requests
    assert any(p.startswith("/static/v/") and p.endswith("/vendor/leaflet/leaflet.js") for p in paths)
    assert page.page.inner_text("h1") == chesterfield_ar.name


def test_choropleth_draws_every_neighbourhood_in_decile_colours(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    fills = page.page.eval_on_selector_all(".leaflet-choropleth-pane path", "ps => ps.map(p => p.getAttribute('fill'))")
    assert len(fills) == len(chesterfield_ar.neighbourhoods)
    expected = {DECILE_COLOURS[int(d) - 1] for d in chesterfield_ar.neighbourhoods["imd_decile"].dropna()}
    assert set(fills) == expected


def test_assets_are_clustered_markers(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    assert page.page.locator(".marker-cluster.asset-cluster").count() > 0
    total = page.page.evaluate("() => window.assetmapPlanner.cluster.getLayers().length")
    assert total == len(chesterfield_ar.assets)
    # the clusters' counts plus the single markers on screen never exceed the assets
    on_screen = page.page.evaluate("""() => {
        let n = 0;
        document.querySelectorAll('.asset-cluster span:first-child').forEach(s => n += Number(s.textContent));
        return n + document.querySelectorAll('.asset-marker').length; }""")
    assert 0 < on_screen <= len(chesterfield_ar.assets)


def test_walking_layer_colours_neighbourhoods_by_minutes_to_the_chosen_place(page, chesterfield_ar):
    from app.state import WALK_CLASSES

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
    from app.state import DECILE_COLOURS

    page.goto("/")
    wait_for_map(page)
    page.page.select_option("#dep-measure", "income")
    page.page.wait_for_function("() => document.getElementById('imd-legend-title').textContent.includes('Income')")
    assert page.page.evaluate("() => window.assetmapPlanner.map.hasLayer(window.assetmapPlanner.choropleth)")
    nb = chesterfield_ar.neighbourhoods
    fills = page.page.evaluate("""() => { const out = {};
        window.assetmapPlanner.choropleth.eachLayer(l => { out[l.feature.properties.lsoa21_code] = l.options.fillColor; });
        return out; }""")
    assert fills == {c: DECILE_COLOURS[int(d) - 1] for c, d in zip(nb["lsoa21_code"], nb["income_decile"])}
    counts = page.page.eval_on_selector_all("#imd-legend .decile-count", "ns => ns.map(n => Number(n.textContent))")
    assert counts == [int((nb["income_decile"] == d).sum()) for d in range(1, 11)]
    page.assert_clean()


def test_gap_layers_bivariate_colours_and_outlines(page, chesterfield_ar):
    from app.state import BIVARIATE_COLOURS

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


def test_clicking_a_marker_opens_its_popup(page, chesterfield_ar):
    lib = chesterfield_ar.assets[chesterfield_ar.assets["name"] == "Chesterfield Library"].iloc[0]
    page.goto("/")
    wait_for_map(page)
    # zoom to the library (it is inside a cluster at the initial zoom), then click it like a person would
    page.page.evaluate("id => window.assetmapPlanner.openAsset(id)", lib["asset_id"])
    assert "Chesterfield Library" in popup_text(page)
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    page.page.wait_for_selector(".leaflet-popup-content", state="detached")
    page.page.click('.asset-marker[aria-label="Chesterfield Library, Library"]')
    text = popup_text(page)
    assert "Chesterfield Library" in text
    assert lib["address"] in text and "Opening hours" in text
    assert page.page.locator(".leaflet-popup-content a", has_text="Website").get_attribute("href").startswith("https://")
    page.assert_clean()


def test_markers_work_from_the_keyboard(page, chesterfield_ar):
    lib = chesterfield_ar.assets[chesterfield_ar.assets["name"] == "Chesterfield Library"].iloc[0]
    page.goto(f"/#asset={lib['asset_id']}")
    wait_for_map(page)
    assert "Chesterfield Library" in popup_text(page)  # opened from the URL's #asset=
    page.page.evaluate("() => window.assetmapPlanner.map.closePopup()")
    marker = page.page.locator('.asset-marker[aria-label="Chesterfield Library, Library"]')
    assert marker.get_attribute("tabindex") == "0"
    marker.focus()
    page.page.keyboard.press("Enter")
    assert "Chesterfield Library" in popup_text(page)


def test_family_overlays_toggle_their_markers(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    faith = int((chesterfield_ar.assets["family"] == "faith").sum())
    count = "() => window.assetmapPlanner.cluster.getLayers().length"
    before = page.page.evaluate(count)
    box = page.page.locator(".leaflet-control-layers label", has_text="Faith").locator("input")
    box.uncheck()
    assert page.page.evaluate(count) == before - faith
    box.check()
    assert page.page.evaluate(count) == before
    choropleth = page.page.locator(".leaflet-control-layers label", has_text="Deprivation").locator("input")
    choropleth.uncheck()
    assert page.page.locator(".leaflet-choropleth-pane path").count() == 0
    choropleth.check()
    assert page.page.locator(".leaflet-choropleth-pane path").count() == len(chesterfield_ar.neighbourhoods)


def test_attribution_and_skip_link(page, chesterfield_ar):
    page.goto("/")
    wait_for_map(page)
    page.page.keyboard.press("Tab")
    assert page.page.evaluate("() => document.activeElement.textContent") == "Skip to main content"
    attribution = page.page.locator(".am-attribution")
    assert "© OpenStreetMap contributors (ODbL)" in attribution.inner_text()
    assert "Open Government Licence v3.0" in attribution.inner_text()
    attribution.locator("summary").click()
    for line in chesterfield_ar.attribution:
        assert line in attribution.inner_text()


def test_planner_fits_a_phone_screen(browser, server):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    w = Watched(ctx.new_page(), server.url)
    try:
        w.goto("/")
        wait_for_map(w)
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= 390
        box = w.page.locator("#map").bounding_box()
        assert box["width"] >= 380 and box["height"] >= 300
        w.assert_clean()
    finally:
        ctx.close()


# --- lookup ------------------------------------------------------------------------------

def test_lookup_page_lists_and_maps_the_nearest_places(page, chesterfield_ar):
    expected = chesterfield_ar.lookup("S40 1LP").results
    page.goto("/lookup?postcode=S40+1LP")
    wait_for_map(page, "#lookup-map")
    items = page.page.locator("ol.result-list > li")
    assert items.count() == len(expected) == 10
    for i, r in enumerate(expected):
        assert items.nth(i).locator(".result-name").inner_text() == (r["name"] or f"Unnamed {r['category_label'].lower()}")
    assert page.page.locator(".rank-marker").count() == 10
    assert page.page.locator(".postcode-marker").inner_text() == "S40 1LP"
    page.page.locator(".rank-marker").first.click()
    assert expected[0]["name"] in popup_text(page)
    assert "highlight" in (items.first.get_attribute("class") or "")
    page.page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(SHOTS / "lookup.png"))
    page.assert_clean()


def test_lookup_errors_render_in_the_browser(page):
    resp = page.page.goto(page.origin + "/lookup?postcode=NOT+A+POSTCODE")
    assert resp.status == 400
    assert "is not a UK postcode" in page.page.inner_text(".error-summary")
    assert page.page.input_value("#postcode") == "NOT A POSTCODE"
    page.page.fill("#postcode", "s401lp")
    page.page.click("button[type=submit]")
    page.page.wait_for_selector("ol.result-list")
    assert "S40 1LP" in page.page.inner_text("#results-title")


# --- hostile data --------------------------------------------------------------------------

def _asset_id(ar, name: str) -> str:
    return ar.assets.loc[ar.assets["name"] == name, "asset_id"].iloc[0]


def test_hostile_names_show_as_text_in_planner_popups(hostile_page, hostile_ar):
    w = hostile_page
    w.goto("/")
    wait_for_map(w)
    for name in (XSS_IMG, XSS_SCRIPT):
        w.page.evaluate("id => window.assetmapPlanner.openAsset(id)", _asset_id(hostile_ar, name))
        w.page.wait_for_function("n => { const e = document.querySelector('.leaflet-popup-content');"
                                 " return e && e.textContent.includes(n); }", arg=name, timeout=5000)
        assert name in popup_text(w)
    w.page.evaluate("id => window.assetmapPlanner.openAsset(id)", _asset_id(hostile_ar, XSS_IMG))
    w.page.wait_for_function("n => document.querySelector('.leaflet-popup-content')?.textContent.includes(n)",
                             arg=XSS_IMG, timeout=5000)
    assert XSS_ADDRESS in popup_text(w)
    # the javascript: website is text, not a link
    assert w.page.locator(".leaflet-popup-content a[href^='javascript']").count() == 0
    # the library drops non-http(s) websites at ingest (merge.clean_contact): neither link nor text
    assert "javascript:alert(4)" not in popup_text(w)
    # hovering shows the name in a tooltip, also as text
    w.page.hover(f'.asset-marker[aria-label="{XSS_IMG}, Timebank"]')
    w.page.wait_for_selector(".leaflet-tooltip", timeout=5000)
    assert XSS_IMG in w.page.inner_text(".leaflet-tooltip")
    w.page.wait_for_timeout(500)  # give any injected handler time to fire
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    assert w.page.evaluate("() => document.querySelectorAll('script:not([src]):not([type=\"application/json\"])').length") == 0
    w.assert_clean()


def test_hostile_names_show_as_text_in_the_lookup(hostile_page):
    w = hostile_page
    w.goto("/lookup?postcode=S40+1LP")
    wait_for_map(w, "#lookup-map")
    names = w.page.locator("ol.result-list .result-name").all_inner_texts()
    assert XSS_IMG in names and XSS_SCRIPT in names
    assert XSS_ADDRESS in w.page.inner_text("ol.result-list")
    for rank in (1, 2):  # both hostile places are at the postcode itself, fanned out around it
        w.page.click(f'.rank-marker[aria-label^="{rank}. "]')
        w.page.wait_for_function("n => document.querySelector('.leaflet-popup-content')?.textContent.includes(n)",
                                 arg=names[rank - 1], timeout=5000)
        assert names[rank - 1] in popup_text(w)
    w.page.wait_for_timeout(500)
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    w.assert_clean()


# --- asset pages and neighbourhood profiles --------------------------------------------------

def _most_deprived(ar) -> str:
    nb = ar.neighbourhoods
    return nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]


@pytest.mark.parametrize("width", [1400, 360])
def test_asset_page_map_and_layout(browser, server, chesterfield_ar, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        lib = _asset_id(chesterfield_ar, "Chesterfield Library")
        w.goto(f"/area/{CHESTERFIELD}/asset/{lib}")
        wait_for_map(w, "#asset-map")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
        main = w.page.locator('.asset-marker[aria-label="Chesterfield Library, Library"]')
        assert main.count() == 1
        assert w.page.locator(".leaflet-marker-pane .asset-marker").count() >= 4  # the place and its neighbours
        assert w.page.locator("#asset-map").get_attribute("aria-label").startswith("Map of Chesterfield Library")
        # a nearby marker's popup links to that place's page
        w.page.locator(".leaflet-marker-pane .asset-marker").first.click()
        w.page.wait_for_selector(".leaflet-popup-content a", timeout=5000)
        href = w.page.locator(".leaflet-popup-content a").first.get_attribute("href")
        assert href.startswith(f"/area/{CHESTERFIELD}/asset/")
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / f"asset-{width}.png"), full_page=True)
        w.assert_clean()
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [1400, 360])
def test_profile_page_sorts_tables_and_fits(browser, server, chesterfield_ar, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(ctx.new_page(), server.url)
    try:
        code = _most_deprived(chesterfield_ar)
        w.goto(f"/area/{CHESTERFIELD}/neighbourhood/{code}")
        assert w.page.evaluate("() => document.documentElement.scrollWidth") <= width
        table = w.page.locator("#walk-table")
        assert table.get_attribute("data-sortable") == "yes"
        table.locator("thead th").nth(1).locator("button").click()
        assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "ascending"
        values = [float(v) for v in table.locator("tbody td:nth-child(2)").evaluate_all(
            "cs => cs.map(c => c.getAttribute('data-sort')).filter(v => v !== '')")]
        shown = [float(t) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts() if t[:1].isdigit()]
        assert shown == sorted(values) and len(shown) > 10
        table.locator("thead th").nth(1).locator("button").click()
        assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "descending"
        shown = [float(t) for t in table.locator("tbody tr td:nth-child(2)").all_inner_texts() if t[:1].isdigit()]
        assert shown == sorted(values, reverse=True)
        SHOTS.mkdir(parents=True, exist_ok=True)
        w.page.screenshot(path=str(SHOTS / f"neighbourhood-{width}.png"), full_page=True)
        w.assert_clean()
    finally:
        ctx.close()


def test_planner_popups_link_to_asset_and_profile_pages(page, chesterfield_ar):
    lib = _asset_id(chesterfield_ar, "Chesterfield Library")
    page.goto(f"/#asset={lib}")
    wait_for_map(page)
    popup_text(page)
    link = page.page.locator(".leaflet-popup-content a", has_text="More about this place")
    assert link.get_attribute("href") == f"/area/{CHESTERFIELD}/asset/{lib}"
    code = _most_deprived(chesterfield_ar)
    page.page.evaluate("""code => { const p = window.assetmapPlanner;
        p.choropleth.eachLayer(l => { if (l.feature.properties.lsoa21_code === code) l.openPopup(); }); }""", code)
    page.page.wait_for_selector(".lsoa-popup a", timeout=5000)
    assert page.page.locator(".lsoa-popup a").get_attribute("href") == f"/area/{CHESTERFIELD}/neighbourhood/{code}"
    page.assert_clean()


def test_hostile_names_show_as_text_on_asset_pages(hostile_page, hostile_ar):
    w = hostile_page
    a = hostile_ar.assets[hostile_ar.assets["name"] == XSS_IMG].iloc[0]
    w.goto(f"/area/{HOSTILE_SLUG}/asset/{a['asset_id']}")
    wait_for_map(w, "#asset-map")
    assert w.page.inner_text("h1") == XSS_IMG
    w.page.hover(f'.asset-marker[aria-label="{XSS_IMG}, Timebank"]')
    w.page.wait_for_selector(".leaflet-tooltip", timeout=5000)
    assert XSS_IMG in w.page.inner_text(".leaflet-tooltip")
    w.goto(f"/area/{HOSTILE_SLUG}/neighbourhood/{a['lsoa21_code']}")
    assert XSS_IMG in w.page.inner_text("#inside-table")
    w.page.wait_for_timeout(500)
    assert w.page.locator("img[src='x'], svg[onload]").count() == 0
    w.assert_clean()
