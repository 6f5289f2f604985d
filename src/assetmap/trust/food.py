"""Food help: how to get food from a food bank, said plainly beside the record.

A food bank list may say how its food banks are reached (``way_in`` in the source's configuration,
``data/sources.toml``): ``access`` ("referral", "self_referral", "drop_in", "appointment"), ``note``
(what that means, e.g. a food bank voucher from an agency) and ``address`` ("main" when the list
gives each organisation's main address, often a warehouse or office, not where food is given out).
A curated record's own ``access`` column (the activities contract) takes precedence. Distribution
sessions are the record's opening hours or ``schedules`` when it has any; otherwise the text says
the data has none and points to the food bank's own page.

Columns: ``food_access``, ``food_way_in`` (the whole explanation, plain text) and
``food_way_in_source`` (the list it comes from).
"""
from __future__ import annotations

import pandas as pd

ACCESS_WORDS = {
    "referral": "You need a referral: a food bank voucher from an agency such as Citizens Advice, a GP, "
                "a social worker, a school or a housing officer",
    "self_referral": "You can refer yourself: contact the food bank first",
    "drop_in": "You can drop in during its sessions",
    "appointment": "By appointment: contact the food bank first",
}
FOOD_CATEGORIES = ("food_bank",)


def _present(v) -> bool:
    return isinstance(v, str) and bool(v.strip()) or (isinstance(v, list) and bool(v))


def way_in(row: dict, policy: dict | None, source_label: str | None) -> tuple[str | None, str | None]:
    """(access, the explanation) for a food bank record under its list's ``way_in`` policy."""
    policy = policy or {}
    access = row.get("access") if _present(row.get("access")) else policy.get("access")
    parts = []
    if access in ACCESS_WORDS:
        parts.append(policy.get("note") or ACCESS_WORDS[access])
    if _present(row.get("schedules")) or _present(row.get("opening_hours")):
        parts.append("Distribution times: as listed for this place; check them with the food bank")
    else:
        site = row.get("website") if _present(row.get("website")) else None
        parts.append("This data has no distribution sessions (where and when food is given out): "
                     + (f"see the food bank's own page, {site}" if site else "contact the food bank"))
    if policy.get("address") == "main":
        parts.append("The address shown is the organisation's main address (often its warehouse or office), "
                     "not necessarily where food is given out")
    text = ". ".join(parts) + "." + (f" Source: {source_label}." if source_label else "")
    return access, text


def add_food_help(assets: pd.DataFrame, policies: dict[str, dict], labels: dict[str, str]) -> dict:
    """The food help columns, in place, for every asset in a food category; returns the report's part.
    ``policies``: source name -> its ``way_in``; ``labels``: source name -> label."""
    rows: list[tuple[str | None, str | None, str | None]] = []
    for row in assets.to_dict("records"):
        cats = row.get("categories") or [row.get("category")]
        if not any(c in FOOD_CATEGORIES for c in cats):
            rows.append((None, None, None))
            continue
        names = [str(s).split(":", 1)[0] for s in row.get("sources") or []]
        name = next((n for n in names if n in policies), next((n for n in names if n != "osm"), "")) or ""
        label = labels.get(name, name) or None
        rows.append((*way_in(row, policies.get(name), label), label))
    acc = [r[0] for r in rows]
    text = [r[1] or "" for r in rows]
    assets["food_access"] = acc
    assets["food_way_in"] = [t or None for t in text]
    assets["food_way_in_source"] = [r[2] for r in rows]
    return {"food_banks": int(sum(bool(t) for t in text)),
            "needing_referral": int(sum(a == "referral" for a in acc)),
            "without_sessions": int(sum("no distribution sessions" in t for t in text))}
