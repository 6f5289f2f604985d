"""The committee pack: what a printable report of one area shows, for a chosen set of categories.

:func:`pack_data` gathers, from a built area's summary (:class:`.summary.AreaSummary`), the
priority of each neighbourhood for the chosen kinds of place (residents × need weight × mean
shortfall over the set, the same formula as the overall priority), the top neighbourhoods with
their reasons (which categories' walks are long, the need and IMD deciles, what is already
inside them), the equity figures for the set, and every source with its licence and date.
Everything is plain data (JSON-able): the HTML page, the PDF (:mod:`.packpdf`) and the map image
(:mod:`.packmap`) are drawn from it.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .colours import PRIORITY_COLOURS, text_colour

# the pack's kinds of place when none are chosen: winter help and the everyday services
DEFAULT_CATEGORIES = ("warm_space", "food_bank", "community_centre", "library", "gp", "pharmacy")
TOP_N = 10
MAX_CATEGORIES = 12

PALMA_EXPLAINED = (
    "The Palma ratio compares the walk of the least deprived tenth of people (IMD decile 10) with the walk "
    "of the most deprived four tenths (deciles 1–4): their mean walking times divided. 1 means both walk "
    "as far; below 1 means the most deprived walk farther (0.5: twice as far); above 1, the least deprived do.")
FGT_EXPLAINED = (
    "The FGT measures (Foster, Greer and Thorbecke) count who is beyond a {z:g}-minute walk and by how much. "
    "FGT0 is the share of people whose walk is longer than {z:g} minutes. FGT1 is the mean shortfall: how far "
    "beyond {z:g} minutes people are, as a share of {z:g} minutes, averaged over everyone (0.5: on average half "
    "as long again). FGT2 squares each shortfall, so a few very long walks count more than many slightly long ones.")
PRIORITY_EXPLAINED = (
    "Priority = residents × need × shortfall: the people in a neighbourhood, its need (IoD 2025 without the "
    "access domain, 0–1) and how far beyond {z:g} minutes their walk to the chosen kinds of place is, on average "
    "over those kinds. A neighbourhood ranks high when many people in need walk far.")


class PackError(ValueError):
    """A pack asked for categories the area cannot show; the message names the valid keys."""


def pack_categories(view, requested: list[str]) -> list[str]:
    """The chosen categories, validated against the area's gap measure (defaults when none)."""
    gaps = view.ar.report.get("gaps", {})
    valid = [c for c in gaps.get("categories", []) if f"shortfall_{c}" in view.ar.neighbourhoods]
    wanted = [c.strip() for r in requested for c in str(r).split(",") if c.strip()]
    if not wanted:
        return [c for c in DEFAULT_CATEGORIES if c in valid] or valid[:6]
    bad = [c for c in wanted if c not in valid]
    if bad:
        raise PackError(f"unknown kind of place {bad[0][:40]!r}; choose among: {', '.join(valid)}")
    return list(dict.fromkeys(wanted))[:MAX_CATEGORIES]


def set_priority(nb: pd.DataFrame, categories: list[str]) -> pd.Series:
    """Residents × need weight × the mean shortfall over ``categories``, per neighbourhood."""
    short = nb[[f"shortfall_{c}" for c in categories]].astype("float64").mean(axis=1)
    res = pd.to_numeric(nb["residents"], errors="coerce").astype("float64")
    return (res * nb["need_weight"].astype("float64") * short).round(1)


def priority_classes(priority: pd.Series) -> tuple[pd.Series, list[dict]]:
    """Class 1–5 per neighbourhood (1 = the top fifth, as the planner's priority layer) and the legend."""
    p = priority.astype("float64")
    cuts = [float(p.quantile(q)) for q in (0.8, 0.6, 0.4, 0.2)] if p.notna().any() else [0.0] * 4
    cls = pd.Series(5, index=p.index)
    for i, cut in reversed(list(enumerate(cuts, start=1))):
        cls[p >= cut] = i
    cls[p <= 0] = 5
    names = ["Highest fifth", "Second fifth", "Middle fifth", "Fourth fifth", "Lowest fifth or none"]
    legend = []
    for i, colour in enumerate(PRIORITY_COLOURS, start=1):
        low = cuts[i - 1] if i <= 4 else 0.0
        legend.append({"cls": i, "colour": colour, "text_colour": text_colour(colour),
                       "label": names[i - 1] + (f" (priority {low:,.0f} or more)" if i <= 4 and low > 0 else ""),
                       "lsoas": int((cls == i).sum())})
    return cls, legend


def _reasons(row: dict, categories: list[str], labels: dict[str, str], z: float) -> dict:
    """Why a neighbourhood ranks where it does: its long walks, its need, what it already has."""
    walks = []
    for c in categories:
        s, t = row.get(f"shortfall_{c}"), row.get(f"walk_{c}_min")
        if s is not None and not pd.isna(s) and s > 0:
            walks.append((float(s), labels.get(c, c), None if t is None or pd.isna(t) else float(t)))
    walks.sort(reverse=True)
    gaps = [f"{label}: {t:.0f} min walk" if t is not None else label for _, label, t in walks[:3]]
    inside = [f"{int(row[f'count_{c}'])} × {labels.get(c, c).lower()}" for c in categories
              if row.get(f"count_{c}") and not pd.isna(row.get(f"count_{c}"))]
    return {"gaps": gaps, "inside": inside,
            "text": (f"Long walks (over {z:g} min) to: " + "; ".join(gaps) if gaps else
                     "No long walks to the chosen kinds of place")}


def top_priorities(view, categories: list[str], n: int = TOP_N) -> list[dict]:
    """The ``n`` neighbourhoods of highest priority for ``categories``, with their reasons."""
    nb = view.ar.neighbourhoods
    z = view.gap_layers["threshold_min"] if view.gap_layers else 15.0
    labels = {k: c["label"] for k, c in view.ar.taxonomy["categories"].items()}
    pr = set_priority(nb, categories)
    frame = pd.DataFrame(nb.drop(columns=nb.geometry.name)).assign(set_priority=pr)
    frame = frame[frame["set_priority"] > 0].sort_values(["set_priority", "lsoa21_code"], ascending=[False, True])
    out = []
    for rank, row in enumerate(frame.head(n).to_dict("records"), start=1):
        out.append({"rank": rank, "lsoa21_code": row["lsoa21_code"], "lsoa21_name": row["lsoa21_name"],
                    "priority": float(row["set_priority"]), "residents": _int(row.get("residents")),
                    "imd_decile": _int(row.get("imd_decile")), "need_decile": _int(row.get("need_decile_england")),
                    "overall_rank": _int(row.get("priority_rank")),
                    "reasons": _reasons(row, categories, labels, z)})
    return out


def _int(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def equity_for(view, categories: list[str]) -> dict:
    """The equity summary and the by-decile means of the chosen categories."""
    summary = [e for e in view.equity if e["category"] in categories]
    summary.sort(key=lambda e: categories.index(e["category"]))
    by: dict[tuple[str, int], float | None] = {}
    for r in view.ar.equity_by_decile:
        v = r.get("mean_min")
        by[(r["category"], int(r["imd_decile"]))] = None if v is None or pd.isna(v) else float(v)
    deciles = sorted({d for _, d in by})
    rows = [{"category": e["category"], "label": e["label"], "by_decile": [by.get((e["category"], d)) for d in deciles]}
            for e in summary]
    return {"summary": summary, "deciles": deciles, "rows": rows}


DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d(?:-[01]\d(?:-[0-3]\d)?)?)(?!\d)")


def source_date(source: dict, osm_date: str | None) -> tuple[str, str]:
    """A source's date and where it comes from: the configuration's ``date``, the OSM extract's own
    date, a date in the file's name, else not stated."""
    if source.get("date"):
        return str(source["date"]), "stated in the configuration"
    if source.get("kind") == "osm" and osm_date:
        return osm_date, "the extract's timestamp"
    found = DATE_IN_NAME.findall(re.sub(r"(lsoa|msoa|ward|lad)\d\d", "", str(source.get("file") or "")))
    if found:
        return found[-1], "from the file's name"
    return "not stated", ""


def sources(view) -> list[dict]:
    """Every source of the build with its licence, attribution and date."""
    out = []
    for s in view.ar.report.get("sources", []):
        date, how = source_date(s, view.osm_date)
        out.append({"name": s.get("name"), "label": view.source_labels.get(s.get("name"), s.get("name")),
                    "kind": s.get("kind"), "licence": s.get("licence") or "no licence stated",
                    "attribution": s.get("attribution") or "", "date": date, "date_from": how,
                    "link": s.get("landing") or s.get("url") or ""})
    return out


def pack_data(view, categories: list[str]) -> dict[str, Any]:
    """Everything the committee pack shows for ``categories`` (validated with :func:`pack_categories`)."""
    labels = {k: c["label"] for k, c in view.ar.taxonomy["categories"].items()}
    z = view.gap_layers["threshold_min"] if view.gap_layers else 15.0
    pr = set_priority(view.ar.neighbourhoods, categories)
    _, legend = priority_classes(pr)
    counts = {c: int(np.sum([c in cs for cs in view.ar.assets["categories"]])) for c in categories}
    return {
        "area": view.name, "slug": view.slug, "built_at": view.built_at, "osm_date": view.osm_date,
        "categories": [{"key": c, "label": labels.get(c, c), "colour": view.ar.taxonomy["categories"][c]["colour"],
                        "count": counts[c]} for c in categories],
        "threshold_min": z, "legend": legend, "top": top_priorities(view, categories),
        "equity": equity_for(view, categories), "sources": sources(view),
        "attribution": list(view.ar.attribution),
        "explained": {"palma": PALMA_EXPLAINED, "fgt": FGT_EXPLAINED.format(z=z),
                      "priority": PRIORITY_EXPLAINED.format(z=z)},
    }
