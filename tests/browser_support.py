"""Shared pieces of the browser tests (tests/test_browser_*.py, test_a11y.py, test_shortlist.py): one
headless Chromium, the app served on 127.0.0.1 in a thread, a watched page that fails on anything leaving
127.0.0.1, console or page errors and JavaScript dialogs, axe-core, and small helpers.

Needs Debian's chromium at /usr/bin/chromium (``apt-get install -y chromium``); without it the
tests skip, unless the environment variable CI is set, when they fail.

Import what a module uses, fixtures included (pytest finds fixtures by name in the test module):
``from browser_support import Watched, browser, page, server, wait_for_map``. The fixtures ``server``
and ``hostile_server`` need ``app`` / ``hostile_app`` from app_fixtures imported beside them.
"""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app_fixtures import in_ci

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


def asset_id(ar, name: str) -> str:
    """The id of the asset called ``name`` in an area's results."""
    return ar.assets.loc[ar.assets["name"] == name, "asset_id"].iloc[0]


def most_deprived(ar) -> str:
    """The LSOA code of the area's most deprived neighbourhood (lowest IMD rank)."""
    nb = ar.neighbourhoods
    return nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]
