"""The curators' list of built records to look at (``/curate/review/built``): records with a caution
from the plausibility checks or a possible duplicate, then those not recently checked, oldest first.
Made from an area's asset pages (:func:`assetmap.serving.pages.asset_pages`), no framework."""
from __future__ import annotations


def _row(a: dict) -> dict:
    t = a.get("trust") or {}
    return {"asset_id": a["asset_id"], "title": a.get("title"), "category": a.get("category"),
            "checked": t.get("checked"), "age": t.get("age"), "sources": ", ".join(t.get("sources") or []),
            "reasons": (t.get("cautions") or []) + (t.get("duplicate") or []),
            "stale_reason": t.get("stale_reason"), "season_over": bool(t.get("season_over"))}


def review_list(pages: dict[str, dict]) -> dict:
    """``cautions`` (plausibility checks and duplicates), ``stale`` (not recently checked, oldest
    first; never-checked first of all) and their counts of ``total`` records."""
    rows = [a for a in pages.values() if a.get("trust")]
    cautions = [_row(a) for a in rows if a["trust"].get("caution")]
    stale = [_row(a) for a in rows if a["trust"].get("stale")]
    stale.sort(key=lambda r: (r["checked"] is not None, r["checked"] or "", r["title"] or ""))
    cautions.sort(key=lambda r: (r["category"] or "", r["title"] or ""))
    return {"cautions": cautions, "stale": stale, "total": len(pages)}
