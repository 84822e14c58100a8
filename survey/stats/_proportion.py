"""Shares (top-box and the like) with Wilson score intervals."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass

from scipy import stats as _sps

from survey.stats._tables import check_confidence


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval ``[low, high]``; unpacks like a pair: ``low, high = wilson(3, 10)``."""

    low: float
    high: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.low, self.high))


def wilson(k: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the share k/n (Wilson 1927; no continuity correction).

    The same interval as ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``
    and statsmodels ``proportion_confint(method="wilson")``. It always contains k/n, lies
    in [0, 1], and is not degenerate at k = 0 or k = n, which is why it is used for
    top-box shares of small units. n = 0 raises ``ValueError``: there is no share to bound.
    """
    k, n = _whole(k, "k"), _whole(n, "n")
    confidence = check_confidence(confidence)
    if n < 1:
        raise ValueError("wilson needs n ≥ 1: there is no share of zero answers")
    if not 0 <= k <= n:
        raise ValueError(f"k must lie between 0 and n = {n}, got {k}")
    z = float(_sps.norm.ppf(0.5 + confidence / 2))
    share = k / n
    z2n = z * z / n
    centre = (share + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(share * (1 - share) / n + z2n / (4 * n)) / (1 + z2n)
    # At k = 0 and k = n one end is exactly 0 or 1 in exact arithmetic; rounding must not
    # move it outside [0, 1] or make the interval miss k/n.
    low = 0.0 if k == 0 else max(0.0, min(share, centre - half))
    high = 1.0 if k == n else min(1.0, max(share, centre + half))
    return Interval(low, high)


def _whole(value: int, name: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
