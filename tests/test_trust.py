"""Trust (assetmap.trust): freshness policies against the build's reference date, shown and enforced
on the real Chesterfield build (its warm spaces list was checked on 2024-10-23)."""
from __future__ import annotations

import datetime as dt
from datetime import datetime

import pytest

from assetmap.serving.hours import LOCAL
from assetmap.serving.search import Filters, apply_filters, rank_by_trust
from assetmap.settings import TrustSettings
from assetmap.taxonomy import load_taxonomy
from assetmap.trust.freshness import Policy, freshness, parse_check_date, policies
from assetmap.trust.stage import reference_date
from curate_support import login, page
from page_support import text, visible_text

TODAY = dt.date(2026, 12, 3)


def test_every_category_has_a_policy_and_warm_spaces_expire_with_their_season():
    tx = load_taxonomy()
    pol = policies(tx.trust, tx.categories)
    assert set(pol) == set(tx.categories)
    assert pol["warm_space"].season_end == (3, 31) and pol["gp"].months == 12
    # the 2024-10-23 list: its winter ended on 31 March 2025
    f = freshness("2024-10-23", pol["warm_space"], TODAY)
    assert f.stale and f.season_over and f.fresh_until == dt.date(2025, 3, 31)
    assert "season ended on 2025-03-31" in f.reason
    # a list checked in August 2026 is for the coming winter
    f = freshness("2026-08-17", pol["warm_space"], TODAY)
    assert not f.stale and f.fresh_until == dt.date(2027, 3, 31)
    # a GP practice from the April 2025 ODS file is over a year old; a partial date counts from its start
    assert freshness("2025-04-23", pol["gp"], TODAY).stale
    assert not freshness("2026-01", pol["gp"], TODAY).stale
    assert parse_check_date("2022") == dt.date(2022, 1, 1)
    assert freshness(None, Policy(), TODAY).reason.startswith("never checked")


def test_reference_date_is_configurable_and_defaults_to_today():
    assert reference_date(TrustSettings(reference_date="2025-01-15")) == dt.date(2025, 1, 15)
    assert reference_date(TrustSettings()) == dt.date.today()
    from assetmap.errors import ConfigError
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        TrustSettings.from_dict({"reference_date": "last winter"}, "area.toml")


def test_chesterfield_records_past_their_policy(chesterfield_2024):
    _, report = chesterfield_2024
    fr = report["trust"]["freshness"]
    assert fr["reference_date"] == dt.date.today().isoformat()
    # the OSM extract is from 2018 and the warm spaces from October 2024: nearly everything is past its policy
    assert fr["not_recently_checked"] >= 0.9 * report["assets"]["total"]
    assert fr["not_recently_checked_by_category"]["warm_space"] == report["assets"]["by_category"]["warm_space"]
    assert fr["season_over"] >= report["assets"]["by_category"]["warm_space"]


def _page_named(app, name):
    view = app.extensions["assetmap"].area("chesterfield")
    return next(p for p in view.asset_pages.values() if p["name"] == name)


def test_an_expired_warm_space_is_never_open_now_and_is_marked(client_2024, app_2024):
    client, app = client_2024, app_2024
    # Tupton Village Hall, a 2024 warm space: "We 10:00-12:00; Th 13:30-16:00"
    hall = _page_named(app, "Tupton Village Hall")
    assert hall["trust"]["stale"] and hall["trust"]["season_over"]
    wednesday_11 = datetime(2026, 12, 2, 11, 0, tzinfo=LOCAL)
    result = {"asset_id": hall["asset_id"], "walk_m": 100}
    pages = {hall["asset_id"]: hall}
    assert apply_filters([result], pages, Filters(open="now"), 10, wednesday_11)[0] == []
    assert apply_filters([result], pages, Filters(open="wednesday"), 10, wednesday_11)[0] == []
    # a church that hosted a warm space: its hours came from the expired list
    church = _page_named(app, "Chesterfield Baptist Church")
    assert church["trust"]["season_over"]
    body = visible_text(text(client.get(f"/area/chesterfield/asset/{hall['asset_id']}")))
    assert "Not recently checked: listed for a season that has ended" in body
    assert "Open now" not in body and "Source: Warm spaces" in body


def test_not_recently_checked_falls_down_the_lookup():
    near_stale = {"asset_id": "a", "walk_m": 300, "trust": {"stale": True}}
    far_fresh = {"asset_id": "b", "walk_m": 700, "trust": {"stale": False}}
    very_far_fresh = {"asset_id": "c", "walk_m": 1500, "trust": {}}
    assert [r["asset_id"] for r in rank_by_trust([near_stale, far_fresh, very_far_fresh])] == ["b", "a", "c"]


def test_lookup_results_show_age_and_source(client_2024):
    body = visible_text(text(client_2024.get("/lookup?postcode=S40+1LP")))
    assert "Source: OpenStreetMap" in body and "years ago" in body
    assert "Not recently checked" in body


def test_curators_see_the_built_records_to_check(curate_client):
    login(curate_client, "mo")
    html = page(curate_client.get("/curate/review/built"))
    body = visible_text(html)
    assert "Built records to check" in body and "not recently checked" in body
    # the Chesterfield build reads the August 2026 warm spaces: what is past its policy is OpenStreetMap's 2018 data
    assert "last checked 2018-05-21" in body


def test_accessibility_facts_from_osm_and_curated_lists(chesterfield, client, app):
    import geopandas as gpd
    from shapely.geometry import Point

    from assetmap.merging.merge import merge_assets, osm_assets

    tags = {"name": "Hall", "amenity": "community_centre", "wheelchair": "designated", "toilets:wheelchair": "yes",
            "hearing_loop": "yes", "wheelchair:description": "Ramp at the side door"}
    osm = gpd.GeoDataFrame({"osm_type": ["node"], "osm_id": [1], "name": ["Hall"], "category": ["community_centre"],
                            "categories": ["community_centre"], "tags": [tags]}, geometry=[Point(0, 0)], crs=27700)
    row = osm_assets(osm)[0]
    assert (row["wheelchair"], row["toilets_wheelchair"], row["hearing_loop"]) == ("yes", "yes", "yes")
    assert row["wheelchair_description"] == "Ramp at the side door"
    cur = gpd.GeoDataFrame({"source": ["council"], "source_id": ["1"], "category": ["library"], "name": ["Library"],
                            "hearing_loop": ["no"], "toilets_wheelchair": ["limited"]},
                           geometry=[Point(5000, 5000)], crs=27700)
    assets, _ = merge_assets(osm.iloc[:0], {"council": (cur, False)}, load_taxonomy())
    assert (assets.iloc[0]["hearing_loop"], assets.iloc[0]["toilets_wheelchair"]) == ("no", "limited")
    # the real extract: toilets:wheelchair on two features reaches the built assets and the place page
    out, _ = chesterfield
    built = gpd.read_parquet(out / "assets.parquet")
    with_toilets = built[built["toilets_wheelchair"].notna()]
    assert len(with_toilets) >= 1
    body = visible_text(text(client.get(f"/area/chesterfield/asset/{with_toilets.iloc[0]['asset_id']}")))
    assert "Accessible toilet" in body


def test_food_banks_show_the_way_in(chesterfield, client):
    _, report = chesterfield
    food = report["trust"]["food"]
    assert food["food_banks"] >= 1 and food["needing_referral"] == food["food_banks"]
    # Give Food has no distribution sessions: said, with the food bank's own page; the warehouse explained
    page = visible_text(text(client.get("/lookup?postcode=S41+9QB&category=food_bank")))
    assert "Chesterfield Foodbank" in page
    assert "How to get food: You need a referral: Give Food's food banks give food to people referred with a " \
           "food bank voucher" in page
    assert "This data has no distribution sessions (where and when food is given out): see the food bank's own " \
           "page, https://chesterfield.foodbank.org.uk" in page
    assert "the organisation's main address (often its warehouse or office)" in page
    assert "Source: Food banks (Give Food)" in page


def test_food_help_uses_a_records_own_sessions_and_access():
    from assetmap.trust.food import way_in

    policy = {"access": "referral", "address": "main"}
    access, words = way_in({"access": "drop_in", "opening_hours": "Tu 10:00-12:00"}, policy, "Pantries")
    assert access == "drop_in" and "You can drop in" in words and "Distribution times: as listed" in words
    access, words = way_in({}, {}, None)
    assert access is None and "no distribution sessions" in words and "contact the food bank" in words
