#!/usr/bin/env python3
"""Screenshots of the main pages at 1400 and 360 px wide, for people to look at.

    python scripts/screenshots.py [--build-root build] [--out build/screenshots] [--area chesterfield]
    python scripts/screenshots.py --readme    # the README's pictures, in docs/screenshots/

Serves the built areas with the app on 127.0.0.1 (in a thread) and saves <page>-<width>.png of
full pages from Debian's headless Chromium (/usr/bin/chromium) via Playwright. ``--readme`` takes
what a screen shows on opening the main pages (1400 x 900 and a 360 x 760 phone), reduced to 256
colours so the committed pictures stay small.
"""
from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


README_PAGES = ("planner", "lookup", "route", "asset", "profile", "pack")


def _to_256_colours(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-root", default=str(ROOT / "build"))
    ap.add_argument("--out", default=None, help="folder (default build/screenshots, or docs/screenshots with --readme)")
    ap.add_argument("--readme", action="store_true", help="the README's screenshots: first screens, 256 colours")
    ap.add_argument("--area", default="chesterfield")
    ap.add_argument("--postcode", default="S40 1LP")
    ap.add_argument("--pages", default=None, help="only these pages, comma-separated (e.g. pack,lookup)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app import create_app

    app = create_app({"ASSETMAP_BUILD_ROOT": args.build_root, "DEFAULT_AREA": args.area})
    view = app.extensions["assetmap"].area(args.area)
    nb = view.ar.neighbourhoods
    code = nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]
    asset = view.ar.assets["asset_id"].iloc[0]
    pc = args.postcode.replace(" ", "+")
    nearest = view.ar.lookup(args.postcode, limit=1).results[0]["asset_id"]
    pages = {
        "planner": (f"/area/{args.area}/", "#map"),
        "neighbourhoods": (f"/area/{args.area}/neighbourhoods", None),
        "profile": (f"/area/{args.area}/neighbourhood/{code}", None),
        "lookup": (f"/lookup?postcode={pc}", "#lookup-map"),
        "route": (f"/area/{args.area}/asset/{nearest}/map?from={pc}", "#place-map"),
        "asset": (f"/area/{args.area}/asset/{asset}", "#asset-map"),
        "shortlist": (f"/shortlist?ids={args.area}:{asset}", None),
        "downloads": ("/downloads", None),
        "about": ("/about", None),
        "pack": (f"/area/{args.area}/pack", "#pack-map"),
    }
    if args.readme:
        pages = {k: pages[k] for k in README_PAGES}
    if args.pages:
        pages = {k: v for k, v in pages.items() if k in args.pages.split(",")}
    out = Path(args.out or (ROOT / "docs" / "screenshots" if args.readme else ROOT / "build" / "screenshots"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for width in (1400, 360):
                ctx = browser.new_context(viewport={"width": width, "height": (1100 if width > 600 else 760) if args.readme else 900})
                page = ctx.new_page()
                page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url or r.request.url.startswith("data:")
                           else r.abort())
                for name, (path, map_sel) in pages.items():
                    page.goto(base + path)
                    if map_sel == "#pack-map":  # an image drawn on first request
                        page.wait_for_function("() => document.getElementById('pack-map').complete", timeout=60_000)
                    elif map_sel:
                        page.wait_for_selector(f"{map_sel}[data-ready]", state="attached", timeout=20_000)
                        page.wait_for_timeout(400)
                    target = out / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=name != "planner" and not args.readme)
                    if args.readme:
                        _to_256_colours(target)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                ctx.close()
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
