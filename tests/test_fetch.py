"""`assetmap fetch` against a local HTTP server on 127.0.0.1 serving the shared files."""
import gzip
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from assetmap.build import build_area
from assetmap.config import load_area
from assetmap.errors import FetchError
from assetmap.ingest.fetch import fetch_area


@pytest.fixture()
def server(data_root, tmp_path):
    """Serves the real data root, plus a zip of epraccur like NHS Digital publishes it."""
    served = tmp_path / "served"
    served.mkdir()
    with zipfile.ZipFile(served / "epraccur.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(data_root / "community-assets/nhs_ods_epraccur_2025-04_england_wales.csv", "epraccur.csv")
    # the official warm-spaces file is plain JSON
    (served / "places.json").write_bytes(gzip.decompress(
        (data_root / "warm-spaces-openinnovations/warmspaces_places_2024-10-23.json.gz").read_bytes()))

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            p = path.split("?")[0].lstrip("/")
            local = served / p
            return str(local if local.exists() else data_root / p)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


# files the local server publishes in their official form rather than as stored in the data root
OFFICIAL_FORM = {"gp_practices": "epraccur.zip", "warm_spaces": "places.json"}


def _mirror_config(tmp_path: Path, base: str) -> Path:
    """Chesterfield's config with every address pointing at the local server."""
    real = load_area("chesterfield")
    lines = ['[area]', 'slug = "chesterfield"', 'name = "Chesterfield"', 'lads = ["E07000034"]',
             '[osm]', f'file = "{real.osm.file}"', f'url = "{base}/{real.osm.file}"']
    for s in real.sources.values():
        if "*" in s.file:  # map tiles copied by hand (the 2026 warm spaces): no one address to fetch from
            lines += [f"[sources.{s.name}]", "enabled = false"]
            continue
        lines += [f"[sources.{s.name}]", f'url = "{base}/{OFFICIAL_FORM.get(s.name, s.file)}"']
    if "warm_spaces" not in real.sources:  # the national 2024 list, which Chesterfield's file turns off
        lines += ["[sources.warm_spaces]", f'url = "{base}/{OFFICIAL_FORM["warm_spaces"]}"']
    cfg = tmp_path / "chesterfield-mirror.toml"
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def test_fetch_then_build(server, tmp_path, data_root):
    cfg_path = _mirror_config(tmp_path, server)
    root = tmp_path / "fresh"
    status = fetch_area(load_area(cfg_path, root), root, echo=lambda m: None)
    assert set(status.values()) == {"fetched"} and len(status) == 11
    # zip member unpacked; plain JSON gzipped to match the configured name
    assert (root / "community-assets/nhs_ods_epraccur_2025-04_england_wales.csv").read_bytes() == \
        (data_root / "community-assets/nhs_ods_epraccur_2025-04_england_wales.csv").read_bytes()
    assert gzip.decompress((root / "warm-spaces-openinnovations/warmspaces_places_2024-10-23.json.gz").read_bytes()) == \
        gzip.decompress((data_root / "warm-spaces-openinnovations/warmspaces_places_2024-10-23.json.gz").read_bytes())
    again = fetch_area(load_area(cfg_path, root), root, echo=lambda m: None)
    assert set(again.values()) == {"present"}
    report = build_area(load_area(cfg_path, root), tmp_path / "out", echo=lambda m: None)
    assert report["neighbourhoods"]["lsoas"] == 58


def test_fetch_errors_keep_existing_files(server, tmp_path):
    cfg = _mirror_config(tmp_path, server)
    text = cfg.read_text().replace("/imd-humaniverse/imd2025_england_lsoa21.csv.gz", "/missing.csv")
    cfg.write_text(text)
    root = tmp_path / "fresh"
    keep = root / "imd-humaniverse/imd2025_england_lsoa21.csv.gz"
    keep.parent.mkdir(parents=True)
    keep.write_bytes(b"old")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_area(load_area(cfg, root), root, force=True, only={"imd2025"}, echo=lambda m: None)
    assert keep.read_bytes() == b"old"
    assert not list(root.rglob("*.part"))
