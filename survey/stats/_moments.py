"""Groups known by their sums: n, Σx and Σx², summed up in the database instead of fetching a
row per person (a parent unit, the whole organisation, every row of the overview)."""

from __future__ import annotations

import math

from scipy import stats as _sps

from survey.stats._description import Summary
from survey.stats._tables import check_confidence

#: a variance below this share of max(1, mean²) is the rounding residue of Σx² − (Σx)²/n, not a
#: spread: three answers of 0.1 leave about 1e-18, which must count as none (p = 1, not p = 0)
_NOISE = 1e-9


def mean_variance(n: int, total: float, squares: float) -> tuple[float, float]:
    """Mean and variance (n − 1 in the denominator) of n values from their sum and sum of squares.

    One value has variance 0; a variance below rounding noise is exactly 0. Sums that no real
    values can have (a variance clearly below 0) raise ``ValueError``, as does n < 1.
    """
    n = _count(n)
    if n < 1:
        raise ValueError(f"mean_variance needs at least one value, got n = {n}")
    total, squares = _finite(total, "total"), _finite(squares, "squares")
    mean = total / n
    if n < 2:
        return mean, 0.0
    variance = (squares - total * total / n) / (n - 1)
    noise = _NOISE * max(1.0, mean * mean)
    if variance < -noise:
        raise ValueError(f"the sums of {n} values give a negative variance ({variance:g}): inconsistent sums")
    return mean, variance if variance > noise else 0.0


def describe_moments(n: int, total: float, squares: float, *, confidence: float = 0.95) -> Summary:
    """Mean, standard deviation and t-interval of n values known by their sums: the ``scale``
    :class:`Summary` that :func:`describe_values` gives for the values themselves (equal up to
    rounding), ``mean ± t(1 − (1 − confidence)/2, n − 1) · √(variance / n)``.

    n = 0 has no mean; n = 1 a mean and nothing else (None, never NaN, as in ``describe``).
    """
    confidence = check_confidence(confidence)
    if _count(n) == 0:
        return Summary(None, None, None, None)
    mean, variance = mean_variance(n, total, squares)
    if n == 1:
        return Summary(mean, None, None, None)
    half = float(_sps.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return Summary(mean, math.sqrt(variance), mean - half, mean + half)


def _count(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or n < 0:
        raise ValueError(f"n must be a whole number ≥ 0, got {n!r}")
    return int(n)


def _finite(x: float, name: str) -> float:
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    return x
