"""Shared fixtures for the web app's tests (tests/test_app.py, tests/test_browser_*.py).

Every test runs against REAL builds made by the library:

* ``chesterfield_root`` - a build root holding only Chesterfield. It reuses ``build/chesterfield``
  when that build is newer than the library code and the configuration it came from; otherwise
  it reuses the session build of tests/conftest.py's ``chesterfield`` fixture (so a full test run
  builds Chesterfield once), or builds into a temporary directory itself (about ten seconds).
  Set ``ASSETMAP_TEST_REBUILD=1`` to never reuse ``build/``.
* ``hostile_root`` - a build root holding one area built from Chesterfield's configuration plus
  a curated "community suggestions" CSV whose names and addresses are HTML/JS injection
  attempts, exactly as a careless or malicious contributor could submit them.

Import the fixtures you use into the test module: ``from app_fixtures import app, client``.
(Names differ from tests/conftest.py's fixtures on purpose, so importing never shadows them.)
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from assetmap.config import DATA_DIR, PROJECT_ROOT, load_area

CHESTERFIELD = "chesterfield"
HOSTILE_SLUG = "hostile"
HOSTILE_AREA_NAME = "Chesterfield <b>Test</b>"
# Names and an address a hostile contributor might submit; they must only ever show as text.
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(2)</script>"
XSS_ADDRESS = '1 Test Street "><svg onload=alert(3)>'
XSS_SVG = '"><svg onload=alert(3)>'
XSS_WEBSITE = "javascript:alert(4)"
HOSTILE_ROWS = [
    {"type": "timebank", "name": XSS_IMG, "address": XSS_ADDRESS, "postcode": "S40 1LP", "website": XSS_WEBSITE},
    {"type": "timebank", "name": XSS_SCRIPT, "address": "2 Test Street", "postcode": "S40 1LP",
     "website": "https://example.org/?q=<b>bold</b>"},
]


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _newest_input(slug: str) -> float:
    """Modification time of the newest file a build of ``slug`` depends on (code and configuration)."""
    files = list((PROJECT_ROOT / "src" / "assetmap").rglob("*.py"))
    files += [DATA_DIR / "taxonomy.toml", DATA_DIR / "sources.toml", DATA_DIR / "areas" / f"{slug}.toml"]
    return max(f.stat().st_mtime for f in files if f.exists())


def fresh_build(slug: str) -> Path | None:
    """``build/<slug>`` if it is complete and newer than everything it was built from."""
    if os.environ.get("ASSETMAP_TEST_REBUILD"):
        return None
    d = PROJECT_ROOT / "build" / slug
    report = d / "report.json"
    if not report.exists() or not (d / "assets.parquet").exists():
        return None
    return d if report.stat().st_mtime >= _newest_input(slug) else None


def _build(cfg, out: Path) -> None:
    from assetmap.build import build_area

    missing = [p for p in [cfg.osm.path(cfg.data_root)] + [s.path(cfg.data_root) for s in cfg.sources.values()
                                                              if not s.present(cfg.data_root)]
               if not p.exists()]
    if missing:
        msg = (f"cannot build {cfg.slug}: source files missing under {cfg.data_root} "
               f"({', '.join(str(p) for p in missing[:3])}); run `assetmap fetch {cfg.slug}`")
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    build_area(cfg, out, echo=lambda msg: None)


def _session_build(request) -> Path | None:
    """The build directory of tests/conftest.py's session ``chesterfield`` fixture, if it has one."""
    try:
        value = request.getfixturevalue("chesterfield")
    except pytest.FixtureLookupError:
        return None
    out = value[0] if isinstance(value, tuple) else value
    return Path(out) if isinstance(out, (str, Path)) and (Path(out) / "report.json").exists() else None


@pytest.fixture(scope="session")
def chesterfield_root(tmp_path_factory, request) -> Path:
    """A build root whose only area is a real, current Chesterfield build."""
    root = tmp_path_factory.mktemp("build-root")
    existing = fresh_build(CHESTERFIELD) or _session_build(request)
    if existing is not None:
        (root / CHESTERFIELD).symlink_to(existing, target_is_directory=True)
    else:
        _build(load_area(CHESTERFIELD), root / CHESTERFIELD)
    return root


def write_hostile_area(tmp: Path) -> Path:
    """An area file: Chesterfield's configuration plus a curated CSV of injection attempts."""
    csv_path = tmp / "suggestions.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(HOSTILE_ROWS[0]))
        w.writeheader()
        w.writerows(HOSTILE_ROWS)
    text = (DATA_DIR / "areas" / f"{CHESTERFIELD}.toml").read_text(encoding="utf-8")
    text, n_slug = re.subn(r'(?m)^slug\s*=\s*".*"$', f'slug = "{HOSTILE_SLUG}"', text)
    text, n_name = re.subn(r'(?m)^name\s*=\s*".*"$', f'name = "{HOSTILE_AREA_NAME}"', text)
    assert n_slug == 1 and n_name == 1, "data/areas/chesterfield.toml changed shape; update write_hostile_area"
    text += f"""
[sources.suggestions]
kind = "curated"
file = "{csv_path}"
date = "{dt.date.today().isoformat()}"   # checked today: fresh, so they rank by distance alone
label = "Community suggestions"
licence = "Test data"
attribution = "Community suggestions (test)"
category_field = "type"
fields = {{ name = "name", address = "address", postcode = "postcode", website = "website" }}
"""
    area_file = tmp / f"{HOSTILE_SLUG}.toml"
    area_file.write_text(text, encoding="utf-8")
    return area_file


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory) -> Path:
    """A build root with one area whose curated assets carry HTML/JS injection attempts."""
    tmp = tmp_path_factory.mktemp("hostile")
    cfg = load_area(write_hostile_area(tmp))
    root = tmp / "build"
    _build(cfg, root / HOSTILE_SLUG)
    return root


@pytest.fixture(scope="session")
def app(chesterfield_root):
    from app import create_app

    return create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_root), "TESTING": True})


@pytest.fixture(scope="session")
def hostile_app(hostile_root):
    from app import create_app

    return create_app({"ASSETMAP_BUILD_ROOT": str(hostile_root), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def hostile_client(hostile_app):
    return hostile_app.test_client()


@pytest.fixture(scope="session")
def chesterfield_ar(app):
    """The library's loaded results for Chesterfield (the same object the app serves)."""
    return app.extensions["assetmap"].results[CHESTERFIELD]


@pytest.fixture(scope="session")
def hostile_ar(hostile_app):
    return hostile_app.extensions["assetmap"].results[HOSTILE_SLUG]


@pytest.fixture(scope="session")
def chesterfield_2024(tmp_path_factory, data_root):
    """Chesterfield built with the October 2024 warm spaces list in place of August 2026's (the trust
    tests' real cases: last winter's warm spaces, their duplicates and implausible records):
    (build dir, report). Built once per test session, only when a test asks for it."""
    from assetmap.build import build_area

    area_file = Path(__file__).resolve().parents[1] / "data" / "areas" / f"{CHESTERFIELD}.toml"
    text = area_file.read_text(encoding="utf-8")
    swapped = text.replace("[sources.warm_spaces]\nenabled = false", "[sources.warm_spaces]\nenabled = true") \
        .replace("[sources.warm_spaces_2026]\nenabled = true", "[sources.warm_spaces_2026]\nenabled = false")
    assert swapped.count("enabled = true") == 1 and swapped != text, "data/areas/chesterfield.toml changed its sources"
    root = tmp_path_factory.mktemp("chesterfield-2024")
    (root / f"{CHESTERFIELD}.toml").write_text(swapped, encoding="utf-8")
    out = root / "build" / CHESTERFIELD
    report = build_area(load_area(root / f"{CHESTERFIELD}.toml", data_root), out, echo=lambda msg: None)
    return out, report


@pytest.fixture(scope="session")
def app_2024(chesterfield_2024):
    from app import create_app

    return create_app({"ASSETMAP_BUILD_ROOT": str(chesterfield_2024[0].parent), "TESTING": True})


@pytest.fixture()
def client_2024(app_2024):
    return app_2024.test_client()
