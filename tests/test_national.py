"""National builds (assetmap.national, assetmap.ingest.extracts): several extracts read as one,
England's ranks, districts as views of a bigger build, and the England config's missing extract.

The slow tests build one two-extract area (Chesterfield's extract plus Rutland's) once per session
and cut Chesterfield from it; the rest use no build, or the session Chesterfield build."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assetmap.config import load_area
from assetmap.errors import BuildError, ConfigError
from assetmap.gap.formulas import need_index
from assetmap.ingest.neighbourhoods import read_deprivation
from assetmap.national.ranks import national_ranks, own_ranks

CHESTERFIELD_PBF = "osm-chesterfield/chesterfield_S403DF_2018-05-21.osm.pbf"
RUTLAND_PBF = "osm-rutland/rutland-latest_2022-07-20.osm.pbf"
IMD_WEIGHTS = {"income": 22.5, "employment": 22.5, "education": 13.5, "health": 13.5, "crime": 9.3,
               "housing": 9.3, "environment": 9.3}
WARM_2026 = "[sources.warm_spaces]\nenabled = false\n\n[sources.warm_spaces_2026]\nenabled = true\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def two_extract_area(d: Path) -> Path:
    return _write(d / "ches-rut.toml", f"""[area]
slug = "ches-rut"
name = "Chesterfield and Rutland"
lads = ["E07000034", "E06000017"]
neighbourhoods = "covered"

[osm]
files = ["{CHESTERFIELD_PBF}", "{RUTLAND_PBF}"]
coverage = ["header", ["E06000017"]]

{WARM_2026}""")


def view_area(d: Path) -> Path:
    return _write(d / "ches-view.toml", """[area]
slug = "ches-view"
name = "Chesterfield (view)"
lads = ["E07000034"]
view_of = "ches-rut"
""")


@pytest.fixture(scope="session")
def multi_root(tmp_path_factory, data_root):
    """A build root with the two-extract area and Chesterfield cut from it: (root, view report)."""
    from assetmap.build import build_area
    from assetmap.national.views import build_view

    d = tmp_path_factory.mktemp("national")
    root = d / "build"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSETMAP_CACHE_DIR", str(d / "cache"))
        build_area(load_area(two_extract_area(d), data_root), root / "ches-rut", echo=lambda m: None)
    report = build_view(load_area(view_area(d), data_root), root / "ches-view", echo=lambda m: None)
    return root, report


# --- configuration -------------------------------------------------------------------------

def test_several_extracts_parse_with_per_file_coverage(tmp_path):
    cfg = load_area(two_extract_area(tmp_path))
    assert cfg.osm.files == (CHESTERFIELD_PBF, RUTLAND_PBF) and cfg.osm.file == CHESTERFIELD_PBF
    assert cfg.osm.coverages == ("header", ("E06000017",))
    with pytest.raises(ConfigError, match="merge them first"):
        cfg.osm.path(cfg.data_root)  # only `assetmap build` (extracts.resolve) makes the merged file
    one = load_area("chesterfield")
    assert one.osm.files == (one.osm.file,) and one.osm.path(one.data_root).name.endswith(".osm.pbf")


def test_coverage_naming_a_district_outside_lads_is_refused(tmp_path):
    text = two_extract_area(tmp_path).read_text().replace('["E06000017"]]', '["E06000016"]]')
    with pytest.raises(ConfigError, match="E06000016"):
        load_area(_write(tmp_path / "bad.toml", text))


def test_england_config_and_view_config_load(tmp_path):
    eng = load_area("england")
    assert eng.neighbourhoods == "england" and eng.lads == ()
    assert eng.osm.file.endswith("england-latest.osm.pbf") and eng.osm.url.endswith("england-latest.osm.pbf")
    view = load_area(view_area(tmp_path))
    assert view.view_of == "ches-rut" and view.lads == ("E07000034",)


def test_build_england_without_the_extract_fails_at_once_naming_file_url_and_place(tmp_path, capsys):
    from assetmap.cli import main

    rc = main(["--data-root", str(tmp_path / "raw"), "build", "england", "--build-root", str(tmp_path / "b"),
               "--no-registry"])
    err = capsys.readouterr().err
    assert rc == 2 and "[1]" not in err  # at once: before the first stage (reading IoD2025) starts
    assert "england-latest.osm.pbf is missing" in err
    assert "https://download.geofabrik.de/europe/united-kingdom/england-latest.osm.pbf" in err
    assert str(tmp_path / "raw" / "osm-england" / "england-latest.osm.pbf") in err
    assert not (tmp_path / "b" / "england").exists()


# --- national ranks --------------------------------------------------------------------------

def test_need_deciles_are_englands_iod_deciles(data_root):
    """need_index over all of England with the IMD's own domain weights reproduces IoD2025's
    national deciles (the need score is the IMD's construction without its barriers domain)."""
    dep = read_deprivation(load_area("chesterfield", data_root).source("deprivation"), data_root, None)
    n = need_index(dep, IMD_WEIGHTS)
    same = n["need_decile"].astype(int).to_numpy() == dep["imd_decile"].astype(int).to_numpy()
    assert len(dep) == 33755 and same.mean() > 0.999
    assert (n["need_decile"].astype(int) - dep["imd_decile"].astype(int)).abs().max() <= 1


def test_own_ranks_order_as_the_gap_scores():
    lsoas = pd.DataFrame({"gap_score": np.linspace(0, 100, 40)[::-1], "priority_score": np.arange(40.0)})
    lsoas["gap_rank"] = lsoas["gap_score"].rank(ascending=False, method="min").astype("Int64")
    lsoas["priority_rank"] = lsoas["priority_score"].rank(ascending=False, method="min").astype("Int64")
    r = own_ranks(lsoas)
    assert (r["gap_rank_england"].to_numpy() == np.arange(1, 41)).all()
    assert r["gap_decile_england"].tolist() == [d for d in range(1, 11) for _ in range(4)]
    assert r["priority_rank_england"].iloc[-1] == 1


def _fake_national(root: Path, codes: list[str], cfg) -> pd.DataFrame:
    """A national build's files as assetmap.national.ranks reads them (codes ranked 1, 2, …)."""
    d = root / "england"
    d.mkdir(parents=True)
    frame = pd.DataFrame({"lsoa21_code": codes, "gap_rank_england": range(1, len(codes) + 1),
                          "gap_decile_england": [1] * len(codes), "priority_rank_england": range(len(codes), 0, -1)})
    frame.to_parquet(d / "neighbourhoods.parquet")
    report = {"gaps": {"settings": cfg.gaps.as_dict()}, "walking": {"speed_kmh": cfg.walking.speed_kmh},
              "area": {"config": "data/areas/england.toml"}}
    (d / "report.json").write_text(json.dumps(report, default=list))
    return frame


def test_rank_against_reads_the_national_build_and_checks_its_settings(tmp_path, chesterfield):
    out, _ = chesterfield
    nb = pd.read_parquet(out / "neighbourhoods.parquet")
    base = load_area("chesterfield")
    cfg = replace(base, gaps=replace(base.gaps, rank_against="england"))
    codes = ["E01000001", *nb["lsoa21_code"][::-1]]
    _fake_national(tmp_path, codes, base)
    report: dict = {}
    got = national_ranks(cfg, tmp_path, nb, report)
    want = {c: i + 1 for i, c in enumerate(codes)}
    assert got["gap_rank_england"].tolist() == [want[c] for c in nb["lsoa21_code"]]
    assert report["national"] == {"ranked_against": "england", "lsoas_ranked": len(codes),
                                  "lsoas_not_in_national_build": 0}
    other = replace(cfg, gaps=replace(cfg.gaps, threshold_min=20))
    with pytest.raises(BuildError, match="threshold_min"):
        national_ranks(other, tmp_path, nb, {})
    with pytest.raises(BuildError, match="no build of wales"):
        national_ranks(replace(cfg, gaps=replace(cfg.gaps, rank_against="wales")), tmp_path, nb, {})


def test_profile_line_against_england():
    from assetmap.serving.profiles import england_line, ordinal

    assert [ordinal(n) for n in (1, 2, 3, 11, 12, 13, 21, 1204)] == ["1st", "2nd", "3rd", "11th", "12th", "13th",
                                                                      "21st", "1,204th"]
    line = england_line({"gap_rank": 3, "gap_rank_england": 1204, "gap_decile_england": 1}, 58,
                        {"lsoas_ranked": 33755})
    assert line.startswith("Gap: 3rd of 58 here, 1,204th of 33,755 in England")
    assert england_line({"gap_rank": 3}, 58, None) is None


# --- a two-extract build and a district cut from it ----------------------------------------

@pytest.mark.slow
def test_view_walks_equal_chesterfield_built_alone(multi_root, chesterfield):
    root, _ = multi_root
    alone, view = chesterfield[0], root / "ches-view"
    a = pd.read_parquet(alone / "access.parquet").dropna(subset=["postcode"]).set_index("postcode")
    v = pd.read_parquet(view / "access.parquet").dropna(subset=["postcode"]).set_index("postcode")
    common = a.index.intersection(v.index)
    assert len(common) > 3000 and len(common) == len(v)
    cols = [c for c in a.columns if c.startswith("walk_") and c.endswith("_m")]
    assert len(cols) > 20
    pd.testing.assert_frame_equal(a.loc[common, cols], v.loc[common, cols])
    na = pd.read_parquet(alone / "neighbourhoods.parquet").set_index("lsoa21_code")
    nv = pd.read_parquet(view / "neighbourhoods.parquet").set_index("lsoa21_code")
    assert len(nv) == 54 and nv.index.isin(na.index).all()
    lsoa_cols = [c for c in nv.columns if c.startswith("walk_") and c.endswith(("_m", "_min"))]
    pd.testing.assert_frame_equal(na.loc[nv.index, lsoa_cols], nv[lsoa_cols])
    la = pd.read_parquet(alone / "lookup.parquet")
    lv = pd.read_parquet(view / "lookup.parquet")
    la = la[la["postcode"].isin(set(common))].sort_values(["postcode", "walk_m", "asset_id"]).reset_index(drop=True)
    lv = lv.sort_values(["postcode", "walk_m", "asset_id"]).reset_index(drop=True)
    pd.testing.assert_series_equal(la["walk_m"], lv["walk_m"])
    # the view's lookup is served memory-mapped like any build's: its arrays index its own files
    from assetmap.walk.lookup_arrays import load_arrays

    ids = pd.read_parquet(view / "assets.parquet", columns=["asset_id"])["asset_id"].tolist()
    assert load_arrays(view, ids) is not None


@pytest.mark.slow
def test_two_extract_build_is_national_on_need_and_view_ranks_its_slice(multi_root, data_root):
    root, report = multi_root
    big = pd.read_parquet(root / "ches-rut" / "neighbourhoods.parquet")
    assert set(big["lad_code"]) >= {"E07000034", "E06000017"}  # both extracts' districts
    dep = read_deprivation(load_area("chesterfield", data_root).source("deprivation"), data_root, None)
    england = need_index(dep, load_area("chesterfield").gaps.need_weights).set_index(dep["lsoa21_code"].to_numpy())
    assert (big["need_decile_england"].to_numpy() == england.loc[big["lsoa21_code"], "need_decile"].to_numpy()).all()
    view = pd.read_parquet(root / "ches-view" / "neighbourhoods.parquet")
    assert (view["gap_rank"] == view["gap_score"].rank(ascending=False, method="min")).all()
    assert (view["priority_rank"] == view["priority_score"].rank(ascending=False, method="min")).all()
    kept = big.set_index("lsoa21_code").loc[view["lsoa21_code"]]
    assert (kept["priority_score"].to_numpy() == view["priority_score"].to_numpy()).all()  # national: kept
    assert view["gap_rank"].max() <= len(view) < len(big)
    assert report["view"]["of"] == "ches-rut" and report["neighbourhoods"]["lsoas"] == len(view)
    assert (root / "ches-view" / "network.npz").stat().st_ino == (root / "ches-rut" / "network.npz").stat().st_ino


def test_national_columns_are_described_and_a_national_build_ranks_itself(tmp_path):
    from assetmap.national.ranks import NATIONAL_COLUMNS
    from assetmap.outputs.dictionary import describe

    for col in NATIONAL_COLUMNS:
        assert "England" in describe(col, "neighbourhoods")["meaning"]
    lsoas = pd.DataFrame({"lsoa21_code": ["E01000001", "E01000002"], "gap_score": [10.0, 90.0],
                          "gap_rank": [2, 1], "priority_score": [5.0, 1.0], "priority_rank": [1, 2]})
    report: dict = {}
    got = national_ranks(load_area("england"), tmp_path, lsoas, report)  # no build of England needed
    assert got["gap_rank_england"].tolist() == [2, 1] and got["gap_decile_england"].tolist() == [6, 1]  # equal-count deciles of two
    assert report["national"] == {"ranked_against": "england", "lsoas_ranked": 2}
    assert national_ranks(load_area("chesterfield"), tmp_path, lsoas, {}) is lsoas  # no national ranks asked for


def test_several_extracts_are_each_a_download_and_a_view_has_none(tmp_path):
    from assetmap.ingest.fetch import downloads_for

    names = [d.name for d in downloads_for(load_area(two_extract_area(tmp_path)))]
    assert names[:2] == ["openstreetmap", "openstreetmap-2"] and "openstreetmap-3" not in names
    assert not [d for d in downloads_for(load_area(view_area(tmp_path))) if d.name.startswith("openstreetmap")]


def test_refreshing_a_view_says_to_refresh_the_bigger_build(tmp_path, capsys):
    from assetmap.cli import main

    assert main(["refresh", str(view_area(tmp_path)), "--build-root", str(tmp_path)]) == 2
    assert "assetmap refresh ches-rut" in capsys.readouterr().err


@pytest.mark.slow
def test_england_selects_every_english_lsoa_with_iod_and_population(data_root):
    from assetmap.ingest.neighbourhoods import select_neighbourhoods

    cfg = load_area("england", data_root)
    nb = select_neighbourhoods(cfg, None, read_deprivation(cfg.source("deprivation"), data_root, None))
    assert len(nb.frame) == 33755 and nb.frame["lad_code"].nunique() == 296
    assert nb.frame["lsoa21_code"].str.startswith("E01").all()
    assert nb.report["with_deprivation"] == 33755 and nb.report["with_population"] == 33755


def test_one_extract_cannot_cover_a_list_of_districts(tmp_path):
    text = (load_area("rutland").config_path.read_text(encoding="utf-8")
            .replace('coverage = "lads"', 'coverage = ["E06000017"]'))
    with pytest.raises(ConfigError, match="a list of districts is for several extracts"):
        load_area(_write(tmp_path / "r.toml", text))


def test_updating_a_view_says_to_update_the_bigger_build(tmp_path, capsys):
    from assetmap.cli import main

    assert main(["update", str(view_area(tmp_path)), "--build-root", str(tmp_path), "--changes", "x.osc"]) == 2
    assert "assetmap update ches-rut" in capsys.readouterr().err
