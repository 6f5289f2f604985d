"""Scenarios (a place opens or closes) and greedy siting, on the real Chesterfield build."""
from __future__ import annotations

import numpy as np
import pytest

from assetmap.gap.scenarios import Change, ScenarioError, ScenarioModel, UnknownAssetError
from assetmap.gap.siting import greedy, site


@pytest.fixture(scope="module")
def model(chesterfield):
    return ScenarioModel(chesterfield[0])


def test_greedy_siting_by_hand():
    # three origins (weights 1, 2, 1), all 30 minutes from the nearest place now (z = 15: shortfall 1 each)
    now = np.array([30.0, 30.0, 30.0])
    cand = np.array([[10.0, 40.0, 40.0],   # A: helps origin 0 fully      -> gain 1
                     [40.0, 15.0, 22.5],   # B: origin 1 fully (2), origin 2 half (0.5) -> gain 2.5
                     [40.0, 40.0, 12.0]])  # C: origin 2 fully            -> gain 1
    order, gains = greedy(np.array([1.0, 2.0, 1.0]), now, cand, 15.0, 3)
    assert order[0] == 1 and gains[0] == pytest.approx(2.5)
    # after B, origin 2 has shortfall 0.5 left: A gains 1, C gains 0.5
    assert order[1] == 0 and gains[1] == pytest.approx(1.0)
    assert order[2] == 2 and gains[2] == pytest.approx(0.5)
    # nothing left to gain: stops early
    assert greedy(np.ones(3), np.array([5.0, 5.0, 5.0]), cand, 15.0, 3) == ([], [])


def test_closing_then_reopening_returns_the_original_fields_exactly(model):
    for asset_id in model.assets["asset_id"].iloc[::37]:
        cats = [c for c in model.asset_cats[model.asset_index[asset_id]] if c in model.categories]
        closed, _ = model.apply([Change("close", asset_id=asset_id)])
        reopened, _ = model.apply([Change("close", asset_id=asset_id)] +
                                  [Change("open", category=c, asset_id=asset_id) for c in cats])
        for c in model.categories:
            assert (closed[c] >= model.base[c]).all()  # closing never shortens a walk
            assert np.array_equal(reopened[c], model.base[c]), (asset_id, c)


def test_opening_never_lengthens_a_walk_and_helps_nearby(model):
    lib = model.assets[model.assets["name"] == "Chesterfield Library"].iloc[0]
    i = model.asset_index[lib["asset_id"]]
    after, nearest = model.apply([Change("open", category="food_bank", x=model.asset_x[i], y=model.asset_y[i])])
    assert (after["food_bank"] <= model.base["food_bank"]).all()
    assert (after["food_bank"] < model.base["food_bank"]).sum() > 100
    # the same place opened "in the building" gives the same field
    inside, _ = model.apply([Change("open", category="food_bank", asset_id=lib["asset_id"])])
    assert np.abs(inside["food_bank"] - after["food_bank"]).max() < 0.11
    res = model.run([Change("open", category="food_bank", asset_id=lib["asset_id"])])["categories"]["food_bank"]
    assert res["people_gaining"] > 0 and res["people_losing"] == 0
    assert res["priority_after"] < res["priority_before"]
    assert res["people_within_threshold_after"] > res["people_within_threshold_before"]
    assert [d["imd_decile"] for d in res["deciles"]] == sorted(d["imd_decile"] for d in res["deciles"])
    assert all(d["mean_min_after"] <= d["mean_min_before"] for d in res["deciles"])


def test_scenario_errors_name_the_problem(model):
    with pytest.raises(UnknownAssetError, match="no asset 'osm-node-1'"):
        model.run([Change("close", asset_id="osm-node-1")])
    with pytest.raises(ScenarioError, match="unknown category 'spaceport'"):
        model.run([Change("open", category="spaceport", x=438500, y=371500)])
    with pytest.raises(ScenarioError, match="outside the area"):
        model.run([Change("open", category="gp", x=300000, y=300000)])


def test_siting_picks_reduce_the_weighted_shortfall(model):
    r = site(model, "food_bank", k=3)
    assert r["candidates_considered"] > 20 and len(r["picks"]) == 3
    gains = [p["gain"] for p in r["picks"]]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    assert r["weighted_shortfall_after"] == pytest.approx(r["weighted_shortfall_before"] - sum(gains), rel=1e-3)
    hosts = {p["host_category"] for p in r["picks"]}
    assert hosts <= {"community_centre", "library", "social_centre", "place_of_worship"}
    with pytest.raises(ScenarioError, match="between 1 and 50"):
        site(model, "food_bank", k=0)
