"""benjamini_hochberg: the Benjamini & Hochberg (1995) example, scipy, R's NA rule, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import benjamini_hochberg

#: The 15 p-values of the worked example in Benjamini & Hochberg (1995), JRSS B 57, 289–300
#: (a study of myocardial infarction treatment, Neaton et al.).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
           0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip


def test_benjamini_hochberg_1995_example() -> None:
    adjusted = benjamini_hochberg(BH_1995)
    # Hand-derived: p_adj(i) = min over j ≥ i of 15/j · p_(j)
    expected = [
        15 * 0.0001 / 1,  # 0.0015
        15 * 0.0004 / 2,  # 0.003
        15 * 0.0019 / 3,  # 0.0095
        15 * 0.0095 / 4,  # 0.035625
        15 * 0.0201 / 5,  # 0.0603
        15 * 0.0298 / 7,  # 0.063857… (the 6th is raised to the 7th's value)
        15 * 0.0298 / 7,
        15 * 0.0344 / 8,  # 0.0645
        15 * 0.0459 / 9,  # 0.0765
        15 * 0.3240 / 10,  # 0.486
        15 * 0.4262 / 11,
        15 * 0.5719 / 12,
        15 * 0.6528 / 13,
        15 * 0.7590 / 14,
        1.0,
    ]
    assert adjusted == pytest.approx(expected, abs=1e-15)
    # The paper: at q = 0.05 the procedure rejects the four smallest (Bonferroni only three).
    assert sum(p <= 0.05 for p in adjusted) == 4
    # Reference: scipy.stats.false_discovery_control(ps, method="bh")
    assert adjusted == pytest.approx(list(sps.false_discovery_control(BH_1995, method="bh")), abs=1e-15)


def test_original_order_is_kept() -> None:
    shuffled = [BH_1995[i] for i in (14, 3, 0, 9, 7, 1, 12, 5, 2, 6, 11, 4, 13, 8, 10)]
    expected = sps.false_discovery_control(shuffled, method="bh")
    assert benjamini_hochberg(shuffled) == pytest.approx(list(expected), abs=1e-15)


def test_nan_stays_nan_and_is_not_counted() -> None:
    # As R p.adjust(c(0.01, NA, 0.04, 0.03), "BH") = 0.03 NA 0.04 0.04 (m = 3, not 4).
    adjusted = benjamini_hochberg([0.01, math.nan, 0.04, 0.03])
    assert math.isnan(adjusted[1])
    assert [adjusted[0], adjusted[2], adjusted[3]] == pytest.approx([0.03, 0.04, 0.04], abs=1e-15)


def test_edges_and_bad_input() -> None:
    assert benjamini_hochberg([]) == ()
    assert benjamini_hochberg([0.2]) == (0.2,)
    assert benjamini_hochberg([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.1, 1.2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([-0.1])
    with pytest.raises(ValueError, match="one-dimensional"):
        benjamini_hochberg([[0.1, 0.2]])


@given(st.lists(st.floats(0, 1), max_size=40))
def test_adjusted_p_values_are_monotone_bounded_and_match_scipy(pvalues: list[float]) -> None:
    adjusted = np.array(benjamini_hochberg(pvalues))
    raw = np.array(pvalues)
    assert np.all(adjusted >= raw)
    assert np.all(adjusted <= 1.0)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)
    if pvalues:
        reference = sps.false_discovery_control(pvalues, method="bh")
        np.testing.assert_allclose(adjusted, reference, rtol=1e-12, atol=1e-15)
