"""The gap measure, checked on hand-computable cases: floating catchments, the AHAH transforms,
need, classes, FGT, Palma and the priority score; and the invariants."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assetmap.gap.equity import equity_tables, fgt, palma
from assetmap.gap.fca import bfca, e2sfca, logistic_decay, spatial_availability, step_decay
from assetmap.gap.formulas import (
    bivariate,
    double_disadvantage,
    exponential_transform,
    gap_index,
    inverse_normal,
    need_index,
    priority,
    scaled_rank,
    shortfall,
)

# two origins (100 and 300 people), two sites of capacity 1: origin 0 reaches site 0 (weight 1)
# and site 1 (weight 0.68); origin 1 reaches site 1 (weight 1)
O, S_, F = np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([1.0, 0.68, 1.0])  # noqa: E741
P, S = np.array([100.0, 300.0]), np.array([1.0, 1.0])


def test_step_and_logistic_decay():
    assert step_decay([0, 10, 10.01, 20, 25, 30, 30.5]).tolist() == [1, 1, 0.68, 0.68, 0.22, 0.22, 0]
    assert logistic_decay([15.0], 15, 5)[0] == pytest.approx(0.5)
    assert logistic_decay([5.0, 25.0], 15, 5).tolist() == pytest.approx([1 / (1 + np.exp(-np.pi * 10 / (5 * np.sqrt(3)))),
                                                                         1 / (1 + np.exp(np.pi * 10 / (5 * np.sqrt(3))))])


def test_e2sfca_by_hand():
    # R0 = 1 / (100·1) = 0.01; R1 = 1 / (100·0.68 + 300·1) = 1/368
    A = e2sfca(O, S_, F, P, S)
    assert A.tolist() == pytest.approx([0.01 + 0.68 / 368, 1 / 368])


def test_balanced_fca_by_hand():
    # W^i (over sites, per origin): 1/1.68, 0.68/1.68 | 1;  W^j (over origins, per site): 1 | 0.68/1.68, 1/1.68
    R0 = 1 / (100 * (1 / 1.68))
    R1 = 1 / (100 * (0.68 / 1.68) + 300 * 1)
    A = bfca(O, S_, F, P, S)
    assert A.tolist() == pytest.approx([R0 * 1 + R1 * 0.68 / 1.68, R1 * 1 / 1.68])


def test_spatial_availability_by_hand_and_it_conserves_supply():
    # F^p = [0.25, 0.75]; site 1: F^c = [0.68/1.68, 1/1.68] -> F = [0.10119, 0.44643] / 0.54762
    V = spatial_availability(O, S_, F, P, S)
    f01 = 0.25 * 0.68 / 1.68 / (0.25 * 0.68 / 1.68 + 0.75 / 1.68)
    assert V.tolist() == pytest.approx([1 + f01, 1 - f01])
    assert V.sum() == pytest.approx(S.sum())
    rng = np.random.default_rng(4)
    o, s = rng.integers(0, 50, 400), rng.integers(0, 12, 400)
    pairs = pd.DataFrame({"o": o, "s": s}).drop_duplicates()
    f = step_decay(rng.uniform(0, 30, len(pairs)))
    cap = rng.uniform(0.5, 3, 12)
    reached = np.bincount(pairs["s"], weights=f, minlength=12) > 0
    V = spatial_availability(pairs["o"].to_numpy(), pairs["s"].to_numpy(), f, rng.uniform(10, 500, 50), cap)
    assert V.sum() == pytest.approx(cap[reached].sum())


def test_rank_inverse_normal_and_exponential_transforms():
    assert inverse_normal([3.0, 1.0, 2.0, np.nan]).tolist()[:3] == pytest.approx([0.967422, -0.967422, 0.0], abs=1e-6)
    assert np.isnan(inverse_normal([3.0, 1.0, 2.0, np.nan])[3])
    assert exponential_transform([1 / 3, 0.5, 1.0]).tolist() == pytest.approx(
        [-23 * np.log(1 - (1 - np.exp(-100 / 23)) / 3), -23 * np.log(1 - 0.5 * (1 - np.exp(-100 / 23))), 100.0])
    assert exponential_transform([0.5])[0] == pytest.approx(15.6468, abs=1e-4)
    assert scaled_rank([10.0, 30.0, 20.0, 40.0]).tolist() == [0.25, 0.75, 0.5, 1.0]


def test_gap_index_keeps_every_intermediate():
    walk = pd.DataFrame({"gp": [5.0, 10.0, 20.0, 40.0], "pharmacy": [6.0, 12.0, 3.0, 30.0],
                         "library": [np.nan] * 4, "park": [1.0, 2.0, 3.0, 4.0]})
    out = gap_index(walk, {"health": ["gp", "pharmacy"], "community": ["library"], "green": ["park"]})
    assert "gapz_library" not in out and "gapx_family_community" not in out  # none mapped: left out
    z = out["gapz_family_health"]
    assert z.tolist() == pytest.approx(((inverse_normal(walk["gp"]) + inverse_normal(walk["pharmacy"])) / 2).tolist())
    xh = exponential_transform(scaled_rank(z))
    xg = exponential_transform(scaled_rank(walk["park"]))
    assert out["gap_score"].tolist() == pytest.approx(((xh + xg) / 2).tolist())
    assert out["gap_rank"].iloc[0] == 4 and out["gap_rank"].iloc[3] == 1 and out["gap_quintile"].iloc[3] == 1
    weighted = gap_index(walk, {"health": ["gp", "pharmacy"], "green": ["park"]}, {"health": 3, "green": 1})
    assert weighted["gap_score"].tolist() == pytest.approx(((3 * xh + xg) / 4).tolist())


def test_need_from_domain_ranks_without_the_barriers_domain():
    N = 5
    dep = pd.DataFrame({f"{d}_rank": [1, 2, 3, 4, 5] for d in ("income", "employment", "education", "health",
                                                              "crime", "environment")})
    dep["housing_rank"] = [5, 4, 3, 2, 1]  # opposite order: must not matter at weight 0
    w = {"income": 22.5, "employment": 22.5, "education": 13.5, "health": 13.5, "crime": 9.3, "housing": 0.0,
         "environment": 9.3}
    out = need_index(dep, w)
    expected = exponential_transform((N + 1 - np.arange(1, 6)) / N)  # every weighted domain agrees
    assert out["need_score"].tolist() == pytest.approx(expected.tolist())
    assert out["need_rank"].tolist() == [1, 2, 3, 4, 5]
    with_housing = need_index(dep, {**w, "housing": 9.3})
    assert with_housing["need_score"].iloc[0] < out["need_score"].iloc[0]


def test_bivariate_classes_and_double_disadvantage():
    need = pd.Series([90, 80, 70, 60, 50, 40, 30, 20, 10.0])
    gap = pd.Series([95, 10, 20, 85, 50, 45, 5, 90, 30.0])
    b = bivariate(need, gap)
    assert b["need_tercile"].tolist() == [3, 3, 3, 2, 2, 2, 1, 1, 1]
    assert b["bivariate_class"].iloc[0] == "3-3" and b["bivariate_class"].iloc[6] == "1-1"
    dd = double_disadvantage(need, gap, 0.2)  # worst 2 of 9 on each: need {0, 1}, gap {0, 7}
    assert dd.tolist() == [True] + [False] * 8


def test_fgt_palma_and_shortfall_by_hand():
    t, p = np.array([10.0, 20.0, 30.0]), np.array([1.0, 1.0, 2.0])
    assert fgt(t, p, 15, 0) == pytest.approx(0.75)
    assert fgt(t, p, 15, 1) == pytest.approx((1 / 3 + 2) / 4)
    assert fgt(t, p, 15, 2) == pytest.approx((1 / 9 + 2) / 4)
    assert shortfall([10.0, 15.0, 30.0], 15).tolist() == [0.0, 0.0, 1.0]
    assert palma([20.0, 10.0, 30.0, 12.0], [1, 1, 2, 4], [1, 1, 4, 10]) == pytest.approx(12 / 22.5)
    assert palma([20.0], [1], [1]) is None  # no least-deprived decile in the area
    by, summ = equity_tables(pd.DataFrame({"gp": [10.0, 20.0, 30.0]}), p, [1, 1, 10], 15)
    assert by["imd_decile"].tolist() == [1, 10]
    assert by["mean_min"].tolist() == [15.0, 30.0] and summ.at[0, "palma"] == pytest.approx(2.0)


def test_priority_by_hand():
    out = priority(pd.Series([1000, 500]), pd.Series([50.0, 100.0]),
                   pd.DataFrame({"gp": [0.4, 0.0], "library": [0.2, 1.0]}))
    assert out["priority_gp"].tolist() == [200.0, 0.0]
    assert out["priority_library"].tolist() == [100.0, 500.0]
    assert out["priority_score"].tolist() == [150.0, 250.0] and out["priority_rank"].tolist() == [2, 1]


def test_adding_a_site_never_lowers_access_or_raises_shortfall():
    from assetmap.walk.access import AccessEngine
    from assetmap.walk.snapping import Snapper
    from test_access import grid_network

    net = grid_network(9)
    rng = np.random.default_rng(9)
    span = net.x.max()
    sn = Snapper(net)
    o = sn.snap(*rng.uniform(0, span, size=(200, 2)).T)
    a = sn.snap(*rng.uniform(0, span, size=(8, 2)).T)
    eng = AccessEngine.contracted(net, o, a)
    pop = rng.uniform(10, 100, 200)
    pairs = eng.within(10_000.0)
    results = []
    for n in (7, 8):
        pr = pairs[pairs["asset"] < n]
        f = step_decay(pr["walk_m"].to_numpy() / 80.0)
        A = e2sfca(pr["origin"].to_numpy(), pr["asset"].to_numpy(), f, pop, np.ones(8))
        t = eng.nearest(np.arange(n)).dist / 80.0
        results.append((A, shortfall(t, 15.0)))
    (A7, s7), (A8, s8) = results
    assert (A8 >= A7 - 1e-12).all() and (A8 > A7 + 1e-12).any()
    assert (s8 <= s7 + 1e-12).all()
