"""Two groups compared: wave against wave, unit against parent, staff against citizens.

Direction: everywhere in this module a positive effect means **y tends to be larger than x**
(pass the earlier wave as x and the later one as y, so improvement is positive):
``BrunnerMunzel.p_hat`` > 0.5, ``CliffsDelta.delta`` > 0, ``Welch.difference`` > 0,
:func:`cohens_d` > 0.
"""

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
    align,
    check_confidence,
    table_from_counts,
    table_from_values,
    values_array,
)


@dataclass(frozen=True, slots=True)
class BrunnerMunzel:
    """Brunner–Munzel test of p = P(X<Y) + ½·P(X=Y) = ½ (Brunner & Munzel 2000).

    ``p_hat`` estimates p; ``low``/``high`` is its interval ``p̂ ± t(df)·se`` with the
    Welch–Satterthwaite ``df`` as in Neubert & Brunner (2007) and R ``lawstat`` /
    ``brunnermunzel``. Like those references the interval is not clipped to [0, 1].
    ``p`` is two-sided. When both rank variances are 0 the t-approximation is undefined and
    ``df`` is None: if all answers in both groups are equal, p̂ = 0.5, p = 1 and statistic 0;
    if the groups do not overlap at all, p̂ = 0 or 1, p = 0 and statistic None (R: ±Inf) —
    the convention of R ``brunnermunzel`` ≥ 1.3.0. The interval is then [p̂, p̂].
    """

    n_x: int
    n_y: int
    p_hat: float
    low: float
    high: float
    statistic: float | None
    df: float | None
    p: float
    confidence: float


@dataclass(frozen=True, slots=True)
class CliffsDelta:
    """Cliff's δ = P(Y>X) − P(Y<X) = 2·p̂ − 1, in [−1, 1] (Cliff 1993)."""

    n_x: int
    n_y: int
    delta: float


@dataclass(frozen=True, slots=True)
class Welch:
    """Welch's unequal-variance t-test for ``difference = mean(y) − mean(x)``.

    ``low``/``high`` is the Welch interval of the difference; ``p`` is two-sided. When both
    groups are constant, ``df`` is None and the interval is [difference, difference]: equal
    values give p = 1 and statistic 0, different values p = 0 and statistic None, as
    :class:`BrunnerMunzel` does.
    """

    n_x: int
    n_y: int
    difference: float
    low: float
    high: float
    statistic: float | None
    df: float | None
    p: float
    confidence: float


def brunner_munzel(x: npt.ArrayLike, y: npt.ArrayLike, *, confidence: float = 0.95) -> BrunnerMunzel:
    """Brunner–Munzel test on raw answers; equal to :func:`brunner_munzel_counts` on their counts.

    Each group needs at least two answers (``ValueError`` otherwise, as in R).
    """
    return _brunner_munzel(*align(table_from_values(x, what="x"), table_from_values(y, what="y")), confidence)


def brunner_munzel_counts(x: Counts, y: Counts, *, confidence: float = 0.95) -> BrunnerMunzel:
    """Brunner–Munzel test on two count tables over the same ordered codes (``{code: count}``).

    A code missing from one table counts as 0 there. Only the order of the codes matters.
    """
    return _brunner_munzel(*align(table_from_counts(x, what="x"), table_from_counts(y, what="y")), confidence)


def cliffs_delta(x: npt.ArrayLike, y: npt.ArrayLike) -> CliffsDelta:
    """Cliff's δ of raw answers, P(Y>X) − P(Y<X); equal to :func:`cliffs_delta_counts` on their counts.

    Note the direction: R ``effsize::cliff.delta(d, f)`` is P(d>f) − P(d<f), so it equals
    ``cliffs_delta(x=f, y=d)``.
    """
    return _cliffs_delta(*align(table_from_values(x, what="x"), table_from_values(y, what="y")))


def cliffs_delta_counts(x: Counts, y: Counts) -> CliffsDelta:
    """Cliff's δ of two count tables over the same ordered codes."""
    return _cliffs_delta(*align(table_from_counts(x, what="x"), table_from_counts(y, what="y")))


def welch(x: npt.ArrayLike, y: npt.ArrayLike, *, confidence: float = 0.95) -> Welch:
    """Welch's t-test and interval for mean(y) − mean(x) on raw (continuous) scores.

    Matches ``scipy.stats.ttest_ind(y, x, equal_var=False)`` and its
    ``confidence_interval()``; note the argument order there. Each group needs two values.
    """
    confidence = check_confidence(confidence)
    xs, ys = values_array(x, what="x"), values_array(y, what="y")
    if xs.size < 2 or ys.size < 2:
        raise ValueError(f"welch needs at least 2 values in each group, got {xs.size} and {ys.size}")
    mx, vx = _mean_var(xs)
    my, vy = _mean_var(ys)
    return welch_from_summary(xs.size, mx, vx, ys.size, my, vy, confidence=confidence)


def welch_from_summary(
    nx: int, mean_x: float, var_x: float, ny: int, mean_y: float, var_y: float, *, confidence: float = 0.95
) -> Welch:
    """:func:`welch` from each group's size, mean and variance (n − 1), for groups summed up in
    the database; matches ``scipy.stats.ttest_ind_from_stats(..., equal_var=False)``."""
    confidence = check_confidence(confidence)
    if nx < 2 or ny < 2:
        raise ValueError(f"welch needs at least 2 values in each group, got {nx} and {ny}")
    if var_x < 0 or var_y < 0:
        raise ValueError(f"a variance cannot be negative, got {var_x} and {var_y}")
    mx, vx, my, vy = float(mean_x), float(var_x), float(mean_y), float(var_y)
    difference = my - mx
    sx, sy = vx / nx, vy / ny
    if sx + sy == 0.0:
        if difference == 0.0:
            return Welch(nx, ny, 0.0, 0.0, 0.0, 0.0, None, 1.0, confidence)
        return Welch(nx, ny, difference, difference, difference, None, None, 0.0, confidence)
    se = math.sqrt(sx + sy)
    df = (sx + sy) ** 2 / (sx**2 / (nx - 1) + sy**2 / (ny - 1))
    statistic = difference / se
    p = min(1.0, 2.0 * float(_sps.t.sf(abs(statistic), df)))
    half = float(_sps.t.ppf(0.5 + confidence / 2, df)) * se
    return Welch(nx, ny, difference, difference - half, difference + half, statistic, df, p, confidence)


def cohens_d(x: npt.ArrayLike, y: npt.ArrayLike) -> float | None:
    """Cohen's d of raw scores, (mean(y) − mean(x)) / √((var(x) + var(y)) / 2); the effect size
    shown beside :func:`welch`, with the same means (so ``d · sd`` is ``Welch.difference``).

    The standardiser is the mean of the two variances (n − 1), Cumming's (2012) d_av: the same
    as the pooled sd for groups of equal size, and independent of how large each group is. It
    equals ``pingouin.compute_effsize(y, x, paired=True)`` (which uses d_av for that reason).
    None when neither group varies (no spread to measure the difference in). Each group needs
    two values.
    """
    xs, ys = values_array(x, what="x"), values_array(y, what="y")
    if xs.size < 2 or ys.size < 2:
        raise ValueError(f"cohens_d needs at least 2 values in each group, got {xs.size} and {ys.size}")
    (mx, vx), (my, vy) = _mean_var(xs), _mean_var(ys)
    return cohens_d_from_summary(mx, vx, my, vy)


def cohens_d_from_summary(mean_x: float, var_x: float, mean_y: float, var_y: float) -> float | None:
    """:func:`cohens_d` from each group's mean and variance (n − 1), for groups summed up in the
    database (see :func:`mean_variance`)."""
    if var_x < 0 or var_y < 0:
        raise ValueError(f"a variance cannot be negative, got {var_x} and {var_y}")
    spread = math.sqrt((float(var_x) + float(var_y)) / 2)
    if spread == 0.0:
        return None
    return (float(mean_y) - float(mean_x)) / spread


def _mean_var(values: FloatArray) -> tuple[float, float]:
    """Mean and variance (n − 1); a constant group gets its value and exactly 0.

    np.mean([0.1, 0.1, 0.1]) is 0.10000000000000002: without this, two groups answering the
    same constant would show a tiny nonzero difference and p = 0 instead of p = 1.
    """
    if np.ptp(values) == 0:
        return float(values[0]), 0.0
    return float(np.mean(values)), float(np.var(values, ddof=1))


def _placements(a: IntArray, b: IntArray) -> tuple[FloatArray, FloatArray]:
    """Placements: for each code, how many of the other group lie below it, ties counted half.

    For an answer of x this equals its rank among x and y together minus its rank within x
    (the ``r - r1`` of lawstat), so the Brunner–Munzel variances follow directly from counts.
    """
    a_below = np.cumsum(a) - a
    b_below = np.cumsum(b) - b
    return b_below + b / 2.0, a_below + a / 2.0


def _brunner_munzel(codes: FloatArray, a: IntArray, b: IntArray, confidence: float) -> BrunnerMunzel:
    confidence = check_confidence(confidence)
    n1, n2 = int(a.sum()), int(b.sum())
    if n1 < 2 or n2 < 2:
        raise ValueError(f"brunner_munzel needs at least 2 answers in each group, got {n1} and {n2}")
    place_x, place_y = _placements(a, b)
    p_hat = float(np.sum(b * place_y)) / (n1 * n2)
    dev_x = place_x - float(np.sum(a * place_x)) / n1
    dev_y = place_y - float(np.sum(b * place_y)) / n2
    v1 = float(np.sum(a * dev_x**2)) / (n1 - 1)
    v2 = float(np.sum(b * dev_y**2)) / (n2 - 1)
    if v1 == 0.0 and v2 == 0.0:
        # Placements are multiples of ½ and the means of equal values are exact, so a zero
        # variance is detected exactly: either all answers are equal or the groups are separated.
        if p_hat == 0.5:
            return BrunnerMunzel(n1, n2, 0.5, 0.5, 0.5, 0.0, None, 1.0, confidence)
        return BrunnerMunzel(n1, n2, p_hat, p_hat, p_hat, None, None, 0.0, confidence)
    # Standard error of p̂ as in Neubert & Brunner (2007); the test statistic is
    # n1·n2·(m2 − m1)/((n1 + n2)·√(n1·v1 + n2·v2)) = (p̂ − ½)/se.
    se = math.sqrt(v1 / (n1 * n2 * n2) + v2 / (n2 * n1 * n1))
    statistic = (p_hat - 0.5) / se
    df = (n1 * v1 + n2 * v2) ** 2 / ((n1 * v1) ** 2 / (n1 - 1) + (n2 * v2) ** 2 / (n2 - 1))
    p = min(1.0, 2.0 * float(_sps.t.sf(abs(statistic), df)))
    half = float(_sps.t.ppf(0.5 + confidence / 2, df)) * se
    return BrunnerMunzel(n1, n2, p_hat, p_hat - half, p_hat + half, statistic, df, p, confidence)


def _cliffs_delta(codes: FloatArray, a: IntArray, b: IntArray) -> CliffsDelta:
    n1, n2 = int(a.sum()), int(b.sum())
    if n1 < 1 or n2 < 1:
        raise ValueError(f"cliffs_delta needs at least 1 answer in each group, got {n1} and {n2}")
    # Whole-number pair counts (Python ints, no overflow), so the raw and count paths agree exactly.
    a_below = np.cumsum(a) - a
    y_above = sum(int(bj) * int(ab) for bj, ab in zip(b, a_below, strict=True))
    y_below = sum(int(bj) * (n1 - int(ab) - int(aj)) for bj, ab, aj in zip(b, a_below, a, strict=True))
    return CliffsDelta(n1, n2, (y_above - y_below) / (n1 * n2))
