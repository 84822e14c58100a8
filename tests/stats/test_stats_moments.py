"""Groups known by their sums (mean_variance, describe_moments) and Cohen's d: against numpy,
scipy and pingouin, and equal to the same figures from the values themselves."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pingouin
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import (
    Summary,
    cohens_d,
    cohens_d_from_summary,
    describe_moments,
    describe_values,
    mean_variance,
    welch,
    welch_from_summary,
)

# Student's sleep data (Cushny & Peebles 1905), as in test_stats_compare.py
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
# value scores on 0–100 of two groups of different size
SCORES_X = [62.5, 75.0, 50.0, 87.5, 68.75, 43.75, 100.0]
SCORES_Y = [81.25, 93.75, 75.0, 62.5, 100.0, 87.5, 68.75, 93.75, 56.25]

#: value scores on 0–100 as persons have them: means over a few items, so on a grid (1/48)
scores = st.lists(st.integers(0, 4800).map(lambda i: i / 48), min_size=2, max_size=60)


def _sums(values: list[float]) -> tuple[int, float, float]:
    return len(values), math.fsum(values), math.fsum(v * v for v in values)


def test_mean_variance_matches_numpy() -> None:
    for values in (SLEEP_1, SLEEP_2, SCORES_X):
        mean, variance = mean_variance(*_sums(values))
        assert mean == pytest.approx(np.mean(values), rel=1e-12, abs=1e-12)
        assert variance == pytest.approx(np.var(values, ddof=1), rel=1e-12)


def test_describe_moments_matches_scipy_t_interval() -> None:
    for confidence in (0.9, 0.95):
        result = describe_moments(*_sums(SLEEP_2), confidence=confidence)
        # Reference: scipy.stats.ttest_1samp(...).confidence_interval(confidence)
        ci = sps.ttest_1samp(SLEEP_2, 0.0).confidence_interval(confidence)
        assert result.mean == pytest.approx(np.mean(SLEEP_2), rel=1e-12)
        assert result.sd == pytest.approx(np.std(SLEEP_2, ddof=1), rel=1e-12)
        assert (result.low, result.high) == pytest.approx((ci.low, ci.high), rel=1e-12)


@given(values=scores)
def test_describe_moments_equals_describe_values(values: list[float]) -> None:
    by_sums = describe_moments(*_sums(values))
    by_values = describe_values(values, scale_min=0, scale_max=100).scale
    assert by_sums.mean == pytest.approx(by_values.mean, rel=1e-9, abs=1e-9)
    for mine, theirs in (
        (by_sums.sd, by_values.sd),
        (by_sums.low, by_values.low),
        (by_sums.high, by_values.high),
    ):
        assert mine is not None and theirs is not None
        # the sums lose digits where the spread is tiny against the mean: compare on the scale
        assert mine == pytest.approx(theirs, abs=1e-5)


def test_describe_moments_edges() -> None:
    assert describe_moments(0, 0.0, 0.0) == Summary(None, None, None, None)
    assert describe_moments(1, 42.0, 42.0 * 42.0) == Summary(42.0, None, None, None)
    # 0.1 three times: Σx² − (Σx)²/n leaves about 1e-18, which is no spread
    flat = describe_moments(3, 0.1 + 0.1 + 0.1, 3 * 0.1 * 0.1)
    assert flat.sd == 0.0 and flat.low == flat.high == flat.mean == pytest.approx(0.1)
    assert mean_variance(3, 0.1 + 0.1 + 0.1, 3 * 0.1 * 0.1)[1] == 0.0
    assert mean_variance(1, 5.0, 25.0) == (5.0, 0.0)


def test_moments_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        mean_variance(0, 0.0, 0.0)
    for n in (-1, 2.5, True):
        with pytest.raises(ValueError, match="whole number"):
            describe_moments(n, 1.0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        mean_variance(2, math.inf, 1.0)
    with pytest.raises(ValueError, match="negative variance"):
        mean_variance(2, 10.0, 1.0)  # values summing to 10 have Σx² ≥ 50
    with pytest.raises(ValueError, match="confidence"):
        describe_moments(3, 3.0, 5.0, confidence=1.0)


@pytest.mark.parametrize(("x", "y"), [(SLEEP_1, SLEEP_2), (SCORES_X, SCORES_Y)])
def test_welch_from_sums_matches_scipy(x: list[float], y: list[float]) -> None:
    # Reference: scipy.stats.ttest_ind(y, x, equal_var=False), from the groups' sums
    (mx, vx), (my, vy) = mean_variance(*_sums(x)), mean_variance(*_sums(y))
    result = welch_from_summary(len(x), mx, vx, len(y), my, vy)
    reference = sps.ttest_ind(y, x, equal_var=False)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert result.df == pytest.approx(reference.df, rel=1e-10)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_cohens_d_matches_pingouin() -> None:
    # pingouin's d for two measurements of equal size (paired=True) is d_av, √((var x + var y)/2);
    # for unpaired groups of equal size its pooled sd is the same. Its sign is x − y, ours y − x.
    d = cohens_d(SLEEP_1, SLEEP_2)
    assert d == pytest.approx(
        pingouin.compute_effsize(SLEEP_2, SLEEP_1, paired=True, eftype="cohen"), rel=1e-12
    )
    assert d == pytest.approx(
        pingouin.compute_effsize(SLEEP_2, SLEEP_1, paired=False, eftype="cohen"), rel=1e-12
    )
    assert d is not None and d > 0
    assert cohens_d(SLEEP_2, SLEEP_1) == pytest.approx(-d, rel=1e-15)


def test_cohens_d_of_groups_of_different_size_is_d_av() -> None:
    # by hand with the statistics module: the mean of the two variances, not weighted by size
    spread = math.sqrt((statistics.variance(SCORES_X) + statistics.variance(SCORES_Y)) / 2)
    expected = (statistics.fmean(SCORES_Y) - statistics.fmean(SCORES_X)) / spread
    assert cohens_d(SCORES_X, SCORES_Y) == pytest.approx(expected, rel=1e-12)
    # and it differs from the size-weighted pooled sd pingouin uses for unpaired groups
    pooled = pingouin.compute_effsize(SCORES_Y, SCORES_X, paired=False, eftype="cohen")
    assert cohens_d(SCORES_X, SCORES_Y) != pytest.approx(pooled, rel=1e-6)


@given(x=scores, y=scores)
def test_cohens_d_from_summary_equals_raw(x: list[float], y: list[float]) -> None:
    raw = cohens_d(x, y)
    summary = cohens_d_from_summary(
        float(np.mean(x)), float(np.var(x, ddof=1)), float(np.mean(y)), float(np.var(y, ddof=1))
    )
    if raw is None:
        assert np.ptp(x) == 0 and np.ptp(y) == 0
        return
    assert summary is not None
    assert raw == pytest.approx(summary, rel=1e-6, abs=1e-9)
    # d · spread is the mean difference Welch reports
    spread = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2)
    assert raw * spread == pytest.approx(welch(x, y).difference, rel=1e-6, abs=1e-6)


def test_cohens_d_edges() -> None:
    assert cohens_d([2.0, 2.0], [3.0, 3.0, 3.0]) is None  # no spread to measure the difference in
    assert cohens_d_from_summary(2.0, 0.0, 3.0, 0.0) is None
    assert cohens_d_from_summary(2.0, 1.0, 3.0, 1.0) == 1.0
    assert cohens_d_from_summary(2.0, 2.0, 2.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="at least 2 values"):
        cohens_d([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        cohens_d([1.0, math.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="negative"):
        cohens_d_from_summary(0.0, -1.0, 1.0, 1.0)
