"""Priority for one kind of place or a chosen set, beside the overall score.

The gap stage writes ``priority_<category>`` = residents × need weight × shortfall for every kind of
place mapped, and ``priority_score`` over the area's composite set ([gaps] priority_categories, every
kind when empty). The priority of any set of categories is the mean of their ``priority_<category>``
(the shortfall is averaged over the set, residents and need are common factors): this module and the
planner's per-category layer (app/static/js/priority.js) both compute it so.

A *choice* is named by a key: ``all`` (the overall score), ``family_<family>`` (every kind of the family
mapped here), a category key, or several category keys joined by commas.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

OVERALL = "all"


def priority_categories(nb: pd.DataFrame, taxonomy: dict) -> list[str]:
    """The categories with a per-category priority in this build, in taxonomy order."""
    return [c for c in taxonomy["categories"] if f"priority_{c}" in nb.columns]


def priority_choices(nb: pd.DataFrame, taxonomy: dict, composite: list[str]) -> list[dict]:
    """What the planner's "Priority for" picker offers: the overall score, each family, each kind."""
    cats = priority_categories(nb, taxonomy)
    labels = {k: c["label"] for k, c in taxonomy["categories"].items()}
    out = [{"key": OVERALL, "label": f"Overall score ({len(composite)} kinds of place)", "group": "overall",
            "categories": list(composite)}]
    for fkey, fam in taxonomy["families"].items():
        members = [c for c in cats if taxonomy["categories"][c]["family"] == fkey]
        if len(members) > 1:
            out.append({"key": f"family_{fkey}", "label": f"{fam['label']} (any of {len(members)} kinds)",
                        "group": "family", "categories": members})
    out += [{"key": c, "label": labels[c], "group": "category", "categories": [c]} for c in cats]
    return out


def resolve_choice(key: str | None, choices: list[dict]) -> dict:
    """The choice a key names (a comma-separated set of category keys makes a new one); the overall
    score for a missing or unknown key."""
    by_key = {c["key"]: c for c in choices}
    if key and key in by_key:
        return by_key[key]
    singles = {c["key"]: c for c in choices if c["group"] == "category"}
    parts = [k for k in dict.fromkeys((key or "").split(",")) if k in singles]
    if len(parts) == 1:
        return singles[parts[0]]
    if parts:
        return {"key": ",".join(parts), "label": ", ".join(singles[k]["label"] for k in parts), "group": "set",
                "categories": parts}
    return by_key[OVERALL]


def priority_for(nb: pd.DataFrame, choice: dict) -> pd.DataFrame:
    """``score`` and ``rank`` (1 = first, ties share the best rank) of every neighbourhood for a choice,
    aligned on ``nb``; the overall choice is the build's own ``priority_score``."""
    if choice["group"] == "overall":
        score = pd.to_numeric(nb["priority_score"], errors="coerce").astype("float64")
    else:
        cols = [f"priority_{c}" for c in choice["categories"]]
        score = nb[cols].astype("float64").mean(axis=1).round(1)
    rank = score.rank(ascending=False, method="min")
    return pd.DataFrame({"score": score, "rank": rank.where(rank.notna(), np.nan)}, index=nb.index)
