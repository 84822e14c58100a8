"""Many tests in one report: Benjamini–Hochberg adjustment of p-values."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def benjamini_hochberg(pvalues: npt.ArrayLike) -> tuple[float, ...]:
    """Benjamini–Hochberg (1995) adjusted p-values, in the order given.

    p_adj(i) = min over j ≥ i of min(1, m/j · p_(j)) for the sorted p_(1) ≤ … ≤ p_(m), so the
    adjusted values are monotone in the order of the raw ones, never below them and at most
    1. As R ``p.adjust(method = "BH")``: a NaN stays NaN and m counts the other values.
    Rejecting where p_adj ≤ q keeps the false discovery rate at q across the report.
    """
    try:
        p = np.asarray(pvalues, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"p-values must be numbers ({exc})") from None
    if p.ndim != 1:
        raise ValueError(f"p-values must be one-dimensional, got shape {p.shape}")
    present = ~np.isnan(p)
    observed = p[present]
    if np.any((observed < 0) | (observed > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    m = observed.size
    adjusted = np.full(p.shape, np.nan)
    if m:
        # R: o <- order(p, decreasing = TRUE); pmin(1, cummin(n/i * p[o]))[order(o)]
        order = np.argsort(-observed, kind="stable")
        ranks = np.arange(m, 0, -1, dtype=np.float64)
        stepped = np.minimum.accumulate(m / ranks * observed[order])
        result = np.empty(m)
        result[order] = np.minimum(1.0, stepped)
        adjusted[present] = result
    return tuple(float(v) for v in adjusted)
