"""Merging OpenStreetMap and curated lists: name similarity, match rules, contacts, the CSV guard."""
import geopandas as gpd
import pytest

from assetmap.merging.merge import merge_assets, name_similarity
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
    assert rep["by_source"]["libraries"] == {"records": 2, "matched_osm": 1, "matched_curated": 0, "new": 1, "review": 0}
    assert rep["by_source"]["gps"]["new"] == 1
    assert rep["matched"] == 2 and rep["osm_only"] == 1 and rep["curated_only"] == 2


def test_clean_contact():
    from assetmap.merging.merge import clean_contact
    assert clean_contact("website", "gracechapeluk.org") == "https://gracechapeluk.org"
    assert clean_contact("website", "http://x.org/a") == "http://x.org/a"
    assert clean_contact("website", "javascript:alert(1)") is None
    assert clean_contact("website", "call us") is None
    assert clean_contact("email", "mailto:a@b.org") == "a@b.org"
    assert clean_contact("name", float("nan")) is None


def test_csv_formula_guard(tmp_path):
    import pandas as pd

    from assetmap.outputs.write import write_csv
    g = gpd.GeoDataFrame({"name": ["=HYPERLINK(\"http://x\")", "Plain"], "categories": [["a"], ["b"]]},
                         geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=4326)
    write_csv(g, tmp_path / "x.csv", points=True)
    back = pd.read_csv(tmp_path / "x.csv")
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "Plain"]


# --- the measured matcher: tiny synthetic fixtures for the hard cases -------------------------

def _gp(rows):
    import pandas as pd
    df = pd.DataFrame([{"source_id": sid, "name": n, "category": c, "address": addr, "postcode": pc,
                        "website": None, "phone": None, "email": None, "opening_hours": None, "description": None,
                        "located_by": "postcode"} for sid, n, c, addr, pc, _ in rows])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy([r[5][0] for r in rows], [r[5][1] for r in rows]), crs=27700)


def _pairs(assets):
    from assetmap.merging.merge_eval import predicted_pairs
    return {(s, c, o) for s, c, o in predicted_pairs(assets)}


def test_shared_health_centre_is_not_given_to_one_practice_blindly():
    # one OSM doctors feature named after the building; two practices list the building as their address
    osm = _osm([("Burmantofts Health Centre", "gp", {"amenity": "doctors"}, (0, 0))])
    gps = _gp([("A1", "Lincoln Green Medical Centre", "gp", "Burmantofts Health Centre, Cromwell Mount", "LS9 7TA", (20, 10)),
               ("A2", "Shakespeare Medical Practice", "gp", "Burmantofts Health Centre, Cromwell Mount", "LS9 7TA", (20, 10))])
    assets, rep = merge_assets(osm, {"gp_practices": (gps, True)}, TX)
    assert not _pairs(assets)  # neither practice swallows the building, nor each other
    assert len(assets) == 3 and rep["flagged_for_review"] == 2
    assert set(rep["review"]["curated_id"]) == {"A1", "A2"}
    assert set(rep["review"]["reason"]) == {"shared place: several records of this list match it"}


def test_unnamed_doctors_between_two_practices_goes_to_review():
    osm = _osm([(None, "gp", {"amenity": "doctors"}, (0, 0))])
    gps = _gp([("B1", "The Brimington Surgery", "gp", "Church Street", "S43 1JG", (30, 0)),
               ("B2", "Calow And Brimington Practice", "gp", "Foljambe Road", "S43 1DD", (0, 50))])
    assets, rep = merge_assets(osm, {"gp_practices": (gps, True)}, TX)
    assert not _pairs(assets) and rep["flagged_for_review"] == 2


def test_unnamed_library_alone_is_taken():
    osm = _osm([(None, "library", {"amenity": "library"}, (0, 0))])
    libs = _gp([("L1", "Wingerworth Library", "library", "Parish Rooms, New Road", "S42 6TB", (60, 40))])
    assets, _ = merge_assets(osm, {"libraries": (libs, True)}, TX)
    assert _pairs(assets) == {("libraries", "L1", "node/1")}


def test_library_180_m_from_its_osm_node_merges():
    osm = _osm([("Newbold Library", "library", {"amenity": "library"}, (0, 0))])
    libs = _gp([("N", "Newbold Library", "library", "Windermere Road, Chesterfield", "S41 8DU", (180, 0))])
    assets, rep = merge_assets(osm, {"libraries": (libs, True)}, TX)
    assert _pairs(assets) == {("libraries", "N", "node/1")} and len(assets) == 1
    a = assets.iloc[0]
    assert (a.src_location, a.src_name) == ("osm", "libraries")


def test_just_outside_the_radius_is_no_match():
    from assetmap.config import MergeSettings
    osm = _osm([("Newbold Library", "library", {"amenity": "library"}, (0, 0))])
    libs = _gp([("N", "Newbold Library", "library", None, None, (251, 0))])
    assets, rep = merge_assets(osm, {"libraries": (libs, True)}, TX, MergeSettings(radius_m=250))
    assert not _pairs(assets) and len(assets) == 2 and rep["flagged_for_review"] == 0


@pytest.mark.parametrize("cur, osm_name, cat", [
    ("Hasland Methodist Church", "Hasland Baptist Church", "place_of_worship"),
    ("Holme Hall Edge Centre", "Holme Hall Primary School", "school"),
    ("Chesterfield Community Roast", "Whittington Moor Surgery", "gp"),
    ("Brimington Library", "Brimington Surgery", "gp"),
])
def test_similar_names_of_different_places_are_not_merged(cur, osm_name, cat):
    osm = _osm([(osm_name, cat, {}, (0, 0))])
    warm = _gp([("W", cur, "warm_space", None, None, (30, 0))])
    assets, _ = merge_assets(osm, {"warm_spaces": (warm, False)}, TX)
    assert not _pairs(assets)


def test_hosted_service_joins_its_venue_and_osm_duplicates_fold():
    osm = _osm([("Holy Trinity Church", "place_of_worship", {"amenity": "place_of_worship"}, (0, 0)),
                ("Chesterfield Muslim Association", "place_of_worship", {}, (50, 40)),
                ("Oakham Medical Practice", "gp", {"check_date": "2021-03-02"}, (1000, 0)),
                ("Oakham Medical Practice", "gp", {}, (1005, 3))])
    warm = _gp([("T1", "Tea and Toast Tuesdays", "warm_space", "Holy Trinity Church, Derbyshire S41 7PG", "S41 7PG", (48, 40)),
                ("T2", "Holy Trinity Church, Chesterfield", "warm_space", None, None, (10, 10))])
    gps = _gp([("C82010", "Oakham Medical Practice", "gp", "Cold Overton Road, Oakham", "LE15 6NT", (1100, 80))])
    assets, rep = merge_assets(osm, {"gp_practices": (gps, True), "warm_spaces": (warm, False)}, TX,
                               dates={"gp_practices": "2025-04-23", "warm_spaces": "2024-10-23"}, osm_date="2018-05-21")
    assert _pairs(assets) == {("warm_spaces", "T1", "node/1"), ("warm_spaces", "T2", "node/1"),
                              ("gp_practices", "C82010", "node/3"), ("gp_practices", "C82010", "node/4")}
    assert len(assets) == 3  # church, mosque, one practice (the second OSM node folded in)
    gp = assets[assets["category"] == "gp"].iloc[0]
    assert sorted(gp.sources) == ["gp_practices:C82010", "osm:node/3", "osm:node/4"]
    assert gp.last_verified == "2025-04-23" and gp.src_name == "gp_practices"
    church = assets.set_index("asset_id").loc["osm-node-1"]
    assert church.last_verified == "2024-10-23" and church.src_location == "osm"
    assert assets.set_index("asset_id").loc["osm-node-2"].last_verified == "2018-05-21"


def test_name_model_weights_and_variants():
    from assetmap.merging.matching import NameModel, curated_names, localities, tokens
    assert tokens("Chatsworth Road Med.ctr.") == ["chatsworth", "road", "medical", "centre"]
    assert tokens("The Grange Family H/ctr") == ["grange", "family", "health", "centre"]
    m = NameModel(frozenset({"hasland"}))
    assert m.similarity("St Peter", "St. Peters Church, Calow") >= 0.8
    assert m.similarity("Church of the Annuciation", "Church of the Annunciation") >= 0.95
    assert "Ashgate Manor" in curated_names("Royal Primary Care", "Med Ptnrship, Ashgate Manor, Ashgate Rd, Chesterfield", m)
    assert curated_names("CDC Cosy Hub", "CDC Cosy Hub, Chesterfield, Derbyshire S40 2SW", m) == ["CDC Cosy Hub"]
    assert "stamford" in localities("39 Broad Street, Stamford, Lincolnshire PE9 1PX")


def test_merge_settings_from_config():
    from assetmap.config import MergeSettings
    from assetmap.errors import ConfigError
    assert MergeSettings.from_dict({"radius_m": 300}, "x").radius_m == 300
    assert MergeSettings.from_dict({}, "x", radius_m=150).radius_m == 150  # legacy [options] match_radius_m
    with pytest.raises(ConfigError, match="unknown setting"):
        MergeSettings.from_dict({"radius": 3}, "x")
    with pytest.raises(ConfigError, match="review_score must be the lower"):
        MergeSettings.from_dict({"review_score": 0.9, "merge_score": 0.7}, "x")
