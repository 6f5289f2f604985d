"""Supply-aware access: floating catchments (E2SFCA, balanced FCA) and spatial availability.

Every function takes a *sparse* table of origin–site pairs within the catchment (``origin``,
``site`` integer indices and the travel time ``minutes``), the population ``P`` of each origin
and the supply ``S`` (capacity; 1 where unknown) of each site, and returns one value per origin,
aligned on ``P``. Notation as in ``shared/reference/field-notes.md``:

* **E2SFCA** (Luo & Qi 2009): ``R_j = S_j / Σ_i P_i f(c_ij)``, ``A_i = Σ_j f(c_ij) R_j``;
* **balanced FCA** (Páez, Higgins & Vivona 2019): the decay normalised over sites per origin
  (``W^i``) and over origins per site (``W^j``): ``R_j = S_j / Σ_i P_i W^i_ij``,
  ``A_i = Σ_j R_j W^j_ij`` — no demand or supply inflation;
* **spatial availability** (Soukhov et al. 2023): ``V_i = Σ_j S_j F_ij`` with
  ``F_ij = F^p_i F^c_ij / Σ_k F^p_k F^c_kj``, ``F^p_i = P_i^α / Σ P^α``,
  ``F^c_ij = f(c_ij) / Σ_k f(c_kj)``: the share of each site's supply available to the people of
  ``i``; it sums to the total supply of the sites anyone can reach.
"""
from __future__ import annotations

import numpy as np

E2SFCA_STEPS = ((10.0, 1.0), (20.0, 0.68), (30.0, 0.22))


def step_decay(minutes, steps=E2SFCA_STEPS) -> np.ndarray:
    """Step weights: ``w`` for the first band whose upper bound (minutes) is not exceeded, else 0."""
    m = np.asarray(minutes, dtype=np.float64)
    out = np.zeros_like(m)
    done = np.zeros(m.shape, dtype=bool)
    for upper, w in steps:
        hit = ~done & (m <= upper)
        out[hit] = w
        done |= hit
    return out


def logistic_decay(minutes, median: float = 15.0, sd: float = 5.0) -> np.ndarray:
    """``1 / (1 + exp((c − m)·π / (sd·√3)))``: 0.5 at the median, smooth either side."""
    m = np.asarray(minutes, dtype=np.float64)
    return 1.0 / (1.0 + np.exp((m - median) * np.pi / (sd * np.sqrt(3.0))))


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=n).astype(np.float64)


def _safe_div(a, b):
    return np.divide(a, b, out=np.zeros_like(np.asarray(a, dtype=np.float64)), where=np.asarray(b) > 0)


def e2sfca(origin, site, f, P, S) -> np.ndarray:
    origin, site, f = np.asarray(origin), np.asarray(site), np.asarray(f, dtype=np.float64)
    P, S = np.asarray(P, dtype=np.float64), np.asarray(S, dtype=np.float64)
    demand = _sum_by(site, P[origin] * f, len(S))
    R = _safe_div(S, demand)
    return _sum_by(origin, f * R[site], len(P))


def bfca(origin, site, f, P, S) -> np.ndarray:
    origin, site, f = np.asarray(origin), np.asarray(site), np.asarray(f, dtype=np.float64)
    P, S = np.asarray(P, dtype=np.float64), np.asarray(S, dtype=np.float64)
    wi = _safe_div(f, _sum_by(origin, f, len(P))[origin])  # over sites, per origin
    wj = _safe_div(f, _sum_by(site, f, len(S))[site])  # over origins, per site
    R = _safe_div(S, _sum_by(site, P[origin] * wi, len(S)))
    return _sum_by(origin, R[site] * wj, len(P))


def spatial_availability(origin, site, f, P, S, alpha: float = 1.0) -> np.ndarray:
    origin, site, f = np.asarray(origin), np.asarray(site), np.asarray(f, dtype=np.float64)
    P, S = np.asarray(P, dtype=np.float64), np.asarray(S, dtype=np.float64)
    pa = P ** alpha
    fp = _safe_div(pa, np.full_like(pa, pa.sum()))
    fc = _safe_div(f, _sum_by(site, f, len(S))[site])
    num = fp[origin] * fc
    F = _safe_div(num, _sum_by(site, num, len(S))[site])
    return _sum_by(origin, S[site] * F, len(P))
