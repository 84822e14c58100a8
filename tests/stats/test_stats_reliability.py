"""Cronbach's α (pingouin, Feldt) and McDonald's ω (factor_analyzer, statsmodels, closed form)."""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from survey.stats import CronbachAlpha, cronbach_alpha, omega_total

# pingouin's bundled datasets (pingouin.read_dataset), the data of its cronbach_alpha docstring:
# "cronbach_wide_missing": 12 respondents × 11 binary items with missing answers;
# "cronbach_alpha": long format, 15 subjects × 10 items, no missing answers.
WIDE_MISSING = pingouin.read_dataset("cronbach_wide_missing")
LIKERT_15x10 = pingouin.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")


def feldt(alpha: float, n: int, k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987), eq. 6, re-derived with F quantiles (ppf, not isf)."""
    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (
        1 - (1 - alpha) * sps.f.ppf(1 - gamma / 2, df1, df2),
        1 - (1 - alpha) * sps.f.ppf(gamma / 2, df1, df2),
    )


def test_alpha_pairwise_pingouin_docstring() -> None:
    # pingouin.cronbach_alpha docstring, "cronbach_wide_missing" (in R: psych::alpha(data, use="pairwise")):
    # (0.732660835214447, array([0.435, 0.909]))
    result = cronbach_alpha(WIDE_MISSING, nan_policy="pairwise")
    assert result.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (result.n, result.k) == (12, 11)
    assert (result.low, result.high) == pytest.approx(feldt(result.alpha, 12, 11), abs=1e-12)
    assert (round(result.low, 3), round(result.high, 3)) == (0.435, 0.909)


def test_alpha_listwise_pingouin_docstring() -> None:
    # pingouin.cronbach_alpha docstring (in R: psych::alpha(data, use="complete.obs")):
    # (0.8016949152542373, array([0.581, 0.933]))
    result = cronbach_alpha(WIDE_MISSING, nan_policy="listwise")
    assert result.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    # The references disagree with each other here: pingouin (like psych) takes n = 12, the rows
    # *before* listwise deletion, for the Feldt interval, and so prints [0.581, 0.933]. α is
    # computed from the 9 complete rows, so the interval uses n = 9 (wider, [0.533, 0.947]).
    assert result.n == 9
    assert (result.low, result.high) == pytest.approx(feldt(result.alpha, 9, 11), abs=1e-12)
    pingouin_low, pingouin_high = feldt(result.alpha, 12, 11)
    assert (round(pingouin_low, 3), round(pingouin_high, 3)) == (0.581, 0.933)


def test_alpha_complete_data_pingouin_docstring() -> None:
    # pingouin.cronbach_alpha docstring, "cronbach_alpha" long-format data:
    # (0.5917188485995826, array([0.195, 0.84 ]))
    for policy in ("pairwise", "listwise"):
        result = cronbach_alpha(LIKERT_15x10, nan_policy=policy)
        assert result.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
        assert (result.n, result.k) == (15, 10)
        assert (result.low, result.high) == pytest.approx(feldt(result.alpha, 15, 10), abs=1e-12)
        assert (round(result.low, 3), round(result.high, 3)) == (0.195, 0.840)
    # at another confidence the Feldt re-derivation still holds
    ninety = cronbach_alpha(LIKERT_15x10, confidence=0.9)
    assert (ninety.low, ninety.high) == pytest.approx(feldt(ninety.alpha, 15, 10, 0.9), abs=1e-12)


def _likert_with_gaps(seed: int, n: int = 80, k: int = 6, missing: float = 0.1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    answers = np.clip(np.rint(3 + 0.9 * trait + rng.normal(size=(n, k))), 1, 5)
    answers[rng.random((n, k)) < missing] = np.nan
    answers[np.isnan(answers).all(axis=1), 0] = 3.0  # everyone answered something
    return pd.DataFrame(answers, columns=[f"Q{i + 1}" for i in range(k)])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_alpha_matches_pingouin_live(seed: int, policy: str) -> None:
    data = _likert_with_gaps(seed)
    # Reference: pingouin.cronbach_alpha(data, nan_policy=policy) — α unrounded, CI to 3 decimals
    reference_alpha, reference_ci = pingouin.cronbach_alpha(data, nan_policy=policy)
    result = cronbach_alpha(data, nan_policy=policy)  # type: ignore[arg-type]
    assert result.alpha == pytest.approx(reference_alpha, abs=1e-12)
    if policy == "pairwise":  # listwise: see test_alpha_listwise_pingouin_docstring
        assert [round(result.low, 3), round(result.high, 3)] == pytest.approx(list(reference_ci), abs=1e-9)


def test_alpha_is_invariant_to_item_and_row_order() -> None:
    data = _likert_with_gaps(4).to_numpy()
    base = cronbach_alpha(data)
    rng = np.random.default_rng(5)
    for _ in range(5):
        shuffled = data[rng.permutation(data.shape[0])][:, rng.permutation(data.shape[1])]
        other = cronbach_alpha(shuffled)
        assert (other.alpha, other.low, other.high) == pytest.approx(
            (base.alpha, base.low, base.high), abs=1e-12
        )


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.lists(st.integers(1, 5), min_size=4, max_size=4), min_size=3, max_size=30),
    permutation=st.permutations(range(4)),
)
def test_alpha_item_order_property(data: list[list[int]], permutation: list[int]) -> None:
    matrix = np.array(data, dtype=float)
    base, permuted = cronbach_alpha(matrix), cronbach_alpha(matrix[:, permutation])
    if base.alpha is None:
        assert permuted.alpha is None
    else:
        assert permuted.alpha == pytest.approx(base.alpha, rel=1e-9, abs=1e-9)


def test_alpha_undefined_cases_give_none() -> None:
    def undefined(n: int, policy: str = "pairwise") -> CronbachAlpha:
        return CronbachAlpha(None, None, None, n, 3, 0.95, policy)  # type: ignore[arg-type]

    assert cronbach_alpha([[1, 2, 3]]) == undefined(1)  # one respondent
    assert cronbach_alpha(np.empty((0, 3))) == undefined(0)
    assert cronbach_alpha([[2, 2, 2], [2, 2, 2], [2, 2, 2]]) == undefined(3)  # no variance
    nan = math.nan
    # items 1 and 3 were never answered together by two respondents
    assert cronbach_alpha([[1, 2, nan], [2, 3, nan], [nan, 2, 4], [nan, 1, 5]]).alpha is None
    # listwise: only one complete row is left
    assert cronbach_alpha([[1, 2, 3], [2, nan, 3], [nan, 3, 3]], nan_policy="listwise") == undefined(
        1, "listwise"
    )
    # a respondent who answered nothing is not counted
    assert cronbach_alpha([[1, 2, 2], [2, 3, 3], [4, 4, 5], [nan, nan, nan]]).n == 3


def test_alpha_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match='"pairwise" or "listwise"'):
        cronbach_alpha(LIKERT_15x10, nan_policy="complete")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha([[1], [2], [3]])
    with pytest.raises(ValueError, match="two-dimensional"):
        cronbach_alpha([1, 2, 3])
    with pytest.raises(ValueError, match="infinite"):
        cronbach_alpha([[1, 2], [math.inf, 3]])
    with pytest.raises(ValueError, match="confidence"):
        cronbach_alpha(LIKERT_15x10, confidence=0)


@pytest.fixture
def factor_analyzer_loadings(monkeypatch: pytest.MonkeyPatch) -> Callable[[np.ndarray], np.ndarray]:
    """One-factor ML loadings from factor_analyzer.FactorAnalyzer(n_factors=1, rotation=None, method="ml").

    factor_analyzer 0.5.1 passes ``force_all_finite`` to scikit-learn's check_array, which
    scikit-learn 1.8 renamed to ``ensure_all_finite``; translate it so the reference runs
    unchanged on a current scikit-learn.
    """
    import factor_analyzer.factor_analyzer as module
    from sklearn.utils import check_array

    if "force_all_finite" not in inspect.signature(check_array).parameters:

        def compatible(
            array: object, *args: object, force_all_finite: object = True, **kwargs: object
        ) -> object:
            return check_array(array, *args, ensure_all_finite=force_all_finite, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(module, "check_array", compatible)

    def loadings(data: np.ndarray) -> np.ndarray:
        analyzer = module.FactorAnalyzer(n_factors=1, rotation=None, method="ml")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analyzer.fit(data)
        found = analyzer.loadings_[:, 0]
        return found if found.sum() >= 0 else -found

    return loadings


def _omega_from(loadings: np.ndarray) -> float:
    common = loadings.sum() ** 2
    return float(common / (common + (1 - loadings**2).sum()))


def _one_factor_likert(seed: int, n: int, weights: list[float]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    return np.clip(np.rint(3 + np.array(weights) * trait + rng.normal(size=(n, len(weights)))), 1, 5)


OMEGA_DATA = {
    "pingouin cronbach_alpha (15 × 10)": LIKERT_15x10.to_numpy(dtype=float),
    "seeded one-factor likert (300 × 6)": _one_factor_likert(11, 300, [1.2, 1.0, 0.9, 0.8, 0.7, 0.5]),
}


@pytest.mark.parametrize("name", list(OMEGA_DATA))
def test_omega_matches_factor_analyzer(
    name: str, factor_analyzer_loadings: Callable[[np.ndarray], np.ndarray]
) -> None:
    data = OMEGA_DATA[name]
    # Reference: factor_analyzer.FactorAnalyzer(n_factors=1, rotation=None, method="ml").loadings_,
    # ω = (Σλ)² / ((Σλ)² + Σ(1 − λ²)) computed from them.
    reference = factor_analyzer_loadings(data)
    result = omega_total(data)
    assert result.converged
    assert result.omega == pytest.approx(_omega_from(reference), abs=1e-6)
    assert result.loadings == pytest.approx(list(reference), abs=1e-6)
    assert result.uniquenesses == pytest.approx(list(1 - reference**2), abs=1e-6)


def test_omega_matches_statsmodels() -> None:
    from statsmodels.multivariate.factor import Factor
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    data = OMEGA_DATA["pingouin cronbach_alpha (15 × 10)"]
    # Reference: statsmodels Factor(data, n_factor=1, method="ml").fit() loadings (sign-aligned).
    # Its ML fit starts from random values and stops at BFGS's default gtol (1e-5): loadings then
    # varied by up to 1.1e-6 from run to run (a flaky test). Seeded, with more EM steps and a
    # gradient tolerance of 1e-10, every seed agrees with ours to about 1e-8.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it calls 1e-10 "not converged"
        fitted = Factor(data, n_factor=1, method="ml").fit(
            rng=0, em_iter=50, opt={"gtol": 1e-10, "maxiter": 20_000}
        )
    loadings = fitted.loadings[:, 0]
    loadings = loadings if loadings.sum() >= 0 else -loadings
    result = omega_total(data)
    assert result.loadings == pytest.approx(list(loadings), abs=1e-6)
    assert result.omega == pytest.approx(_omega_from(loadings), abs=1e-6)


def test_omega_three_items_closed_form() -> None:
    # With 3 items the one-factor model is just identified and ML reproduces R exactly:
    # λ₁² = r₁₂·r₁₃ / r₂₃ (and cyclically) — an analytic reference, no optimizer involved.
    data = _one_factor_likert(7, 250, [1.0, 0.8, 0.6])
    r = np.corrcoef(data, rowvar=False)
    expected = np.sqrt(
        [r[0, 1] * r[0, 2] / r[1, 2], r[0, 1] * r[1, 2] / r[0, 2], r[0, 2] * r[1, 2] / r[0, 1]]
    )
    assert np.all(expected < 1)
    result = omega_total(data)
    assert result.loadings == pytest.approx(list(expected), abs=1e-7)
    assert result.omega == pytest.approx(_omega_from(expected), abs=1e-7)
    # For 3 congeneric items ω equals the reliability of the standardized sum: (Σλ)² / ΣR.
    assert result.omega == pytest.approx(expected.sum() ** 2 / r.sum(), abs=1e-7)


def test_omega_nan_policies() -> None:
    complete = OMEGA_DATA["seeded one-factor likert (300 × 6)"]
    assert (
        omega_total(complete, nan_policy="pairwise").omega
        == omega_total(complete, nan_policy="listwise").omega
    )
    gappy = complete.copy()
    gappy[np.random.default_rng(3).random(gappy.shape) < 0.05] = np.nan
    pairwise, listwise = omega_total(gappy), omega_total(gappy, nan_policy="listwise")
    assert pairwise.n == 300
    assert listwise.n == int((~np.isnan(gappy).any(axis=1)).sum())
    # listwise equals the fit on the complete rows alone
    assert listwise.omega == omega_total(gappy[~np.isnan(gappy).any(axis=1)]).omega
    assert 0 < pairwise.omega < 1 and 0 < listwise.omega < 1


def test_omega_undefined_and_bad_input() -> None:
    constant_item = _one_factor_likert(1, 50, [1.0, 1.0, 1.0])
    constant_item[:, 1] = 3.0
    assert omega_total(constant_item).omega is None
    assert omega_total([[1, 2, 3], [2, 3, 4]]).omega is None  # 2 rows: correlation matrix singular
    with pytest.raises(ValueError, match="at least 3 items"):
        omega_total([[1, 2], [2, 3], [3, 5]])
    with pytest.raises(ValueError, match='"pairwise" or "listwise"'):
        omega_total(LIKERT_15x10, nan_policy="all")  # type: ignore[arg-type]


def test_ci_is_another_name_for_confidence() -> None:
    from survey.stats import cronbach_alpha as alpha_of

    data = [[1, 2, 3], [2, 3, 3], [4, 4, 5], [3, 3, 4], [5, 4, 5]]
    assert alpha_of(data, ci=0.9) == alpha_of(data, confidence=0.9)
    assert alpha_of(data, ci=0.9).low != alpha_of(data).low


def test_alpha_of_a_total_without_variance_up_to_rounding_is_undefined() -> None:
    # Every row totals 16: the total's variance is 0, but float arithmetic leaves ~1e-16, which
    # once gave α ≈ -2·10^16 (and another value for another item order). Found by hypothesis.
    data = np.array([[1, 5, 5, 5], [2, 4, 5, 5], [2, 5, 4, 5]], dtype=float)
    assert cronbach_alpha(data).alpha is None
    assert cronbach_alpha(data[:, [0, 1, 3, 2]]).alpha is None
    assert cronbach_alpha(np.array([[1, 5, 5, 4], [2, 4, 5, 5], [2, 5, 4, 5]], dtype=float)).alpha is not None
