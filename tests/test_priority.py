"""Priority for one kind of place or a chosen set, and the overall score's configurable set
(assetmap.gap.formulas.priority, [gaps] priority_categories, assetmap.serving.priority)."""
from __future__ import annotations

import pandas as pd
import pytest

from assetmap.config import GapSettings
from assetmap.errors import ConfigError
from assetmap.gap.formulas import priority
from assetmap.gap.stage import priority_set
from assetmap.serving.priority import priority_choices, priority_for, resolve_choice

TAXONOMY = {
    "families": {"social": {"label": "Social"}, "food": {"label": "Food"}},
    "categories": {"warm_space": {"label": "Warm space", "family": "social"},
                   "library": {"label": "Library", "family": "social"},
                   "food_bank": {"label": "Food bank", "family": "food"}},
}


def frame() -> pd.DataFrame:
    return pd.DataFrame({"lsoa21_code": ["A", "B", "C"],
                         "priority_warm_space": [10.0, 0.0, 30.0],
                         "priority_library": [50.0, 20.0, 0.0],
                         "priority_food_bank": [0.0, 0.0, 4.0],
                         "priority_score": [99.0, 1.0, 50.0]})


def test_priority_categories_setting_is_checked():
    assert GapSettings().priority_categories == ()
    g = GapSettings.from_dict({"priority_categories": ["warm_space", "food_bank"]}, "x.toml")
    assert g.priority_categories == ("warm_space", "food_bank")
    assert g.as_dict()["priority_categories"] == ["warm_space", "food_bank"]
    with pytest.raises(ConfigError, match="priority_categories"):
        GapSettings.from_dict({"priority_categories": "warm_space"}, "x.toml")


def test_the_overall_score_covers_the_chosen_set_only():
    short = pd.DataFrame({"warm_space": [0.5, 0.0], "health_walk": [2.0, 0.0]})
    res, need = pd.Series([1000, 1000]), pd.Series([50.0, 50.0])
    every = priority(res, need, short)
    warm = priority(res, need, short, ["warm_space"])
    assert every.at[0, "priority_score"] == pytest.approx(1000 * 0.5 * 1.25)
    assert warm.at[0, "priority_score"] == pytest.approx(1000 * 0.5 * 0.5)
    assert warm.at[0, "priority_health_walk"] == every.at[0, "priority_health_walk"]  # per kind: the same


def test_priority_set_keeps_mapped_kinds_and_rejects_unknown_ones():
    from assetmap.taxonomy import load_taxonomy

    tx = load_taxonomy()
    g = GapSettings(priority_categories=("warm_space", "museum"))
    assert priority_set(g, ["warm_space", "library"], tx) == ["warm_space"]  # museum not mapped here
    assert priority_set(GapSettings(), ["warm_space", "library"], tx) == ["warm_space", "library"]
    with pytest.raises(ConfigError, match="unknown categories"):
        priority_set(GapSettings(priority_categories=("warm_spaces",)), ["warm_space"], tx)


def test_choices_and_the_priority_of_a_set():
    nb = frame()
    choices = priority_choices(nb, TAXONOMY, ["warm_space", "library", "food_bank"])
    keys = [c["key"] for c in choices]
    assert keys == ["all", "family_social", "warm_space", "library", "food_bank"]
    warm = priority_for(nb, resolve_choice("warm_space", choices))
    assert warm["score"].tolist() == [10.0, 0.0, 30.0] and warm["rank"].tolist() == [2, 3, 1]
    both = resolve_choice("warm_space,food_bank,nonsense", choices)
    assert both["group"] == "set" and both["categories"] == ["warm_space", "food_bank"]
    assert priority_for(nb, both)["score"].tolist() == [5.0, 0.0, 17.0]
    assert priority_for(nb, resolve_choice("family_social", choices))["score"].tolist() == [30.0, 10.0, 15.0]
    overall = resolve_choice("<script>", choices)
    assert overall["key"] == "all" and priority_for(nb, overall)["rank"].tolist() == [1, 3, 2]
