"""The gazetteer of place and street names: normalised names, same-named streets told apart,
nearest postcodes, and search (exact, prefix, fuzzy)."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from assetmap.ingest.places import PlaceIndex, build_gazetteer, normalise_name


def test_names_are_normalised_for_matching():
    assert normalise_name("St. John's Rd") == "st johns road"
    assert normalise_name("  Church   St ") == "church street"
    assert normalise_name("Mill Lane & Cres") == "mill lane and crescent"


def _bng_to_wgs(geoms):
    return gpd.GeoSeries(geoms, crs="EPSG:27700").to_crs("EPSG:4326")


def test_gazetteer_splits_distant_same_named_streets_and_labels_them_by_place():
    x0, y0 = 438000, 371000
    streets = gpd.GeoDataFrame({
        "osm_id": [1, 2, 3, 4], "highway": ["residential"] * 4,
        "name": ["Church Street", "Church Street", "Church Street", None],
        "geometry": _bng_to_wgs([LineString([(x0, y0), (x0 + 100, y0)]), LineString([(x0 + 100, y0), (x0 + 200, y0)]),
                                 LineString([(x0 + 5000, y0), (x0 + 5100, y0)]), LineString([(x0, y0 + 50), (x0, y0 + 90)])]),
    }, crs="EPSG:4326")
    places = gpd.GeoDataFrame({"osm_id": [10, 11], "place": ["village", "suburb"], "name": ["Eastwick", "Westwick"],
                               "geometry": _bng_to_wgs([Point(x0 + 5200, y0 + 300), Point(x0 - 200, y0)])}, crs="EPSG:4326")
    pcs = pd.DataFrame({"postcode": ["S40 1AA", "S41 2BB", "S99 9ZZ"], "x": [x0 + 150, x0 + 5050, x0 + 90],
                        "y": [y0 + 20, y0 + 10, y0], "lsoa21_code": ["E01", "E02", None]})
    gaz = build_gazetteer(places, streets, pcs, box(x0 - 1000, y0 - 1000, x0 + 6000, y0 + 1000))
    st = gaz[gaz["kind"] == "street"].set_index("label")
    assert sorted(st.index) == ["Church Street, Eastwick", "Church Street, Westwick"]
    # the nearest postcode in a neighbourhood (S99 9ZZ is closer but outside every LSOA)
    assert st.loc["Church Street, Westwick", "postcode"] == "S40 1AA"
    assert st.loc["Church Street, Eastwick", "postcode"] == "S41 2BB"
    index = PlaceIndex(gaz, "town")
    assert [e["label"] for e in index.find("church st")] == ["Church Street, Eastwick", "Church Street, Westwick"]
    assert index.find("eastw")[0]["label"] == "Eastwick"  # prefix
    assert index.find("Eastwik")[0]["label"] == "Eastwick"  # fuzzy
    assert index.find("zz") == [] and index.find("Nowhere at all") == []
