"""Two-group comparisons: Brunner–Munzel, Cliff's δ, Welch — published results, scipy, counts == raw."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import (
    BrunnerMunzel,
    brunner_munzel,
    brunner_munzel_counts,
    cliffs_delta,
    cliffs_delta_counts,
    welch,
)

# Pain scores on the third day after surgery, treatment Y (14) and N (11): Brunner & Munzel
# (2000), corrected in Neubert & Brunner (2007); the example of R brunnermunzel::brunnermunzel.test
# (help page and README), whose output is quoted below.
PAIN_Y = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
PAIN_N = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
# Hamilton depression scale, first (x) and second (y) visit: Hollander & Wolfe (1973), p. 29f;
# the other example of the same help page. (brunnermunzel.test's code is lawstat's
# brunner.munzel.test, slightly modified, so both give these figures.)
HAMILTON_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HAMILTON_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def _printed(value: float, decimals: int) -> dict[str, float]:
    """pytest.approx tolerance for a number printed with this many decimals: half a last digit."""
    return {"abs": 0.5 * 10.0**-decimals + 1e-15}


def test_brunner_munzel_pain_scores() -> None:
    result = brunner_munzel(PAIN_Y, PAIN_N)
    # R brunnermunzel.test(Y, N): statistic 3.1375, df 17.683, p 0.005786,
    # 95 % CI 0.5952169 0.9827052, P(X<Y)+.5*P(X=Y) 0.788961
    assert result.statistic == pytest.approx(3.1375, **_printed(3.1375, 4))
    assert result.df == pytest.approx(17.683, **_printed(17.683, 3))
    assert result.p == pytest.approx(0.005786, **_printed(0.005786, 6))
    assert result.low == pytest.approx(0.5952169, **_printed(0.5952169, 7))
    assert result.high == pytest.approx(0.9827052, **_printed(0.9827052, 7))
    assert result.p_hat == pytest.approx(0.788961, **_printed(0.788961, 6))
    # Exact: 243/308 (pairs Y<N plus half the ties, over 14·11).
    assert result.p_hat == pytest.approx(243 / 308, abs=1e-15)


def test_brunner_munzel_hollander_wolfe() -> None:
    result = brunner_munzel(HAMILTON_X, HAMILTON_Y)
    # R brunnermunzel.test(x, y): statistic -1.4673, df 15.147, p 0.1628,
    # 95 % CI -0.02962941 0.59753064, estimate 0.2839506 (the interval is not clipped at 0)
    assert result.statistic == pytest.approx(-1.4673, **_printed(-1.4673, 4))
    assert result.df == pytest.approx(15.147, **_printed(15.147, 3))
    assert result.p == pytest.approx(0.1628, **_printed(0.1628, 4))
    assert result.low == pytest.approx(-0.02962941, **_printed(-0.02962941, 8))
    assert result.high == pytest.approx(0.59753064, **_printed(0.59753064, 8))
    assert result.p_hat == pytest.approx(0.2839506, **_printed(0.2839506, 7))


def test_brunner_munzel_count_table_example() -> None:
    # R brunnermunzel.test(matrix(c(4, 4, 2, 1, 5, 4), nr = 2, byrow = TRUE)) — a count table
    # over three ordered codes: statistic 1.5511, df 16.961, p 0.1393,
    # 95 % CI 0.4351213 0.9248787, estimate 0.68
    result = brunner_munzel_counts({1: 4, 2: 4, 3: 2}, {1: 1, 2: 5, 3: 4})
    assert result.statistic == pytest.approx(1.5511, **_printed(1.5511, 4))
    assert result.df == pytest.approx(16.961, **_printed(16.961, 3))
    assert result.p == pytest.approx(0.1393, **_printed(0.1393, 4))
    assert result.low == pytest.approx(0.4351213, **_printed(0.4351213, 7))
    assert result.high == pytest.approx(0.9248787, **_printed(0.9248787, 7))
    assert result.p_hat == pytest.approx(0.68, abs=1e-15)
    assert result == brunner_munzel([1] * 4 + [2] * 4 + [3] * 2, [1] * 1 + [2] * 5 + [3] * 4)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (PAIN_Y, PAIN_N),
        (HAMILTON_X, HAMILTON_Y),
        ([1, 2, 2, 3, 5, 5, 4], [2, 3, 3, 4, 4, 5, 5, 5, 1]),
        ([1.5, 2.25, 3.0, 3.0], [1.0, 4.0, 4.5]),
    ],
)
def test_brunner_munzel_matches_scipy(x: list[float], y: list[float]) -> None:
    # Reference: scipy.stats.brunnermunzel(x, y) (two-sided, t distribution)
    reference = sps.brunnermunzel(x, y)
    result = brunner_munzel(x, y)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12, abs=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-12, abs=1e-14)


def test_brunner_munzel_direction() -> None:
    forward, backward = brunner_munzel(PAIN_Y, PAIN_N), brunner_munzel(PAIN_N, PAIN_Y)
    assert backward.p_hat == pytest.approx(1 - forward.p_hat, abs=1e-15)
    assert backward.statistic == pytest.approx(-forward.statistic, abs=1e-12)
    assert backward.p == pytest.approx(forward.p, abs=1e-15)
    assert (backward.low, backward.high) == pytest.approx((1 - forward.high, 1 - forward.low), abs=1e-12)


def test_brunner_munzel_all_equal_is_no_difference() -> None:
    # Documented convention (variance 0, the t-approximation is undefined): p̂ = 0.5, p = 1.
    for result in (brunner_munzel([3, 3, 3], [3, 3]), brunner_munzel_counts({4: 10}, {4: 7})):
        assert result.p_hat == 0.5
        assert result.p == 1.0
        assert result.statistic == 0.0
        assert result.df is None
        assert (result.low, result.high) == (0.5, 0.5)


def test_brunner_munzel_separated_groups() -> None:
    # R brunnermunzel ≥ 1.3.0 (bm_test): non-overlapping data give estimate 1 (or 0),
    # interval [estimate, estimate], two-sided p = 0, statistic ±Inf and df NaN — here None.
    up = brunner_munzel([1, 1, 2, 2, 2], [3, 4, 4, 5, 5])
    assert up == BrunnerMunzel(5, 5, 1.0, 1.0, 1.0, None, None, 0.0, 0.95)
    down = brunner_munzel_counts({4: 3, 5: 2}, {1: 2, 2: 3})
    assert (down.p_hat, down.low, down.high, down.p, down.statistic) == (0.0, 0.0, 0.0, 0.0, None)


def test_brunner_munzel_needs_two_answers_per_group() -> None:
    with pytest.raises(ValueError, match="at least 2 answers"):
        brunner_munzel([1], [2, 3])
    with pytest.raises(ValueError, match="at least 2 answers"):
        brunner_munzel_counts({1: 3}, {})
    with pytest.raises(ValueError, match="negative"):
        brunner_munzel_counts({1: 3, 2: -1}, {1: 2, 2: 2})
    with pytest.raises(ValueError, match="NaN"):
        brunner_munzel([1, 2, math.nan], [1, 2])


def test_cliffs_delta_effsize_example() -> None:
    # R effsize::cliff.delta(treatment, control) help-page example: delta estimate -0.25 (small).
    # effsize computes P(treatment > control) − P(treatment < control), i.e. our (x=control, y=treatment).
    treatment = [10, 10, 20, 20, 20, 30, 30, 30, 40, 50]
    control = [10, 20, 30, 40, 40, 50]
    assert cliffs_delta(control, treatment).delta == -0.25
    assert cliffs_delta(treatment, control).delta == 0.25
    assert cliffs_delta_counts(Counter(control), Counter(treatment)).delta == -0.25


def test_cliffs_delta_is_two_p_hat_minus_one() -> None:
    delta = cliffs_delta(PAIN_Y, PAIN_N).delta
    assert delta == pytest.approx(2 * brunner_munzel(PAIN_Y, PAIN_N).p_hat - 1, abs=1e-15)
    # Brute force over all 154 pairs.
    pairs = [(a, b) for a in PAIN_Y for b in PAIN_N]
    assert delta == (sum(b > a for a, b in pairs) - sum(b < a for a, b in pairs)) / len(pairs)


def test_cliffs_delta_edges() -> None:
    assert cliffs_delta([1], [1]).delta == 0.0
    assert cliffs_delta([1, 2], [3]).delta == 1.0
    with pytest.raises(ValueError, match="at least 1 answer"):
        cliffs_delta([], [1])
    with pytest.raises(ValueError, match="must match"):
        cliffs_delta_counts(([1, 2], [1]), {1: 1})


# Student's sleep data (Cushny & Peebles 1905): extra hours of sleep under drug 1 and drug 2.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_r_sleep_example() -> None:
    # R t.test(extra ~ group, data = sleep) help-page example (Welch): t = -1.8608, df = 17.776,
    # p-value = 0.07939, 95 % CI -3.3654832 0.2054832 for mean(group 1) − mean(group 2);
    # our difference is y − x, so the signs flip.
    result = welch(SLEEP_1, SLEEP_2)
    assert result.difference == pytest.approx(2.33 - 0.75, abs=1e-12)
    assert result.statistic == pytest.approx(1.8608, **_printed(1.8608, 4))
    assert result.df == pytest.approx(17.776, **_printed(17.776, 3))
    assert result.p == pytest.approx(0.07939, **_printed(0.07939, 5))
    assert result.low == pytest.approx(-0.2054832, **_printed(0.2054832, 7))
    assert result.high == pytest.approx(3.3654832, **_printed(3.3654832, 7))


@pytest.mark.parametrize(
    ("x", "y"),
    [(SLEEP_1, SLEEP_2), (PAIN_Y, PAIN_N), ([3.2, 4.1, 2.9, 3.8, 4.4], [2.0, 2.5, 4.9, 3.1])],
)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_welch_matches_scipy(x: list[float], y: list[float], confidence: float) -> None:
    # Reference: scipy.stats.ttest_ind(y, x, equal_var=False) and .confidence_interval()
    reference = sps.ttest_ind(y, x, equal_var=False)
    ci = reference.confidence_interval(confidence)
    result = welch(x, y, confidence=confidence)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.df == pytest.approx(reference.df, rel=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-10)
    assert (result.low, result.high) == pytest.approx((ci.low, ci.high), rel=1e-12, abs=1e-12)


def test_welch_degenerate_and_bad_input() -> None:
    same = welch([2.0, 2.0], [2.0, 2.0, 2.0])
    assert (same.difference, same.p, same.statistic, same.df) == (0.0, 1.0, 0.0, None)
    apart = welch([2.0, 2.0], [3.0, 3.0])
    assert (apart.difference, apart.low, apart.high, apart.p, apart.statistic) == (1.0, 1.0, 1.0, 0.0, None)
    with pytest.raises(ValueError, match="at least 2 values"):
        welch([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        welch([1.0, math.nan], [1.0, 2.0])


likert_group = st.lists(st.integers(1, 5), min_size=2, max_size=40)


@given(x=likert_group, y=likert_group)
def test_counts_path_equals_raw_path(x: list[int], y: list[int]) -> None:
    assert brunner_munzel_counts(Counter(x), Counter(y)) == brunner_munzel(x, y)
    assert cliffs_delta_counts(Counter(x), Counter(y)) == cliffs_delta(x, y)
    # the (codes, counts) form with codes nobody chose gives the same
    codes = np.arange(0, 7)
    as_pair_x = (codes, np.bincount(x, minlength=7))
    as_pair_y = (codes, np.bincount(y, minlength=7))
    assert brunner_munzel_counts(as_pair_x, as_pair_y) == brunner_munzel(x, y)


@given(x=likert_group, y=likert_group)
def test_brunner_munzel_agrees_with_scipy_on_likert_data(x: list[int], y: list[int]) -> None:
    result = brunner_munzel(x, y)
    assume(result.df is not None)
    reference = sps.brunnermunzel(x, y)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-9, abs=1e-12)
    assert result.p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)
    assert 0.0 <= result.p <= 1.0
    assert result.low <= result.p_hat <= result.high


def test_welch_constant_non_integer_groups_are_exact() -> None:
    # np.mean([0.1, 0.1, 0.1]) != np.mean([0.1, 0.1]) in floating point; still no difference.
    result = welch([0.1, 0.1, 0.1], [0.1, 0.1])
    assert (result.difference, result.low, result.high, result.p) == (0.0, 0.0, 0.0, 1.0)
