"""Mean, standard deviation and t-interval of an item or value score, on its scale and on 0–100."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _sps

from survey.stats._tables import (
    Counts,
    FloatArray,
    IntArray,
    check_confidence,
    table_from_counts,
    table_from_values,
)


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean, standard deviation (n − 1 in the denominator) and the t-based interval of the mean.

    ``mean`` is None for n = 0; ``sd``, ``low`` and ``high`` are None for n < 2 (one answer
    has no spread and no interval — None rather than NaN, so nothing downstream does sums
    with it by accident).
    """

    mean: float | None
    sd: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Description:
    """An item's (or a value's) figures in one group.

    ``scale`` is on the measurement's own scale (e.g. 1–5); ``score`` is the same on 0–100,
    ``(x − scale_min) / (scale_max − scale_min) × 100``; the standard deviation is multiplied
    by ``100 / (scale_max − scale_min)`` and the interval ends transform like the mean.
    """

    n: int
    scale_min: float
    scale_max: float
    confidence: float
    scale: Summary
    score: Summary


def describe(counts: Counts, *, scale_min: float, scale_max: float, confidence: float = 0.95) -> Description:
    """Describe an item from its count table: ``describe({1: 3, 4: 7, 5: 2}, scale_min=1, scale_max=5)``.

    ``counts`` is ``{code: count}`` or ``(codes, counts)``; codes must lie in
    ``[scale_min, scale_max]`` ("keine Angabe" belongs outside the table). The interval is
    ``mean ± t(1 − (1 − confidence)/2, n − 1) · sd / √n``.
    """
    codes, weights = table_from_counts(counts)
    return _describe(codes, weights, scale_min, scale_max, confidence)


def describe_values(
    values: npt.ArrayLike, *, scale_min: float, scale_max: float, confidence: float = 0.95
) -> Description:
    """Describe raw answers (or per-respondent value scores); equal to :func:`describe` on their counts.

    Missing answers must be removed first (NaN raises ``ValueError``).
    """
    codes, weights = table_from_values(values)
    return _describe(codes, weights, scale_min, scale_max, confidence)


def _describe(
    codes: FloatArray, weights: IntArray, scale_min: float, scale_max: float, confidence: float
) -> Description:
    confidence = check_confidence(confidence)
    scale_min, scale_max = float(scale_min), float(scale_max)
    if not (math.isfinite(scale_min) and math.isfinite(scale_max) and scale_min < scale_max):
        raise ValueError(f"scale_min must be below scale_max, got {scale_min} and {scale_max}")
    outside = (codes < scale_min) | (codes > scale_max)
    if np.any(outside):
        raise ValueError(
            f"answer {codes[outside][0]:g} lies outside the scale [{scale_min:g}, {scale_max:g}]; "
            "is 'keine Angabe' still in the data?"
        )
    n = int(weights.sum())
    empty = Summary(None, None, None, None)
    if n == 0:
        return Description(0, scale_min, scale_max, confidence, empty, empty)
    # All answers equal: the mean is that answer and the spread exactly 0, with no rounding residue.
    mean = float(codes[0]) if codes.size == 1 else float(np.sum(codes * weights) / n)
    if n == 1:
        sd = low = high = None
    else:
        sd = math.sqrt(float(np.sum(weights * (codes - mean) ** 2)) / (n - 1))
        half = float(_sps.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
        low, high = mean - half, mean + half
    width = scale_max - scale_min

    def to_score(x: float | None) -> float | None:
        return None if x is None else (x - scale_min) / width * 100.0

    return Description(
        n=n,
        scale_min=scale_min,
        scale_max=scale_max,
        confidence=confidence,
        scale=Summary(mean, sd, low, high),
        score=Summary(
            to_score(mean), None if sd is None else sd / width * 100.0, to_score(low), to_score(high)
        ),
    )
