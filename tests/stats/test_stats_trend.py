"""Trends: Mann–Kendall against pymannkendall's published test, Theil–Sen against scipy."""

from __future__ import annotations

import math

import numpy as np
import pymannkendall
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import MIN_TREND_WAVES, MannKendall, TheilSen, mann_kendall, theil_sen

nan = math.nan

# Monthly rainfall (mm) at Bogra, Bangladesh, 1981–2010, with 7 months missing: column
# "Bogra" of tests/data/Monthly Rainfall.csv in the pyMannKendall repository (MIT licence),
# the data of its published test suite (tests/test_pymannkendall.py, test_original_test).
BOGRA_BY_YEAR = {
    1981: [32, 20, 25, 189, 240, 193, 379, 278, 301, 0, 0, 82],
    1982: [0, 4, nan, nan, 121, 234, 360, 262, 120, 30, 11, 1],
    1983: [7, 3, 31, 31, 355, 102, 248, 274, 308, nan, 5, 26],
    1984: [11, 16, 6, 48, 388, 539, 431, 272, 404, 186, 0, 2],
    1985: [0, 4, 1, 54, 272, 459, 235, 164, 365, 135, 2, nan],
    1986: [nan, 4, 0, 128, 210, 163, 446, 225, 462, 467, 19, 13],
    1987: [0, 3, 17, 132, 178, 338, 525, 623, 145, 31, 19, 3],
    1988: [0, 29, 25, 87, 259, 756, 486, 180, 292, 43, 92, 1],
    1989: [0, 16, 2, 0, 130, 253, 594, 111, 273, 30, 0, 4],
    1990: [0, 27, 24, 41, 292, 378, 499, 265, 320, 227, 4, 0],
    1991: [4, 14, 8, 48, 416, 240, 404, 207, 733, 105, 0, 112],
    1992: [0, 14, 0, 30, 140, 202, 289, 159, 424, 106, 3, 0],
    1993: [65, 3, 14, 58, 268, 466, 432, 266, 240, 95, 1, 0],
    1994: [10, 26, 4, 114, 94, 289, 173, 208, 263, 156, 5, 0],
    1995: [16, 16, 14, 0, 111, 475, 534, 432, 471, 117, 70, 1],
    1996: [3, 28, 7, 401, 184, 283, 338, 171, 335, 176, 0, 0],
    1997: [10, 11, 9, 140, 102, 208, 298, 245, 220, 29, 2, 27],
    1998: [10, 13, 26, 84, 143, 367, 749, 563, 283, 353, 10, 0],
    1999: [0, 0, 0, 9, 246, 265, 343, 429, 168, 133, 17, 0],
    2000: [18, 35, 76, 158, 272, 250, 190, 289, 466, 84, 0, 0],
    2001: [0, 0, 0, 22, 217, 299, 185, 115, 344, 203, 8, nan],
    2002: [nan, 0, 5, 284, 123, 254, 476, 496, 326, 27, 20, 0],
    2003: [4, 53, 72, 113, 214, 364, 219, 220, 156, 264, 0, 13],
    2004: [0, 0, 45, 90, 137, 638, 529, 261, 206, 251, 0, 0],
    2005: [5, 9, 58, 72, 138, 130, 471, 328, 356, 523, 0, 1],
    2006: [0, 0, 12, 143, 193, 184, 192, 138, 174, 69, 1, 0],
    2007: [0, 18, 25, 28, 92, 732, 320, 256, 302, 131, 15, 0],
    2008: [27, 0, 22, 20, 213, 393, 474, 374, 109, 159, 0, 0],
    2009: [0, 3, 3, 49, 205, 128, 194, 570, 169, 89, 0, 0],
    2010: [0, 0, 0, 26, 185, 286, 92, 225, 244, 190, 3, 20],
}
BOGRA = [value for year in sorted(BOGRA_BY_YEAR) for value in BOGRA_BY_YEAR[year]]


def test_mann_kendall_pymannkendall_published_test() -> None:
    # pyMannKendall tests/test_pymannkendall.py::test_original_test (mk.original_test on Bogra):
    # s == -1959.0, var_s == 4889800.333333333, z == -0.8854562842589916,
    # p == 0.37591058740506833, Tau == -0.03153167653875869 (missing months skipped: n = 353)
    result = mann_kendall(BOGRA)
    assert result.n == 353
    assert result.s == -1959
    assert result.var_s == pytest.approx(4889800.333333333, rel=1e-15)
    assert result.z == pytest.approx(-0.8854562842589916, abs=1e-12)
    assert result.p == pytest.approx(0.37591058740506833, abs=1e-12)
    assert result.tau == pytest.approx(-0.03153167653875869, abs=1e-12)


def test_theil_sen_on_the_published_series() -> None:
    # pyMannKendall's published test expects slope -0.0064516129032258064 (= -1/155): its
    # older sens_slope dropped the missing months and renumbered the rest. Its current
    # sens_slope (1.4.3) keeps the months' positions, as theil_sen does.
    values = np.array(BOGRA, dtype=float)
    assert theil_sen(values[~np.isnan(values)]).slope == pytest.approx(-0.0064516129032258064, abs=1e-15)
    current = pymannkendall.sens_slope(BOGRA)
    result = theil_sen(BOGRA)
    assert result.slope == pytest.approx(current.slope, abs=1e-15)
    assert result.intercept == pytest.approx(current.intercept, abs=1e-12)
    # Reference: scipy.stats.theilslopes (method "separate") on the months that have a value.
    months = np.arange(values.size, dtype=float)
    keep = ~np.isnan(values)
    reference = sps.theilslopes(values[keep], months[keep])
    assert (result.slope, result.intercept, result.low, result.high) == pytest.approx(
        (reference.slope, reference.intercept, reference.low_slope, reference.high_slope), abs=1e-12
    )


def test_mann_kendall_hand_computed() -> None:
    # Strictly increasing, n = 5: S = 10, var(S) = 5·4·15/18 = 50/3, z = (10 − 1)/√(50/3),
    # p = 2(1 − Φ(z)) = 0.0274863361115103 (pymannkendall.original_test), τ = 1.
    result = mann_kendall([1, 2, 3, 4, 5])
    assert result.s == 10
    assert result.var_s == pytest.approx(50 / 3, rel=1e-15)
    assert result.z == pytest.approx(9 / math.sqrt(50 / 3), rel=1e-15)
    assert result.p == pytest.approx(0.0274863361115103, abs=1e-12)
    assert result.tau == 1.0
    # Ties: [1, 2, 2, 3]: S = 5, var = (4·3·13 − 2·1·9)/18 = 138/18.
    tied = mann_kendall([1, 2, 2, 3])
    assert (tied.s, tied.var_s) == (5, pytest.approx(138 / 18, rel=1e-15))


SERIES = [
    [3.1, 3.4, 3.3, 3.9, 4.0, 4.2],
    [62.5, 58.0, 58.0, 61.0, 55.5, 54.0, 54.0, 50.0],
    [1, 1, 2, 1, 1, 2, 2, 3, 2, 3],
    [4.0, 4.0, 4.0, 4.0, 4.0],
    list(np.random.default_rng(20261121).normal(size=40)),
]


@pytest.mark.parametrize("series", SERIES)
def test_mann_kendall_matches_pymannkendall(series: list[float]) -> None:
    # Reference: pymannkendall.original_test(series)
    reference = pymannkendall.original_test(series)
    result = mann_kendall(series)
    assert result.s == reference.s
    assert result.var_s == pytest.approx(reference.var_s, rel=1e-15)
    assert result.z == pytest.approx(reference.z, abs=1e-12)
    assert result.p == pytest.approx(reference.p, abs=1e-12)
    assert result.tau == pytest.approx(reference.Tau, abs=1e-12)


@pytest.mark.parametrize("series", SERIES)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_theil_sen_matches_scipy(series: list[float], confidence: float) -> None:
    # Reference: scipy.stats.theilslopes(y, alpha=confidence), default method "separate"
    reference = sps.theilslopes(series, alpha=confidence)
    result = theil_sen(series, confidence=confidence)
    assert (result.slope, result.intercept, result.low, result.high) == pytest.approx(
        (reference.slope, reference.intercept, reference.low_slope, reference.high_slope), abs=1e-12
    )


def test_theil_sen_with_uneven_and_tied_x() -> None:
    x = [0, 1, 1, 2, 4, 5, 5, 7, 8]
    y = [2.0, 2.5, 2.1, 3.0, 3.2, 3.1, 3.9, 4.4, 4.0]
    reference = sps.theilslopes(y, x)
    result = theil_sen(y, x)
    assert (result.slope, result.intercept, result.low, result.high) == pytest.approx(
        (reference.slope, reference.intercept, reference.low_slope, reference.high_slope), abs=1e-12
    )


def test_missing_waves_are_dropped_and_keep_their_place() -> None:
    with_gap = [3.0, nan, 3.5, 3.4, nan, 4.1]
    assert mann_kendall(with_gap) == mann_kendall([3.0, 3.5, 3.4, 4.1])
    assert theil_sen(with_gap) == theil_sen([3.0, 3.5, 3.4, 4.1], [0, 2, 3, 5])


def test_not_enough_data() -> None:
    for series in ([], [1.0], [1.0, 2.0], [1.0, nan, 2.0]):
        result = mann_kendall(series)
        assert result == MannKendall(len([v for v in series if v == v]), None, None, None, None, None)
        assert not result.enough_data
    assert theil_sen([5.0]) == TheilSen(1, None, None, None, None, 0.95)
    assert theil_sen([1.0, 2.0], [3, 3]).slope is None  # all x equal: no slope


def test_all_equal_series_has_no_trend() -> None:
    result = mann_kendall([4.0] * 6)
    assert (result.s, result.var_s, result.z, result.p, result.tau) == (0, 0.0, 0.0, 1.0, 0.0)
    assert theil_sen([4.0] * 6).slope == 0.0


def test_min_trend_waves_is_the_first_that_can_be_significant() -> None:
    assert MIN_TREND_WAVES == 5
    assert mann_kendall(list(range(MIN_TREND_WAVES - 1))).p > 0.05
    assert mann_kendall(list(range(MIN_TREND_WAVES))).p < 0.05


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        mann_kendall([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="infinite"):
        mann_kendall([1, math.inf, 2])
    with pytest.raises(ValueError, match="must match"):
        theil_sen([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="confidence"):
        theil_sen([1, 2, 3], confidence=95)


@given(st.lists(st.integers(1, 5) | st.floats(0, 100, allow_nan=False), min_size=3, max_size=25))
def test_mann_kendall_properties(series: list[float]) -> None:
    result = mann_kendall(series)
    reversed_result = mann_kendall(series[::-1])
    assert reversed_result.s == -result.s
    assert reversed_result.p == pytest.approx(result.p, abs=1e-15)
    assert 0.0 <= result.p <= 1.0
    assert -1.0 <= result.tau <= 1.0
