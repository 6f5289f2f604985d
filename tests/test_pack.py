"""The committee pack and the scenario export: the PDF carries the map image and the top priorities,
the chosen categories drive every figure, bad choices are 400s naming the valid keys, and the scenario
tables come as CSV (neighbourhoods, deciles) that a spreadsheet cannot evaluate."""
from __future__ import annotations

import csv
import io

import pytest

from app_fixtures import CHESTERFIELD
from assetmap.serving.pack import pack_categories, set_priority, source_date, top_priorities

pypdf = pytest.importorskip("pypdf")
PACK = f"/area/{CHESTERFIELD}/pack"


def _view(app):
    return app.extensions["assetmap"].views[CHESTERFIELD]


def test_top_priorities_follow_the_chosen_categories(app):
    view = _view(app)
    warm = top_priorities(view, ["warm_space"])
    health = top_priorities(view, ["gp", "pharmacy", "dentist", "hospital"])
    assert warm and health and [t["lsoa21_code"] for t in warm] != [t["lsoa21_code"] for t in health]
    nb = view.ar.neighbourhoods.set_index("lsoa21_code")
    first = warm[0]
    # priority for one category is the build's own per-category priority
    assert first["priority"] == pytest.approx(float(nb.loc[first["lsoa21_code"], "priority_warm_space"]), abs=0.11)
    assert first["priority"] == pytest.approx(set_priority(view.ar.neighbourhoods, ["warm_space"]).max(), abs=0.01)
    assert "Warm space" in first["reasons"]["text"] and first["need_decile"] is not None
    assert [t["priority"] for t in warm] == sorted((t["priority"] for t in warm), reverse=True)


def test_pack_categories_default_includes_warm_spaces_and_rejects_unknown(app):
    view = _view(app)
    assert "warm_space" in pack_categories(view, [])
    assert pack_categories(view, ["food_bank,warm_space", "food_bank"]) == ["food_bank", "warm_space"]
    with pytest.raises(ValueError, match="choose among: .*warm_space"):
        pack_categories(view, ["warm_space", "not_a_kind"])


def test_source_dates_come_from_config_osm_or_file_name():
    assert source_date({"date": "2024-10-23", "file": "x_2020.csv"}, None) == ("2024-10-23", "stated in the configuration")
    assert source_date({"kind": "osm", "file": "a.pbf"}, "2018-05-21")[0] == "2018-05-21"
    assert source_date({"file": "codepoint_open_2025-04_GB.csv.gz"}, None)[0] == "2025-04"
    assert source_date({"file": "census2021_residents_households_lsoa21.csv.gz"}, None)[0] == "2021"
    assert source_date({"file": "boundaries.gpkg"}, None) == ("not stated", "")


def test_pack_page_has_map_legend_priorities_equity_and_sources(client, app):
    html = client.get(PACK + "?category=warm_space&category=food_bank").get_data(as_text=True)
    top = top_priorities(_view(app), ["warm_space", "food_bank"])
    assert 'id="pack-map"' in html and "pack-map.png?category=warm_space&amp;category=food_bank" in html
    assert top[0]["lsoa21_name"] in html and "What the Palma ratio means" in html and "FGT1" in html
    assert "Open Database Licence" in html and "2026-08-17" in html  # warm spaces' date
    assert 'href="/area/chesterfield/pack.pdf?category=warm_space&amp;category=food_bank"' in html
    r = client.get(PACK + "?category=warm_space&category=nope")
    assert r.status_code == 400 and "warm_space" in r.get_data(as_text=True)


def test_pack_map_is_a_png_drawn_from_the_build(client):
    r = client.get(PACK + "-map.png?category=warm_space")
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(r.data) > 20_000


def test_pack_pdf_has_the_map_image_and_the_top_priorities(client, app):
    r = client.get(f"/area/{CHESTERFIELD}/pack.pdf?category=warm_space")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "attachment" in r.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(r.data))
    images = [im for p in reader.pages for im in p.images]
    assert len(images) >= 2  # the map and the equity chart
    biggest = max(images, key=lambda im: im.image.width)
    assert biggest.image.width >= 700
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for t in top_priorities(_view(app), ["warm_space"])[:5]:
        assert t["lsoa21_name"] in text
    assert "Top priorities" in text and "Palma" in text and "Open Database Licence" in text


def test_equity_page_charts_the_chosen_categories(client):
    html = client.get(f"/area/{CHESTERFIELD}/equity?category=warm_space&category=gp").get_data(as_text=True)
    assert "equity-chart.svg?category=warm_space&amp;category=gp" in html
    assert html.count('<tr><th scope="row">Warm space</th>') == 2 and "What FGT0, FGT1 and FGT2 mean" in html
    default = client.get(f"/area/{CHESTERFIELD}/equity").get_data(as_text=True)
    assert '<tr><th scope="row">Warm space</th>' in default
    svg = client.get(f"/area/{CHESTERFIELD}/equity-chart.svg?category=warm_space&category=gp")
    assert svg.mimetype == "image/svg+xml" and b"Warm space" in svg.data and b"GP surgery" in svg.data


def _csv(client, query: str) -> list[dict]:
    r = client.get(f"/area/{CHESTERFIELD}/scenario.csv?{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def test_scenario_tables_from_a_postcode_and_a_building(client, app):
    rows = _csv(client, "open=warm_space&postcode=S40+1LP&table=deciles")
    assert [int(r["imd_decile"]) for r in rows] == sorted(int(r["imd_decile"]) for r in rows) and len(rows) >= 5
    assert any(float(r["change_min"]) < 0 for r in rows) and rows[0]["scenario"] == "new warm space at S40 1LP"
    nbs = _csv(client, "open=warm_space&postcode=S40+1LP")
    assert nbs and all(float(r["after_min"]) <= float(r["before_min"]) for r in nbs)
    view = _view(app)
    building = view.host_buildings[0]
    r = client.get(f"/area/{CHESTERFIELD}/scenario-pack?open=food_bank&in={building['asset_id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="scenario-deciles"' in html and "scenario.csv?open=food_bank" in html
    pdf = client.get(f"/area/{CHESTERFIELD}/scenario.pdf?open=warm_space&postcode=S40+1LP")
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    assert sum(len(p.images) for p in reader.pages) >= 1
    assert "By IMD 2025 decile" in "".join(p.extract_text() for p in reader.pages)


def test_scenario_export_errors_name_the_fix(client):
    r = client.get(f"/area/{CHESTERFIELD}/scenario.csv?open=warm_space&postcode=ZZ99+9ZZ")
    assert r.status_code in (400, 404) and r.is_json and r.get_json()["error"]
    r = client.get(f"/area/{CHESTERFIELD}/scenario-pack?open=nope&postcode=S40+1LP")
    assert r.status_code == 400 and "use one of" in r.get_json()["error"]
    r = client.get(f"/area/{CHESTERFIELD}/scenario.csv?open=warm_space&postcode=S40+1LP&table=x")
    assert r.status_code == 400 and "neighbourhoods or deciles" in r.get_json()["error"]
    assert client.get(f"/api/area/{CHESTERFIELD}/scenario?open=warm_space&postcode=S40+1LP").status_code == 200
