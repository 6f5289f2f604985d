"""Plausibility checks (assetmap.trust.plausible), each on a real case from ../shared: the warm spaces
list of 2024-10-23, the August 2026 tiles and Code-Point Open; at build, at registry import, and shown
as a caution on the place page."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from assetmap.registry.validate import Checks, validate
from assetmap.taxonomy import load_taxonomy
from assetmap.trust.plausible import (
    far_from_postcode,
    hours_problems,
    person_name,
    schedule_problems,
    taxonomy_words,
    unlike_category,
)
from page_support import text, visible_text

WARM_2024 = "warm-spaces-openinnovations/warmspaces_places_2024-10-23.json.gz"
TILE_2026 = "warm-spaces-openinnovations/tiles-2026-08-17/10/507/332.geojson"


@pytest.fixture(scope="module")
def warm_2024(data_root) -> dict[str, dict]:
    with gzip.open(data_root / WARM_2024, "rt", encoding="utf-8") as fh:
        return {r["title"]: r for r in json.load(fh) if r.get("title")}


@pytest.fixture(scope="module")
def tx():
    return load_taxonomy()


def test_hours_that_end_before_they_begin(warm_2024):
    rec = warm_2024["Tina Harris-Horner"]  # "Mo 09:00-08:00; Tu 09:00-08:30; …"
    found = hours_problems(rec["hours"]["opening"], True, "Warm space")
    assert found and found[0].startswith("opening hours end before they begin (Mo 09:00-08:00")
    # a pub's evening hours running to midnight, and a night-time category's small hours, pass
    assert hours_problems("Mo-Fr 16:00-00:00") == []
    assert hours_problems("Fr 20:00-02:00", daytime=False) == []
    # a daytime warm space "Tu 10:30-02:30" (New Street Centre in the same list) does not
    assert hours_problems(warm_2024["New Street Centre"]["hours"]["opening"])


def test_hours_at_night_for_a_daytime_category(warm_2024):
    # the warm space at Loundsley Green Community Centre, open "Sa 02:00-04:00"
    rec = next(r for r in warm_2024.values() if r.get("hours", {}).get("opening") == "Sa 02:00-04:00"
               and "Loundsley" in (r.get("address") or r["title"]))
    found = hours_problems(rec["hours"]["opening"], True, "Community centre or hall")
    assert found == ["opening hours only at night (Sa 02:00-04:00), unlikely for a community centre or hall"]
    assert hours_problems("Sa 02:00-04:00", daytime=False) == []
    # the same for HSDS schedules
    assert schedule_problems([{"byday": "SA", "opens_at": "02:00", "closes_at": "04:00"}])


def test_a_name_that_looks_like_a_persons(warm_2024, tx):
    words = taxonomy_words(tx)
    assert "looks like a person's" in person_name("Tina Harris-Horner", words)
    assert "Tina Harris-Horner" in warm_2024
    # none of the list's other Chesterfield-area names is taken for a person
    near = [t for t, r in warm_2024.items() if r.get("lat") and 53.20 < float(r["lat"]) < 53.30
            and -1.50 < float(r["lon"]) < -1.33]
    assert len(near) > 30
    assert [t for t in near if person_name(t, words)] == ["Tina Harris-Horner"]
    for place in ("Victoria Hall", "Beverley Library", "Richard Herrod Centre", "The Haven", "Cosy Crafts"):
        assert person_name(place, words) is None, place


def test_a_category_that_does_not_fit_the_name_or_tags(warm_2024, tx):
    assert "The Hop Flower - KLM Pubco" in warm_2024
    found = unlike_category("warm_space", "Warm space", "The Hop Flower - KLM Pubco", None, tx.trust["unlike"])
    assert found and "pubco" in found[0]
    by_tags = unlike_category("warm_space", "Warm space", "The Crown", {"amenity": "pub"}, tx.trust["unlike"])
    assert by_tags == ["its OpenStreetMap tags (amenity=pub) do not fit a warm space"]
    assert unlike_category("warm_space", "Warm space", "Holme Hall Edge Centre", {"amenity": "community_centre"},
                           tx.trust["unlike"]) == []


def test_a_point_far_from_its_postcode(data_root):
    from pyproj import Transformer

    from assetmap.config import load_area
    from assetmap.ingest.postcodes import Geocoder, read_codepoint

    feats = json.loads((data_root / TILE_2026).read_text(encoding="utf-8"))["features"]
    knit = next(f for f in feats if f["properties"]["title"] == "Knit and Natter")
    assert knit["properties"]["address"].endswith("S6 1LA")
    cfg = load_area("chesterfield", data_root)
    geo = Geocoder(read_codepoint(cfg.source("postcodes"), cfg.data_root))
    _, x, y = geo.locate("S6 1LA")
    px, py = Transformer.from_crs(4326, 27700, always_xy=True).transform(*knit["geometry"]["coordinates"])
    d = float(np.hypot(px - x, py - y))
    assert d > 10_000  # the point is in north Chesterfield, the postcode in Sheffield
    assert far_from_postcode(d, "S6 1LA", 1000).startswith("the point is 10.9 km from the centre of its postcode")
    assert far_from_postcode(120.0, "S40 1PA", 1000) is None


def test_checks_at_build_are_kept_and_counted(chesterfield_2024):
    import geopandas as gpd

    out, report = chesterfield_2024
    assets = gpd.read_parquet(out / "assets.parquet")
    checks = dict(zip(assets["name"], assets["checks"], strict=False))
    assert "looks like a person's" in checks["Tina Harris-Horner"]
    assert "only at night (Sa 02:00-04:00)" in checks["Loundsley Green Community Centre"]
    assert "pubco" in checks["The Hop Flower - KLM Pubco"]
    by = report["trust"]["checks"]["by_check"]
    assert by["hours"] >= 3 and by["person_name"] == 1 and by["category"] >= 1
    assert "checks" in (out / "downloads" / "assets.csv").read_text(encoding="utf-8").splitlines()[0]


def test_a_flagged_record_is_shown_with_a_caution(client_2024, app_2024):
    client, view = client_2024, app_2024.extensions["assetmap"].area("chesterfield")
    tina = next(p for p in view.asset_pages.values() if p["name"] == "Tina Harris-Horner")
    body = visible_text(text(client.get(f"/area/chesterfield/asset/{tina['asset_id']}")))
    assert "Caution: opening hours end before they begin" in body and "These details may be wrong" in body


def test_registry_import_keeps_the_checks_as_warnings(tx):
    row = {"id": "w1", "name": "Tina Harris-Horner", "category": "warm_space", "postcode": "S43 3SP",
           "lat": "53.25468", "lon": "-1.36997", "opening_hours": "Mo 09:00-08:00; Sa 02:00-04:00"}
    r = validate(row, Checks(tx))
    assert r.ok  # a caution, not a quarantine
    assert any("end before they begin" in w for w in r.warnings)
    assert any("only at night" in w for w in r.warnings) and any("person's" in w for w in r.warnings)
    clean = validate({**row, "name": "Holme Hall Edge Centre", "opening_hours": "Tu 13:00-16:00"}, Checks(tx))
    assert clean.ok and clean.warnings == []
