"""The neighbourhood table page: its columns for a chosen walk, priority choice and deprivation
measure, its rows with raw values (to sort and export) and the text shown.

The per-neighbourhood values are read once when the area is loaded (:class:`TableData`); a request
only picks columns, averages the chosen kinds' ``priority_<category>`` (58 rows in Chesterfield) and
sorts. The page's script (app/static/js/table.js) re-sorts, hides columns, filters rows and exports
what is shown as CSV; ``?cols=``, ``?sort=``, ``?dir=`` and ``?q=`` make the same view on the server.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .priority import priority_for, resolve_choice

DEFAULT_COLUMNS = ("code", "decile", "residents", "gap", "need", "priority", "priority_rank", "walk_min",
                   "inside", "assets")


def _num(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _text(v: float | None, digits: int = 0) -> str:
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


class TableData:
    """Every value the table can show, per neighbourhood, kept from the area's results."""

    def __init__(self, nb: pd.DataFrame, rows: list[dict], choices: list[dict], families: list[dict],
                 deprivation_measures: list[dict]):
        self.nb = nb.drop(columns=nb.geometry.name) if hasattr(nb, "geometry") else nb
        self.rows = {r["code"]: r for r in rows}
        self.choices = choices
        self.families = families
        self.measures = {m["key"]: m["label"] for m in deprivation_measures}
        self.has_gaps = "gap_score" in self.nb.columns
        # per choice key (overall, families, kinds): score and rank per neighbourhood, once
        self._priority = {c["key"]: priority_for(self.nb, c) for c in choices} if self.has_gaps else {}

    def priority(self, choice: dict) -> pd.DataFrame:
        return self._priority.get(choice["key"]) if choice["key"] in self._priority else priority_for(self.nb, choice)

    def columns(self, walk: dict | None, choice: dict | None, measure: str) -> list[dict]:
        """Every column the table can show (key, label, numeric, shown by default)."""
        m = self.measures.get(measure, "IMD")
        cols = [("code", "Code", False), ("decile", f"{m} decile" if measure != "imd" else "IMD decile", True),
                ("imd_rank", "IMD rank", True), ("residents", "Residents", True)]
        if self.has_gaps and choice:
            what = "overall" if choice["group"] == "overall" else choice["label"].lower()
            cols += [("gap", "Gap score (100 = biggest)", True), ("need", "Need score (IoD, no barriers)", True),
                     ("priority", f"Priority: {what}", True), ("priority_rank", "Priority rank", True)]
            if choice["group"] != "overall":
                cols.append(("inside", f"Places inside: {what}", True))
        if walk:
            cols += [("walk_min", f"Walk to nearest {walk['label'].lower()} (min)", True),
                     ("walk_m", f"Walk to nearest {walk['label'].lower()} (m)", True),
                     ("walk_min_rm", "Walk (min, reduced mobility)", True)]
        cols += [("assets", "Assets", True), ("per1k", "Assets per 1,000 residents", True)]
        cols += [(f"fam_{f['key']}", f"{f['label']} (places)", True) for f in self.families]
        if walk:
            cols += [(f"walkfam_{f['key']}", f"Walk to any {f['label'].lower()} (min)", True) for f in self.families]
        return [{"key": k, "label": label, "numeric": numeric} for k, label, numeric in cols]

    def values(self, walk: dict | None, choice: dict | None, measure: str) -> dict[str, dict[str, tuple]]:
        """code -> column key -> (raw value for sorting and CSV, text shown)."""
        nb = self.nb.set_index("lsoa21_code", drop=False)
        pri = self.priority(choice).set_axis(self.nb["lsoa21_code"]) if self.has_gaps and choice else None
        fam_index = {f["key"]: i for i, f in enumerate(self.families)}
        out = {}
        for code, r in self.rows.items():
            src = nb.loc[code]
            v: dict[str, tuple] = {"code": (code, code)}
            dec = _num(src.get(f"{measure}_decile"))
            v["decile"] = (dec, _text(dec))
            for key, val, digits in (("imd_rank", r["imd_rank"], 0), ("residents", r["residents"], 0),
                                     ("assets", r["assets"], 0), ("per1k", r["per1k"], 1)):
                n = _num(val)
                v[key] = (n, _text(n, digits))
            if pri is not None and choice is not None:
                for key, val, digits in (("gap", src.get("gap_score"), 1), ("need", src.get("need_score"), 1),
                                         ("priority", pri.at[code, "score"], 1),
                                         ("priority_rank", pri.at[code, "rank"], 0)):
                    n = _num(val)
                    v[key] = (n, _text(n, digits))
                n = float(sum(_num(src.get(f"count_{c}")) or 0 for c in choice["categories"]))
                v["inside"] = (n, _text(n))
            if walk:
                w = r["walk"].get(walk["key"], (None, None, None))
                for key, val in zip(("walk_m", "walk_min", "walk_min_rm"), w, strict=True):
                    n = _num(val)
                    v[key] = (n, _text(n, 0 if key == "walk_m" else 1))
            for f, i in fam_index.items():
                n = _num(r["by_family"][i])
                v[f"fam_{f}"] = (n, _text(n))
                n = _num(r["walk_family"][i])
                v[f"walkfam_{f}"] = (n, _text(n, 1))
            out[code] = v
        return out


def table_view(data: TableData, walk: dict | None, choice_key: str | None, measure: str,
               cols: str | None, sort: str | None, direction: str | None) -> dict:
    """The table for a request: columns (each with ``shown``), rows sorted, the sort column and way."""
    choice = resolve_choice(choice_key, data.choices) if data.choices else None
    measure = measure if measure in data.measures else "imd"
    columns = data.columns(walk, choice, measure)
    keys = [c["key"] for c in columns]
    asked = [k for k in (cols or "").split(",") if k in keys]
    shown = set(asked) if asked else set(DEFAULT_COLUMNS)
    for c in columns:
        c["shown"] = c["key"] in shown
    values = data.values(walk, choice, measure)
    rows = [{"code": code, "name": r.get("display_name") or r["name"], "ward_name": r.get("ward_name"),
             "imd_decile": r["imd_decile"], "cells": values[code]}
            for code, r in data.rows.items()]
    sort = sort if sort in keys or sort == "name" else ("priority" if choice_key and "priority" in keys
                                                          else "imd_rank")
    default_desc = sort in ("priority", "gap", "need", "walk_min", "walk_m", "walk_min_rm")
    desc = direction == "desc" if direction in ("asc", "desc") else default_desc

    rows.sort(key=lambda r: r["code"])
    if sort in ("name", "code"):
        rows.sort(key=lambda r: r["name"] if sort == "name" else r["code"], reverse=desc)
    else:
        rows.sort(key=lambda r: (r["cells"][sort][0] is None,
                                 -(r["cells"][sort][0] or 0) if desc else (r["cells"][sort][0] or 0)))
    return {"columns": columns, "rows": rows, "choice": choice, "measure": measure,
            "measure_label": data.measures.get(measure, "IMD"), "sort": sort, "desc": desc}
