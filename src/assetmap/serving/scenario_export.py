"""A scenario's result ("open a warm space at X") as tables, CSV and the blocks of a printable pack.

:func:`scenario_report` turns :meth:`assetmap.gap.scenarios.ScenarioModel.run`'s answer for one
category into a per-neighbourhood table (the neighbourhoods whose walk changes) and a per-decile
table (every IMD decile with people in it), with the headline figures in words. The CSV cells go
through :func:`assetmap.util.csv_cell`, so a neighbourhood or building name cannot become a formula.
"""
from __future__ import annotations

import csv
import io

from ..util import csv_cell

NEIGHBOURHOOD_COLUMNS = ("lsoa21_code", "lsoa21_name", "before_min", "after_min", "change_min",
                         "priority_before", "priority_after")
DECILE_COLUMNS = ("imd_decile", "population", "mean_min_before", "mean_min_after", "change_min")


def scenario_report(result: dict, category: str, label: str, where: str, threshold: float) -> dict:
    """Headline, per-neighbourhood and per-decile tables of one category's change."""
    c = result.get("categories", {}).get(category)
    if c is None:
        return {"category": category, "label": label, "where": where, "changed": False,
                "headline": f"A new {label.lower()} {where} would not shorten anyone's walk.",
                "neighbourhoods": [], "deciles": [], "threshold_min": threshold}
    deciles = [{**d, "change_min": round(d["mean_min_after"] - d["mean_min_before"], 2)} for d in c["deciles"]]
    headline = (f"A new {label.lower()} {where}: {c['people_gaining']:,} people get a shorter walk; "
                f"{c['people_within_threshold_before']:,} to {c['people_within_threshold_after']:,} people within "
                f"{threshold:g} minutes' walk; priority {c['priority_before']:,.0f} to {c['priority_after']:,.0f}.")
    return {"category": category, "label": label, "where": where, "changed": True, "headline": headline,
            "neighbourhoods": [{k: n.get(k) for k in NEIGHBOURHOOD_COLUMNS} for n in c["lsoas"]],
            "deciles": [{k: d.get(k) for k in DECILE_COLUMNS} for d in deciles], "threshold_min": threshold,
            "people_gaining": c["people_gaining"], "postcodes_changed": c["postcodes_changed"]}


def scenario_csv(report: dict, table: str) -> str:
    """One of the report's tables (``neighbourhoods`` or ``deciles``) as CSV text."""
    if table not in ("neighbourhoods", "deciles"):
        raise ValueError(f"table={table[:30]!r}: choose neighbourhoods or deciles")
    columns = NEIGHBOURHOOD_COLUMNS if table == "neighbourhoods" else DECILE_COLUMNS
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["scenario", *columns])
    for row in report[table]:
        w.writerow([csv_cell(f"new {report['label'].lower()} {report['where']}"),
                    *[csv_cell(row.get(k)) for k in columns]])
    return buf.getvalue()


def scenario_blocks(report: dict, area: str, map_png: bytes) -> list[tuple]:
    """The scenario pack's blocks for :func:`assetmap.serving.packpdf.render_pdf`."""
    return [
        ("h1", f"{area}: what if a new {report['label'].lower()} opened {report['where']}?"),
        ("p", report["headline"]),
        ("image", map_png, 16),
        ("small", "Green: neighbourhoods whose mean walk gets shorter (darker: 10 minutes or more); the star "
                  "is the new place. Drawn from the build's own data (no map tiles)."),
        ("h2", "By neighbourhood"),
        ("table", ["Code", "Neighbourhood", "Walk before (min)", "After (min)", "Change (min)", "Priority before",
                   "Priority after"], [[n[k] for k in NEIGHBOURHOOD_COLUMNS] for n in report["neighbourhoods"]]),
        ("h2", "By IMD 2025 decile (1 = most deprived)"),
        ("table", ["Decile", "People", "Mean walk before (min)", "After (min)", "Change (min)"],
         [[d[k] for k in DECILE_COLUMNS] for d in report["deciles"]]),
    ]


def host_buildings(ar, categories=("community_centre", "library", "social_centre", "place_of_worship")) -> list[dict]:
    """Named buildings that could host a new service (the siting's candidates), by name, for a chooser."""
    out = []
    for a in ar.assets[["asset_id", "name", "category"]].itertuples(index=False):
        if a.category in categories and isinstance(a.name, str) and a.name.strip():
            label = ar.taxonomy["categories"].get(a.category, {}).get("label", a.category)
            out.append({"asset_id": a.asset_id, "label": f"{a.name.strip()} ({label.lower()})"})
    return sorted(out, key=lambda b: b["label"].lower())
