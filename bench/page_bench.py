"""Benchmark: page weight and time to a drawn map in headless Chromium, beside a naive folium page.

    python bench/page_bench.py [--build-root build] [--area chesterfield] [--postcode "S40 1LP"] [--runs 3]

Starts `assetmap serve` (gunicorn, 2 workers) on 127.0.0.1 and a free port and loads, each in a
fresh browser context (cold cache):

* the planner map: bytes transferred (the sum of Chrome's ``encodedDataLength`` for every
  response, i.e. compressed bodies plus headers, from the DevTools protocol) once the network is
  idle, and the time from navigation start until the neighbourhood shapes are drawn (the
  Leaflet pane holds its paths) and until every layer has loaded (``#map[data-ready]``);
* the lookup page with results for a postcode: the same, until the numbered markers are drawn;
* the naive page: the same layers with folium's defaults (``folium.Map`` + ``GeoJson`` of the
  unsimplified neighbourhoods with all their columns + a ``Marker`` per asset), saved to an HTML
  file and served by a local static server. Its Leaflet, jQuery, Bootstrap and fonts come from
  CDNs and its tiles from openstreetmap.org; this machine is offline, so those requests are
  blocked, counted and listed: its bytes are only what loads from 127.0.0.1, and its map never
  draws.

Needs Debian's chromium at /usr/bin/chromium, Playwright and folium. Prints a table (median of
--runs) and writes bench/results/page_bench.json.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from production_server import production_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 900}


def naive_page(build: Path, out: Path) -> Path:
    """The layers as folium draws them by default, into ``out/naive.html``."""
    import folium
    import geopandas as gpd

    nb = gpd.read_parquet(build / "neighbourhoods.parquet").to_crs(4326)
    assets = gpd.read_parquet(build / "assets.parquet").to_crs(4326)
    for frame in (nb, assets):  # folium needs JSON-serialisable columns
        for col in frame.columns:
            if col != "geometry" and frame[col].dtype == object:
                frame[col] = frame[col].astype(str)
    b = nb.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=12)
    folium.GeoJson(nb.to_json(), name="neighbourhoods").add_to(m)
    for _, a in assets.iterrows():
        folium.Marker([a.geometry.y, a.geometry.x], popup=str(a.get("name")), tooltip=str(a.get("name"))).add_to(m)
    path = out / "naive.html"
    m.save(str(path))
    return path


class StaticServer:
    def __init__(self, directory: Path):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(browser, url: str, drawn: str, ready: str | None, timeout_ms: int = 20_000) -> dict:
    """One cold load: bytes per response (CDP), blocked foreign requests, and the times from
    navigation start until ``drawn`` (a JS expression) and ``ready`` are true."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    blocked: list[str] = []

    def route(r):
        host = urlsplit(r.request.url).hostname
        if urlsplit(r.request.url).scheme in ("data", "blob") or host == "127.0.0.1":
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    page.route("**/*", route)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url, wait_until="commit")
    out = {"url": url}
    try:
        out["drawn_ms"] = page.wait_for_function(f"() => ({drawn}) ? performance.now() : false", polling="raf",
                                                 timeout=timeout_ms).json_value()
    except Exception:  # noqa: BLE001 (a timeout: the map never drew)
        out["drawn_ms"] = None
    if ready:
        try:
            out["ready_ms"] = page.wait_for_function(f"() => ({ready}) ? performance.now() : false", polling="raf",
                                                     timeout=timeout_ms).json_value()
        except Exception:  # noqa: BLE001
            out["ready_ms"] = None
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except Exception:  # noqa: BLE001
        pass
    page.wait_for_timeout(300)
    out["bytes"] = sum(sizes.values())
    out["requests"] = len(sizes)
    out["largest"] = sorted(((v, urlsplit(urls.get(k, "?")).path.rsplit("/", 1)[-1]) for k, v in sizes.items()),
                            reverse=True)[:4]
    out["blocked"] = blocked
    ctx.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-root", default=str(ROOT / "build"))
    ap.add_argument("--area", default="chesterfield")
    ap.add_argument("--postcode", default="S40 1LP")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    build = Path(args.build_root) / args.area
    with production_server(args.build_root) as base, tempfile.TemporaryDirectory(prefix="assetmap-naive-") as tmp_dir:
        t0 = time.perf_counter()
        naive = naive_page(build, Path(tmp_dir))
        print(f"naive folium page: {naive.stat().st_size / 1e6:.2f} MB of HTML, made in {time.perf_counter() - t0:.1f} s")
        static = StaticServer(Path(tmp_dir))
        pages = {
            "planner": (f"{base}/area/{args.area}/",
                        "document.querySelectorAll('.leaflet-choropleth-pane path').length > 0",
                        "document.querySelector('#map[data-ready]')"),
            "lookup": (f"{base}/lookup?postcode={quote_plus(args.postcode)}",
                       "document.querySelectorAll('.rank-marker').length > 0",
                       "document.querySelector('#lookup-map[data-ready]')"),
            "naive folium": (f"{static.url}/naive.html",
                             "document.querySelectorAll('.leaflet-overlay-pane path').length > 0", None),
        }
        results: dict[str, list[dict]] = {k: [] for k in pages}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.runs):
                for name, (url, drawn, ready) in pages.items():
                    results[name].append(measure(browser, url, drawn, ready,
                                                 timeout_ms=8_000 if name == "naive folium" else 20_000))
            browser.close()
        static.stop()

    def med(rows, key):
        vals = [r[key] for r in rows if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    print(f"\n{'page':<14} {'transferred':>12} {'requests':>9} {'map drawn':>10} {'all layers':>11} {'blocked':>8}")
    summary = {}
    for name, rows in results.items():
        s = {"bytes": med(rows, "bytes"), "requests": med(rows, "requests"), "drawn_ms": med(rows, "drawn_ms"),
             "ready_ms": med(rows, "ready_ms"), "blocked": len(rows[0]["blocked"]), "largest": rows[0]["largest"],
             "blocked_hosts": sorted({urlsplit(u).hostname for u in rows[0]["blocked"]}), "runs": rows}
        summary[name] = s
        drawn = f"{s['drawn_ms'] / 1000:.2f} s" if s["drawn_ms"] is not None else "never"
        ready = f"{s['ready_ms'] / 1000:.2f} s" if s["ready_ms"] is not None else "-"
        print(f"{name:<14} {s['bytes'] / 1024:>9.0f} KB {s['requests']:>9.0f} {drawn:>10} {ready:>11} {s['blocked']:>8}")
    for name, s in summary.items():
        print(f"  {name}: largest " + ", ".join(f"{n} {v / 1024:.0f} KB" for v, n in s["largest"]))
        if s["blocked_hosts"]:
            print(f"  {name}: blocked (offline) requests to " + ", ".join(s["blocked_hosts"]))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "page_bench.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
