"""About, security headers, settings, static files, and escaping of hostile data everywhere."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from app import create_app
from app.security import tile_source
from app_fixtures import HOSTILE_AREA_NAME, HOSTILE_SLUG, XSS_ADDRESS, XSS_IMG, XSS_SCRIPT
from assetmap.errors import ConfigError, ResultsError
from page_support import assert_no_raw_markup, script_json, text, visible_text

# --- about, headers, configuration ----------------------------------------------------------

def test_about_lists_sources_licences_and_taxonomy(client, chesterfield_ar):
    resp = client.get("/about")
    assert resp.status_code == 200
    seen = visible_text(text(resp))
    for src in chesterfield_ar.report["sources"]:
        if src.get("licence"):
            assert src["licence"] in seen, src["name"]
    for line in chesterfield_ar.attribution:
        assert line in seen
    for key, cat in chesterfield_ar.taxonomy["categories"].items():
        assert cat["label"] in seen and key in seen
        for rule in cat["osm"]:
            assert rule in seen
    for fam in chesterfield_ar.taxonomy["families"].values():
        assert fam["label"] in seen


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "connect-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp  # no inline scripts, no inline styles


PAGES = ["/", "/area/chesterfield/neighbourhoods", "/area/chesterfield/neighbourhoods?walk=gp",
         "/area/chesterfield/equity", "/lookup", "/lookup?postcode=S40+1LP", "/lookup?postcode=NOPE",
         "/downloads", "/about", "/methodology", "/shortlist", "/suggest", "/report", "/curate/login"]


def test_pages_have_no_inline_styles_and_their_colours_are_palette_classes(client, chesterfield_ar):
    nb = chesterfield_ar.neighbourhoods
    code = nb.loc[nb["imd_rank"].idxmin(), "lsoa21_code"]
    asset = chesterfield_ar.assets["asset_id"].iloc[0]
    home = text(client.get("/"))
    palette = text(client.get(re.search(r'href="(/static/v/\w+/gen/palette\.css)"', home).group(1)))
    defined = set(re.findall(r"^\.((?:bg|fg|w)-[0-9a-f]+)\{", palette, re.M))
    for url in PAGES + [f"/area/chesterfield/neighbourhood/{code}", f"/area/chesterfield/asset/{asset}"]:
        page = text(client.get(url))
        assert " style=" not in page, url  # the CSP would refuse it
        used = {c for cls in re.findall(r'class="([^"]*)"', page) for c in cls.split()
                if re.fullmatch(r"(bg|fg|w)-[0-9a-f]+", c)}
        assert used <= defined, (url, used - defined)
    profile = text(client.get(f"/area/chesterfield/neighbourhood/{code}"))
    assert re.search(r'class="bar w-\d+ bg-[0-9a-f]{6}"', profile)  # the domain bars: width and colour
    for f in chesterfield_ar.taxonomy["families"].values():  # every family's colour is in the palette
        assert f".bg-{f['colour'].lower().lstrip('#')}{{background-color:{f['colour'].lower()}}}" in palette


def test_tile_url_setting(chesterfield_root):
    tiled = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True,
                        "TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
                        "TILE_ATTRIBUTION": "Tiles © Example"}).test_client()
    resp = tiled.get("/")
    cfg = script_json(text(resp), "map-config")
    assert cfg["tiles"] == {"url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png", "attribution": "Tiles © Example"}
    assert "img-src 'self' data: https://*.tiles.example.org" in resp.headers["Content-Security-Policy"]
    assert tile_source("") is None and tile_source("javascript:alert(1)") is None


def test_startup_errors_are_explained(tmp_path, chesterfield_root):
    with pytest.raises(ResultsError, match="assetmap build"):
        create_app({"ASSETMAP_BUILD_ROOT": str(tmp_path)})
    with pytest.raises(ConfigError, match="DEFAULT_AREA 'atlantis' is not built"):
        create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "DEFAULT_AREA": "atlantis"})


def test_pages_render_without_vendored_front_end(chesterfield_root, tmp_path):
    bare = create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True})
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    bare.static_folder = str(static)
    c = bare.test_client()
    page = text(c.get("/"))
    assert "The interactive map is not available" in page
    assert "leaflet.js" not in page and "1 = most deprived 10%" in page
    resp = c.get("/lookup?postcode=S40+1LP")
    assert resp.status_code == 200 and 'class="result-list"' in text(resp) and "leaflet.js" not in text(resp)


def test_vendored_front_end_is_served_when_present(app, client):
    if not (Path(app.static_folder) / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.skip("app/static/vendor is empty: run `python scripts/vendor.py` (the Makefile does)")
    page = text(client.get("/"))
    js = re.search(r'src="(/static/v/[0-9a-f]{12}/vendor/leaflet/leaflet\.js)"', page).group(1)
    assert re.search(r'src="/static/v/[0-9a-f]{12}/vendor/leaflet\.markercluster/leaflet\.markercluster\.js"', page)
    assert client.get(js).status_code == 200
    assert client.get("/static/vendor/leaflet/images/layers.png").status_code == 200
    css = re.search(r'href="(/static/v/[0-9a-f]{12}/vendor/leaflet/leaflet\.css)"', page).group(1)
    # Leaflet's stylesheet refers to its images relatively: they resolve under the same prefix
    assert client.get(css.rsplit("/", 1)[0] + "/images/layers.png").status_code == 200


def test_static_files_are_hashed_compressed_and_cached_for_a_year(client):
    import gzip as gz
    import hashlib

    page = text(client.get("/"))
    url = re.search(r'src="(/static/v/([0-9a-f]{12})/js/planner\.js)"', page)
    body = (Path(client.application.static_folder) / "js" / "planner.js").read_bytes()
    assert url.group(2) == hashlib.sha256(body).hexdigest()[:12]  # the digest is the file's own
    plain = client.get(url.group(1))
    assert plain.data == body and "Content-Encoding" not in plain.headers
    zipped = client.get(url.group(1), headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gz.decompress(zipped.data) == body
    assert len(zipped.data) < len(body) / 2
    cc = zipped.cache_control
    assert cc.public and cc.max_age == 365 * 24 * 3600 and cc.immutable
    again = client.get(url.group(1), headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    stale = client.get("/static/v/000000000000/js/planner.js")
    assert stale.status_code == 200 and stale.cache_control.max_age == 300 and not stale.cache_control.immutable
    assert client.get("/static/v/0/../../app/__init__.py").status_code == 404
    # pages themselves are gzipped too
    html = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert html.headers["Content-Encoding"] == "gzip" and b"<html" in gz.decompress(html.data)


# --- hostile data --------------------------------------------------------------------------



def test_hostile_build_holds_the_injection_attempts(hostile_ar):
    names = set(hostile_ar.assets["name"].dropna())
    assert {XSS_IMG, XSS_SCRIPT} <= names
    assert XSS_ADDRESS in set(hostile_ar.assets["address"].dropna())
    assert hostile_ar.name == HOSTILE_AREA_NAME


def test_hostile_names_are_escaped_in_the_lookup_page(hostile_client):
    resp = hostile_client.get("/lookup?postcode=S40+1LP")
    assert resp.status_code == 200
    page = text(resp)
    assert_no_raw_markup(page, "lookup")
    # visible_text drops real tags, so the literal markup only survives it if it was escaped
    seen = visible_text(page)
    for literal in (XSS_IMG, XSS_SCRIPT, XSS_ADDRESS):
        assert literal in seen
    # the JSON for the map carries the names as plain strings
    names = [r["name"] for r in script_json(page, "lookup-data")["results"]]
    assert XSS_IMG in names and XSS_SCRIPT in names
    # a javascript: website never becomes a link
    # the library drops non-http(s) websites at ingest (merge.clean_contact): neither link nor text
    assert "javascript:alert(4)" not in visible_text(page)
    assert html.escape("https://example.org/?q=<b>bold</b>") in page


@pytest.mark.parametrize("url", [
    "/", f"/area/{HOSTILE_SLUG}/", f"/area/{HOSTILE_SLUG}/neighbourhoods", "/about", "/downloads",
    "/lookup", "/lookup?postcode=S40+1LP&category=timebank", "/area/%3Cscript%3Ealert(2)%3C%2Fscript%3E/",
    "/lookup?postcode=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
])
def test_hostile_data_never_appears_unescaped(hostile_client, url):
    resp = hostile_client.get(url)
    assert resp.status_code in (200, 400, 404)
    assert resp.mimetype == "text/html"
    assert_no_raw_markup(text(resp), url)


def test_hostile_area_name_is_escaped_everywhere(hostile_client):
    page = text(hostile_client.get("/"))
    assert "Chesterfield &lt;b&gt;Test&lt;/b&gt;" in page
    cfg = script_json(page, "map-config")
    assert cfg["name"] == HOSTILE_AREA_NAME


def test_hostile_data_endpoints_are_never_html(hostile_client):
    for url in (f"/data/{HOSTILE_SLUG}/assets.geojson", f"/download/{HOSTILE_SLUG}/assets.geojson?category=timebank"):
        resp = hostile_client.get(url)
        assert resp.status_code == 200
        assert resp.mimetype == "application/geo+json"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        names = {f["properties"]["name"] for f in json.loads(resp.data)["features"]}
        assert XSS_IMG in names
