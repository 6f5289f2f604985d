"""Equity of walking access across deprivation: population-weighted means by IMD decile, the
Palma ratio and Foster–Greer–Thorbecke (FGT) measures against a walking-time threshold.

Inputs are per origin (postcode): walking minutes, the population it stands for (an LSOA's
residents shared equally among its postcodes) and its LSOA's IMD decile. Every function returns
plain numbers or a tidy frame, so the figures go to JSON, CSV and the chart unchanged.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from ..util import weighted_mean
from .formulas import shortfall


def fgt(minutes, population, threshold: float, alpha: float) -> float | None:
    """FGT_α = Σ P_i · 1[t_i > z] · ((t_i − z)/z)^α / Σ P_i (α = 0 headcount share, 1 gap, 2 severity)."""
    return weighted_mean(shortfall(minutes, threshold, alpha), population)


def palma(minutes, population, decile) -> float | None:
    """Population-weighted mean walking time of the least deprived 10% (IMD decile 10) over that
    of the most deprived 40% (deciles 1–4). Below 1: the most deprived walk farther. None when
    the area has no one in either group."""
    d = np.asarray(decile, dtype=np.float64)
    top = weighted_mean(np.where(d == 10, minutes, np.nan), population)
    bottom = weighted_mean(np.where(d <= 4, minutes, np.nan), population)
    return top / bottom if top is not None and bottom else None


def equity_tables(minutes: pd.DataFrame, population, decile, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per category and IMD decile (``by_decile``), and per category overall (``summary``):
    population, population-weighted mean minutes, FGT 0/1/2; the summary adds the Palma ratio."""
    pop = np.asarray(population, dtype=np.float64)
    dec = np.asarray(decile, dtype=np.float64)
    rows, summary = [], []
    for c in minutes.columns:
        t = minutes[c].to_numpy(dtype=np.float64)
        if np.isnan(t).all():
            continue
        for d in range(1, 11):
            m = dec == d
            if not m.any():
                continue
            rows.append({"category": c, "imd_decile": d, "population": round(float(pop[m].sum()), 1),
                         "mean_min": _r(weighted_mean(t[m], pop[m])),
                         **{f"fgt{a}": _r(fgt(t[m], pop[m], threshold, a), 4) for a in (0, 1, 2)}})
        summary.append({"category": c, "population": round(float(pop[~np.isnan(t)].sum()), 1),
                        "mean_min": _r(weighted_mean(t, pop)), "palma": _r(palma(t, pop, dec), 3),
                        **{f"fgt{a}": _r(fgt(t, pop, threshold, a), 4) for a in (0, 1, 2)}})
    return pd.DataFrame(rows), pd.DataFrame(summary)


def _r(v, nd: int = 1):
    return None if v is None else round(v, nd)


def equity_chart(by_decile: pd.DataFrame, labels: dict[str, str], categories: list[str], path: Path | BinaryIO,
                 title: str, threshold: float, fmt: str = "svg") -> Path | BinaryIO:
    """A line chart (SVG, or ``fmt``: png, pdf) of mean walking minutes by IMD decile for the chosen
    categories, written to ``path`` (a file name or a binary file object). Lines differ by colour
    and by marker, so more than ten kinds stay told apart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.6), dpi=100)
    markers = "osD^vP*Xh<>p"
    colours = [plt.get_cmap("tab20")(i) for i in range(20)]
    for i, c in enumerate(categories):
        d = by_decile[by_decile["category"] == c] if len(by_decile) else by_decile
        if len(d):
            ax.plot(d["imd_decile"], d["mean_min"], marker=markers[i % len(markers)], linewidth=1.8,
                    color=colours[(2 * i) % 20 if i < 10 else (2 * i + 1) % 20], label=labels.get(c, c))
    ax.axhline(threshold, color="#555555", linestyle="--", linewidth=1)
    ax.text(10.4, threshold, f" {threshold:g} min", va="center", fontsize=8, color="#333333")
    ax.set_xticks(range(1, 11))
    ax.set_xlim(0.6, 10.4)
    ax.set_xlabel("IMD 2025 decile (1 = most deprived 10% of England)")
    ax.set_ylabel("Mean walking time (minutes)")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", color="#dddddd")
    ax.legend(fontsize=8, ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(path, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return path
