"""Trends over waves: Mann–Kendall test and Theil–Sen slope.

A series holds one figure per wave in wave order (e.g. the unit's value score). A wave
whose figure is missing (NaN — not run, or suppressed) is dropped; the waves left keep
their order, and for Theil–Sen their positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _sps

from survey.stats._tables import FloatArray, check_confidence

#: Waves a trend statement needs. mann_kendall computes from 3 points on, but with fewer
#: than 5 waves it cannot reach p < 0.05 at all (n = 4: p ≥ 0.089), so callers require 5.
MIN_TREND_WAVES = 5


@dataclass(frozen=True, slots=True)
class MannKendall:
    """The classic Mann–Kendall trend test (Mann 1945, Kendall 1975), as pymannkendall ``original_test``.

    ``s`` = Σ_{i<j} sign(x_j − x_i); ``var_s`` = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18 over
    groups of t tied values; ``z`` = (s − 1)/√var_s for s > 0, (s + 1)/√var_s for s < 0,
    0 for s = 0 (continuity correction); ``p`` = 2·(1 − Φ(|z|)); ``tau`` = s / (n(n−1)/2)
    (Kendall's τ-a, the ``Tau`` of pymannkendall). With fewer than 3 points there is not
    enough data: ``n`` is set and every other field is None.
    """

    n: int
    s: int | None
    var_s: float | None
    z: float | None
    p: float | None
    tau: float | None

    @property
    def enough_data(self) -> bool:
        return self.s is not None


@dataclass(frozen=True, slots=True)
class TheilSen:
    """Theil–Sen slope with Sen's (1968) interval, as ``scipy.stats.theilslopes`` (method "separate").

    ``slope`` is the median of the pairwise slopes over pairs with different x; ``intercept``
    = median(y) − slope·median(x); ``low``/``high`` bound the slope. Fields are None where
    undefined: fewer than 2 points or all x equal (then everything), or an interval that
    Sen's variance cannot give (then low/high).
    """

    n: int
    slope: float | None
    intercept: float | None
    low: float | None
    high: float | None
    confidence: float


def mann_kendall(series: npt.ArrayLike) -> MannKendall:
    """Mann–Kendall test of a series in wave order; NaN entries are dropped."""
    values = _series(series, "series")
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n < 3:
        return MannKendall(n, None, None, None, None, None)
    later = np.triu(np.sign(values[np.newaxis, :] - values[:, np.newaxis]), k=1)
    s = int(later.sum())
    _, ties = np.unique(values, return_counts=True)
    numerator = n * (n - 1) * (2 * n + 5) - int(np.sum(ties * (ties - 1) * (2 * ties + 5)))
    var_s = numerator / 18
    if s > 0:
        z = (s - 1) / math.sqrt(var_s)
    elif s < 0:
        z = (s + 1) / math.sqrt(var_s)
    else:
        z = 0.0  # also when var_s = 0 (all values tied): no trend, p = 1
    p = min(1.0, 2.0 * float(_sps.norm.sf(abs(z))))
    return MannKendall(n, s, var_s, z, p, s / (n * (n - 1) / 2))


def theil_sen(y: npt.ArrayLike, x: npt.ArrayLike | None = None, *, confidence: float = 0.95) -> TheilSen:
    """Theil–Sen slope of y against x (default: the wave index 0, 1, 2, …).

    Points where x or y is NaN are dropped; the others keep their x (so a missing wave
    does not shift the later ones). This follows ``scipy.stats.theilslopes(y, x,
    alpha=confidence)`` — including its tie terms for x and y in Sen's variance and its
    rounding of the order-statistic ranks.
    """
    confidence = check_confidence(confidence)
    ys = _series(y, "y")
    xs = np.arange(ys.size, dtype=np.float64) if x is None else _series(x, "x")
    if xs.shape != ys.shape:
        raise ValueError(f"x has {xs.size} values but y has {ys.size}; they must match")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    n = int(ys.size)
    dx = xs[:, np.newaxis] - xs
    dy = ys[:, np.newaxis] - ys
    distinct = dx > 0
    if n < 2 or not np.any(distinct):
        return TheilSen(n, None, None, None, None, confidence)
    slopes = np.sort(dy[distinct] / dx[distinct])
    slope = float(np.median(slopes))
    intercept = float(np.median(ys) - slope * np.median(xs))
    z = float(_sps.norm.ppf((1 - confidence) / 2))  # negative
    # Sen (1968), eq. 2.6, written as scipy writes it (1/18 · …) so the ranks round the same way.
    var = 1 / 18.0 * (n * (n - 1) * (2 * n + 5) - _tie_term(xs) - _tie_term(ys))
    if var < 0:
        return TheilSen(n, slope, intercept, None, None, confidence)
    sigma = math.sqrt(var)
    count = slopes.size
    # np.round rounds half to even, like scipy; Python's round() would too, but stay identical.
    upper = min(int(np.round((count - z * sigma) / 2)), count - 1)
    lower = max(int(np.round((count + z * sigma) / 2)) - 1, 0)
    return TheilSen(n, slope, intercept, float(slopes[lower]), float(slopes[upper]), confidence)


def _series(values: npt.ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if np.any(np.isinf(array)):
        raise ValueError(f"{name} must not contain infinite values")
    return array


def _tie_term(values: FloatArray) -> int:
    _, counts = np.unique(values, return_counts=True)
    counts = counts[counts > 1]
    return int(np.sum(counts * (counts - 1) * (2 * counts + 5)))
