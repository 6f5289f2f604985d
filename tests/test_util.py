"""The library's shared helpers (assetmap.util, assetmap.constants): one rule each, used everywhere."""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest

from assetmap import constants, util
from assetmap.registry.export import safe_csv_cell


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-1.42", "'-1.42"), ("+441246345678", "'+441246345678"),
    ("Hall", "Hall"), ("a=b", "a=b"), (" =1", " =1"), ("", ""), (None, None), (53.2, 53.2), (-3, -3),
])
def test_csv_cell_prefixes_every_text_a_spreadsheet_would_evaluate(value, shown):
    assert util.csv_cell(value) == shown


def test_every_csv_writer_uses_the_one_rule(tmp_path):
    """The registry export and the build's downloads neutralise the same cells the same way."""
    import geopandas as gpd

    from assetmap.outputs.write import write_csv

    cells = ['=HYPERLINK("x")', "-1.42", "+44 1246", "@a", "plain"]
    for c in cells:
        assert safe_csv_cell(c) == util.csv_cell(c)
    gdf = gpd.GeoDataFrame({"name": cells}, geometry=gpd.points_from_xy([450000] * 5, [370000] * 5),
                           crs=constants.BNG)
    write_csv(gdf, tmp_path / "a.csv", points=True)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text())))
    assert [r["name"] for r in rows] == [util.csv_cell(c) for c in cells]


def test_present_and_to_int():
    for missing in (None, float("nan"), pd.NA, np.nan, "", "  "):
        assert util.present(missing) is None and util.to_int(missing) is None
    assert util.to_int(3.0) == 3 and util.to_int(np.int64(7)) == 7 and util.to_int("12") == 12
    assert util.present("x") == "x" and util.present(0) == 0


def test_weighted_mean_skips_missing_pairs():
    assert util.weighted_mean([1.0, 3.0, np.nan], [1, 3, 5]) == 2.5
    assert util.weighted_mean([1.0, 2.0], [np.nan, 0.0]) is None
    assert util.weighted_mean([], []) is None
    assert math.isclose(util.weighted_mean([10, 20], [0, 2]), 20.0)


def test_one_home_for_the_crs_and_domains():
    from assetmap import explorer
    from assetmap.ingest import neighbourhoods
    from assetmap.settings import NEED_WEIGHTS

    assert constants.BNG == "EPSG:27700" and constants.WGS84 == "EPSG:4326"
    assert neighbourhoods.BNG is constants.BNG
    assert explorer.DOMAINS == constants.IOD_DOMAINS
    assert tuple(NEED_WEIGHTS) == constants.IOD_DOMAINS
    assert tuple(k for k, _ in constants.IOD_MEASURES) == ("imd", *constants.IOD_DOMAINS)
