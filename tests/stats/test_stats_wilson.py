"""wilson: Newcombe's published intervals, scipy, and the interval's guarantees."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import Interval, wilson

#: Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
#: comparison of seven methods. Statistics in Medicine 17, 857–872 — Table II, method 3
#: (Wilson score interval without continuity correction), 95 %, printed to 4 decimals.
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE_1998)
def test_newcombe_1998_table(k: int, n: int, low: float, high: float) -> None:
    result = wilson(k, n)
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("k", "n"), [(81, 263), (15, 148), (0, 20), (1, 29), (29, 29), (3, 7), (0, 1), (1, 1)]
)
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_matches_scipy(k: int, n: int, confidence: float) -> None:
    # Reference: scipy.stats.binomtest(k, n).proportion_ci(confidence_level, method="wilson")
    reference = sps.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson(k, n, confidence)
    assert low == pytest.approx(reference.low, abs=1e-12)
    assert high == pytest.approx(reference.high, abs=1e-12)


def test_result_is_a_named_pair() -> None:
    result = wilson(3, 10)
    assert isinstance(result, Interval)
    low, high = result
    assert (low, high) == (result.low, result.high)


@pytest.mark.parametrize(
    ("k", "n", "message"),
    [(0, 0, "n ≥ 1"), (5, 4, "between 0 and n"), (-1, 4, "between 0 and n"), (1.5, 4, "whole number")],
)
def test_bad_input_is_refused(k: float, n: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson(k, n)  # type: ignore[arg-type]


def test_bad_confidence_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson(1, 2, confidence=0)


@given(data=st.data(), n=st.integers(1, 10_000), confidence=st.floats(0.5, 0.999))
def test_interval_contains_the_share_and_lies_in_unit_range(
    data: st.DataObject, n: int, confidence: float
) -> None:
    k = data.draw(st.integers(0, n))
    low, high = wilson(k, n, confidence)
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert low < high
