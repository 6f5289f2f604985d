"""Area configuration: the demo areas load, mistakes are named with their fix, taxonomy rules."""
from pathlib import Path

import pytest

from assetmap.config import load_area
from assetmap.errors import ConfigError, DataSourceError
from assetmap.taxonomy import load_taxonomy, parse_rule


def test_demo_areas_load(data_root):
    c = load_area("chesterfield", data_root)
    assert c.lads == ("E07000034",) and c.osm.format == "pbf" and c.osm.coverage == "header"
    assert {s.kind for s in c.sources.values()} == {"boundaries", "deprivation", "population", "postcodes", "curated",
                                                        "neighbourhood_names", "wards"}
    assert c.source("deprivation").url.startswith("https://assets.publishing.service.gov.uk/")
    r = load_area("rutland", data_root)
    assert r.lads == ("E06000017",) and r.osm.coverage == "lads"


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "x.toml"
    p.write_text(body)
    return p


@pytest.mark.parametrize("body, message", [
    ('[area]\nname="X"\nlads=["E0700003"]\n[osm]\nfile="a.pbf"\n', "not an English local authority district code"),
    ('[area]\nname="X"\nlads=[]\n[osm]\nfile="a.pbf"\n', "lads is empty"),
    ('[area]\nname="X"\nlads=["E07000034"]\n', r"missing \[osm\] file"),
    ('[area\n', "not valid TOML"),
    ('[area]\nlads=["E07000034"]\n[osm]\nfile="a.pbf"\ncoverage="everywhere"\n', "coverage"),
    ('[area]\nlads=["E07000034"]\n[osm]\nfile="a.pbf"\n[sources.x]\nkind="curated"\nfile="x.csv"\nfields={name="n", postcode="p"}\n',
     "needs 'category'"),
    ('[area]\nlads=["E07000034"]\n[osm]\nfile="a.pbf"\n[sources.x]\nkind="curated"\nfile="x.csv"\ncategory="library"\nfields={name="n"}\n',
     "neither coordinates"),
    ('[area]\nlads=["E07000034"]\n[osm]\nfile="a.pbf"\n[sources.x]\nkind="magic"\nfile="x.csv"\n', "kind = 'magic'"),
    ('[area]\nlads=["E07000034"]\n[osm]\nfile="a.pbf"\n[sources.imd2025]\nenabled=false\n', "no enabled source of kind 'deprivation'"),
])
def test_config_errors_name_the_fix(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message):
        load_area(_write(tmp_path, body))


def test_unknown_area_lists_known():
    with pytest.raises(ConfigError, match="known areas: .*chesterfield"):
        load_area("atlantis")


def test_missing_file_says_how_to_get_it(tmp_path):
    from assetmap.build import build_area

    cfg = load_area("chesterfield", tmp_path)  # an empty data root
    with pytest.raises(DataSourceError, match="assetmap fetch"):
        build_area(cfg, tmp_path / "out", echo=lambda m: None)
    assert not (tmp_path / "out").exists()


def test_taxonomy_rules():
    t = load_taxonomy()
    assert t.classify({"amenity": "community_centre", "community_centre": "youth_centre"})[0] == "youth_centre"
    assert t.classify({"amenity": "social_facility", "social_facility": "food_bank"})[0] == "food_bank"
    assert t.classify({"amenity": "doctors"}) == ["gp"]
    assert t.classify({"leisure": "fitness_centre", "access": "private"}) == []
    assert t.classify({"leisure": "fitness_centre"}) == ["sports_centre"]
    assert t.classify({"shop": "bakery"}) == []
    assert t.resolve("Lunch Club") == "lunch_club" and t.resolve("Time bank") == "timebank"
    assert t.can_merge("warm_space", ["place_of_worship"]) and not t.can_merge("library", ["gp"])
    assert {"community_spaces", "social_support", "health", "food", "green_active", "faith", "learning",
            "culture"} == set(t.families)


def test_bad_rule():
    with pytest.raises(ConfigError, match="key=value"):
        parse_rule("amenity", "t")


@pytest.mark.parametrize("toml, message", [
    ("[gaps]\ndecay = \"gaussian\"\n", "use \"step\" or \"logistic\""),
    ("[gaps]\nthreshold = 15\n", "unknown setting"),
    ("[gaps]\nthreshold_min = -5\n", "positive number"),
    ("[gaps]\ndouble_disadvantage_share = 2\n", "share between 0 and 1"),
    ("[gaps]\nsteps = [10, 1]\n", "steps must be"),
    ("[gaps]\nneed_weights = { wealth = 1 }\n", "unknown domain"),
    ("[gaps]\nneed_weights = { income = 0, employment = 0, education = 0, health = 0, crime = 0, environment = 0 }\n",
     "at least one domain"),
    ("[walking]\nspeed_kmh = 0\n", "positive number"),
    ("[walking]\npace = 5\n", "unknown setting"),
])
def test_walking_and_gap_settings_are_checked(tmp_path, toml, message):
    from synthetic import write_area

    cfg = write_area(tmp_path, evil=False, extra_toml=toml)
    with pytest.raises(ConfigError, match=message):
        load_area(cfg)


def test_gap_settings_are_read_and_echoed(tmp_path):
    from synthetic import write_area

    cfg = load_area(write_area(tmp_path, evil=False, extra_toml="[gaps]\nthreshold_min = 20\nsteps = [[15, 1], [30, 0.5]]\n"
                                                                  "need_weights = { income = 1 }\n"))
    assert cfg.gaps.threshold_min == 20 and cfg.gaps.steps == ((15.0, 1.0), (30.0, 0.5))
    assert cfg.gaps.need_weights["income"] == 1.0 and cfg.gaps.need_weights["health"] == 0.0
    assert cfg.gaps.as_dict()["steps"] == [[15.0, 1.0], [30.0, 0.5]]
