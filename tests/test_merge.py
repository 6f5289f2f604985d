import geopandas as gpd
import pytest

from assetmap.merge import merge_assets, name_similarity
from assetmap.taxonomy import load_taxonomy

TX = load_taxonomy()


@pytest.mark.parametrize("a, b, lo, hi", [
    ("Chesterfield Library", "Chesterfield Library", 0.99, 1.0),
    ("Chesterfield", "Chesterfield Library", 0.9, 1.0),
    ("St. John's Church", "St Johns Church", 0.9, 1.0),
    ("The Brimington Surgery", "Brimington Surgery", 0.9, 1.0),
    ("Newbold Library", "Brimington Library", 0.0, 0.6),
    ("Holy Trinity Church", "Hasland Methodist Church", 0.0, 0.55),
    (None, "X", 0.0, 0.0),
])
def test_name_similarity(a, b, lo, hi):
    assert lo <= name_similarity(a, b) <= hi


def _osm(rows):
    return gpd.GeoDataFrame(
        [{"osm_type": "node", "osm_id": i, "name": n, "category": c, "categories": c, "tags": {"name": n, **t}}
         for i, (n, c, t, _) in enumerate(rows, 1)],
        geometry=gpd.points_from_xy([r[3][0] for r in rows], [r[3][1] for r in rows]), crs=27700)


def _cur(rows):
    import pandas as pd
    df = pd.DataFrame([{"source_id": sid, "name": n, "category": c, "address": addr, "postcode": None, "website": None,
                        "phone": None, "email": None, "opening_hours": None, "description": None}
                       for sid, n, c, addr, _ in rows])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy([r[4][0] for r in rows], [r[4][1] for r in rows]), crs=27700)


def test_merge_rules():
    osm = _osm([("Town Library", "library", {"addr:street": "Osm Street"}, (0, 0)),
                ("St Mary's Church", "place_of_worship", {}, (1000, 0)),
                ("Health Centre", "gp", {}, (5000, 0))])
    libs = _cur([("L1", "Town Library", "library", "1 Official Road", (40, 30)),      # same place: 50 m
                 ("L2", "Town Library", "library", "far", (900, 900))])              # same name, too far
    warm = _cur([("W1", "Warm Space at St Marys Church", "warm_space", None, (1010, 5)),  # hosted in the church
                 ("W2", "Town Library", "warm_space", None, (5, 5))])
    gps = _cur([("G1", "Town Library", "gp", None, (1, 1))])  # incompatible category: never merged
    assets, rep = merge_assets(osm, {"libraries": (libs, True), "warm": (warm, False), "gps": (gps, False)}, TX, 150)
    by = assets.set_index("asset_id")
    lib = by.loc["osm-node-1"]
    assert lib.sources == ["osm:node/1", "libraries:L1", "warm:W2"]
    assert lib.categories == ["library", "warm_space"] and lib.category == "library"
    assert lib.address == "1 Official Road" and lib.provenance["address"] == "libraries:L1"
    church = by.loc["osm-node-2"]
    assert church.categories == ["place_of_worship", "warm_space"]
    assert rep["by_source"]["libraries"] == {"records": 2, "matched_osm": 1, "matched_curated": 0, "new": 1}
    assert rep["by_source"]["gps"]["new"] == 1
    assert rep["matched"] == 2 and rep["osm_only"] == 1 and rep["curated_only"] == 2


def test_clean_contact():
    from assetmap.merge import clean_contact
    assert clean_contact("website", "gracechapeluk.org") == "https://gracechapeluk.org"
    assert clean_contact("website", "http://x.org/a") == "http://x.org/a"
    assert clean_contact("website", "javascript:alert(1)") is None
    assert clean_contact("website", "call us") is None
    assert clean_contact("email", "mailto:a@b.org") == "a@b.org"
    assert clean_contact("name", float("nan")) is None


def test_csv_formula_guard(tmp_path):
    import pandas as pd
    from assetmap.outputs import write_csv
    g = gpd.GeoDataFrame({"name": ["=HYPERLINK(\"http://x\")", "Plain"], "categories": [["a"], ["b"]]},
                         geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=4326)
    write_csv(g, tmp_path / "x.csv", points=True)
    back = pd.read_csv(tmp_path / "x.csv")
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "Plain"]
