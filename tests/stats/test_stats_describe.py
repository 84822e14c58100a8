"""describe / describe_values: against numpy and scipy, the 0–100 transform, edge cases, counts == raw."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import Description, Summary, describe, describe_values

LIKERT = {1: 3, 2: 5, 3: 10, 4: 7, 5: 5}
LIKERT_VALUES = [code for code, count in LIKERT.items() for _ in range(count)]


def test_matches_numpy_and_scipy_t_interval() -> None:
    result = describe(LIKERT, scale_min=1, scale_max=5)
    values = np.array(LIKERT_VALUES, dtype=float)
    # Reference: numpy mean / std(ddof=1); scipy.stats.ttest_1samp(...).confidence_interval(0.95)
    reference_ci = sps.ttest_1samp(values, 0.0).confidence_interval(0.95)
    assert result.n == 30
    assert result.scale.mean == pytest.approx(values.mean(), abs=1e-12)
    assert result.scale.sd == pytest.approx(values.std(ddof=1), abs=1e-12)
    assert result.scale.low == pytest.approx(reference_ci.low, abs=1e-12)
    assert result.scale.high == pytest.approx(reference_ci.high, abs=1e-12)
    # Reference: scipy.stats.t.interval at another confidence
    other = describe(LIKERT, scale_min=1, scale_max=5, confidence=0.9)
    se = values.std(ddof=1) / math.sqrt(values.size)
    low, high = sps.t.interval(0.9, values.size - 1, loc=values.mean(), scale=se)
    assert (other.scale.low, other.scale.high) == pytest.approx((low, high), abs=1e-12)


def test_hand_computed_small_table() -> None:
    # {2: 1, 4: 1}: mean 3, sd √2, half width t·√2/√2 = t, and t(0.975, df=1) is the Cauchy
    # quantile tan(π·0.475) = 12.7062047361747 (closed form, no library involved).
    t = math.tan(math.pi * 0.475)
    result = describe({2: 1, 4: 1}, scale_min=1, scale_max=5)
    assert result.scale.mean == 3.0
    assert result.scale.sd == pytest.approx(math.sqrt(2), abs=1e-15)
    assert result.scale.low == pytest.approx(3 - t, abs=1e-12)
    assert result.scale.high == pytest.approx(3 + t, abs=1e-12)


def test_zero_to_hundred_transform() -> None:
    result = describe(LIKERT, scale_min=1, scale_max=5)

    def to_score(x: float) -> float:
        return (x - 1) / 4 * 100

    assert result.score.mean == pytest.approx(to_score(result.scale.mean), abs=1e-12)
    assert result.score.sd == pytest.approx(result.scale.sd * 25, abs=1e-12)
    assert result.score.low == pytest.approx(to_score(result.scale.low), abs=1e-12)
    assert result.score.high == pytest.approx(to_score(result.scale.high), abs=1e-12)
    # The scale ends map to 0 and 100; 0–10 scales work the same.
    assert describe({1: 4}, scale_min=1, scale_max=5).score.mean == 0.0
    assert describe({5: 4}, scale_min=1, scale_max=5).score.mean == 100.0
    assert describe({7: 2}, scale_min=0, scale_max=10).score.mean == pytest.approx(70.0)


def test_codes_and_counts_pair_and_mapping_agree() -> None:
    as_pair = describe(([5, 4, 3, 2, 1], [5, 7, 10, 5, 3]), scale_min=1, scale_max=5)
    assert as_pair == describe(LIKERT, scale_min=1, scale_max=5)
    with_empty_code = describe({**LIKERT, 6: 0}, scale_min=1, scale_max=6)
    assert with_empty_code.scale == describe(LIKERT, scale_min=1, scale_max=5).scale


def test_no_answers() -> None:
    empty = Summary(None, None, None, None)
    for counts in ({}, {1: 0, 2: 0}):
        result = describe(counts, scale_min=1, scale_max=5)
        assert result == Description(0, 1.0, 5.0, 0.95, empty, empty)
    assert describe_values([], scale_min=1, scale_max=5).n == 0


def test_one_answer_has_a_mean_but_no_spread() -> None:
    result = describe({4: 1}, scale_min=1, scale_max=5)
    assert result.n == 1
    assert result.scale == Summary(4.0, None, None, None)
    assert result.score == Summary(75.0, None, None, None)


def test_all_equal_answers_give_zero_width() -> None:
    result = describe({3: 12}, scale_min=1, scale_max=5)
    assert result.scale == Summary(3.0, 0.0, 3.0, 3.0)
    assert result.score == Summary(50.0, 0.0, 50.0, 50.0)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({1: -1, 2: 3}, "negative"),
        (([1, 2, 3], [1, 2]), "must match"),
        ({1: 1.5}, "whole numbers"),
        ({1: math.nan}, "finite"),
        (([1, 1], [2, 3]), "only once"),
        ({math.nan: 2}, "codes must be finite"),
        ({9: 2}, "outside the scale"),
        ([1, 2, 3], "mapping"),
        ((["a"], [1]), "numbers"),
    ],
)
def test_bad_count_tables_are_refused(counts: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        describe(counts, scale_min=1, scale_max=5)  # type: ignore[arg-type]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="scale_min must be below scale_max"):
        describe(LIKERT, scale_min=5, scale_max=1)
    with pytest.raises(ValueError, match="confidence"):
        describe(LIKERT, scale_min=1, scale_max=5, confidence=1.0)
    with pytest.raises(ValueError, match="NaN"):
        describe_values([1, 2, math.nan], scale_min=1, scale_max=5)
    with pytest.raises(ValueError, match="one-dimensional"):
        describe_values([[1, 2], [3, 4]], scale_min=1, scale_max=5)
    with pytest.raises(ValueError, match="keine Angabe"):
        describe_values([1, 2, 99], scale_min=1, scale_max=5)


likert_answers = st.lists(st.integers(1, 5), max_size=60)
scores = st.lists(st.sampled_from([1.0, 1.25, 2.5, 3.0, 3.75, 4.2, 5.0]), max_size=60)


@given(values=likert_answers | scores, confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_counts_path_equals_raw_path(values: list[float], confidence: float) -> None:
    raw = describe_values(values, scale_min=1, scale_max=5, confidence=confidence)
    counted = describe(Counter(values), scale_min=1, scale_max=5, confidence=confidence)
    assert counted == raw  # identical, not merely close
    if len(values) >= 2:
        assert raw.scale.mean == pytest.approx(float(np.mean(values)), abs=1e-12)
        assert raw.scale.sd == pytest.approx(float(np.std(values, ddof=1)), abs=1e-12)


def test_all_equal_non_integer_scores_are_exact() -> None:
    # 0.1 · 3 / 3 is not 0.1 in floating point; the figures must still be exact.
    result = describe_values([0.1, 0.1, 0.1], scale_min=0, scale_max=1)
    assert result.scale == Summary(0.1, 0.0, 0.1, 0.1)
