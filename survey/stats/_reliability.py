"""Reliability of a value's items: Cronbach's α with Feldt's interval, McDonald's ω_total.

``data`` is respondents × items (rows × columns), NaN for a missing answer. Both functions
take ``nan_policy``: "pairwise" uses every pair of items on the respondents who answered
both (R ``use = "pairwise"``, pandas ``DataFrame.cov``); "listwise" keeps only respondents
who answered every item (R ``use = "complete.obs"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize as _opt
from scipy import stats as _sps

from survey.stats._tables import FloatArray, check_confidence

NanPolicy = Literal["pairwise", "listwise"]

#: Lower bound of the uniquenesses in the ML fit: R ``factanal``'s ``lower = 0.005``, also
#: factor_analyzer's default; it keeps Ψ^(-1/2) finite in Heywood cases.
_PSI_LOWER = 0.005


@dataclass(frozen=True, slots=True)
class CronbachAlpha:
    """Cronbach's α = k/(k−1) · (1 − tr C / ΣC) with Feldt's interval (Feldt, Woodruff & Salih 1987).

    ``low`` = 1 − (1 − α)·F(1 − γ/2; n − 1, (n − 1)(k − 1)) and ``high`` = 1 − (1 − α)·F(γ/2; …),
    γ = 1 − confidence. ``n`` is the sample the interval is based on: the complete rows for
    "listwise", the rows with at least one answer for "pairwise". ``alpha``, ``low`` and
    ``high`` are None when α is undefined: fewer than 2 rows, an item pair answered
    together by fewer than 2 respondents, or no variance in the total.
    """

    alpha: float | None
    low: float | None
    high: float | None
    n: int
    k: int
    confidence: float
    nan_policy: NanPolicy


@dataclass(frozen=True, slots=True)
class Omega:
    """McDonald's ω_total from a one-factor model fitted by maximum likelihood.

    The model is fitted to the item correlation matrix (so the loadings are standardized,
    as in R ``psych::omega`` and factor_analyzer) by minimizing R ``factanal``'s ML
    discrepancy over the uniquenesses (bounded below by 0.005). Then
    ``omega`` = (Σλ)² / ((Σλ)² + Σψ) with ψ = 1 − λ², the model-implied form (as psych
    ``omegaFromSem`` and the issue's definition). psych ``omega`` divides by the observed
    ΣR instead; the two agree when the model fits exactly (always for 3 items) and differ
    otherwise. Loadings are signed so that Σλ ≥ 0; ``converged`` tells whether the fit met
    the optimality conditions.
    ``omega``, ``loadings`` and ``uniquenesses`` are None when the correlation matrix is
    undefined (an item without variance, too few shared answers) or not positive definite.
    """

    omega: float | None
    loadings: tuple[float, ...] | None
    uniquenesses: tuple[float, ...] | None
    n: int
    k: int
    converged: bool
    nan_policy: NanPolicy


def cronbach_alpha(
    data: npt.ArrayLike,
    *,
    nan_policy: NanPolicy = "pairwise",
    confidence: float = 0.95,
    ci: float | None = None,
) -> CronbachAlpha:
    """Cronbach's α of a respondents × items matrix and its Feldt interval.

    ``ci`` is the issue's name for ``confidence`` (as pingouin calls it); either may be given.
    """
    confidence = check_confidence(ci if ci is not None else confidence)
    matrix, n = _prepare(data, nan_policy, min_items=2)
    k = matrix.shape[1]
    undefined = CronbachAlpha(None, None, None, n, k, confidence, nan_policy)
    if n < 2:
        return undefined
    cov = _pairwise_cov(matrix)
    if cov is None:
        return undefined
    total = float(cov.sum())
    # No variance in the total, up to rounding (items that cancel out, e.g. totals all 16, leave
    # about 1e-16 of float residue, which would give an α of -10^16).
    if total <= 1e-9 * max(1.0, float(np.trace(cov))):
        return undefined
    alpha = k / (k - 1) * (1 - float(np.trace(cov)) / total)
    gamma = 1 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(_sps.f.isf(gamma / 2, df1, df2))
    high = 1 - (1 - alpha) * float(_sps.f.isf(1 - gamma / 2, df1, df2))
    return CronbachAlpha(alpha, low, high, n, k, confidence, nan_policy)


def omega_total(data: npt.ArrayLike, *, nan_policy: NanPolicy = "pairwise") -> Omega:
    """McDonald's ω_total of a respondents × items matrix (at least 3 items)."""
    matrix, n = _prepare(data, nan_policy, min_items=3)
    k = matrix.shape[1]
    undefined = Omega(None, None, None, n, k, False, nan_policy)
    corr = _pairwise_corr(matrix)
    if corr is None or np.linalg.eigvalsh(corr)[0] <= 1e-10:
        return undefined
    psi, converged = _fit_one_factor_ml(corr)
    loadings = _ml_loadings(psi, corr)
    if loadings.sum() < 0:
        loadings = -loadings
    uniquenesses = 1.0 - loadings**2
    common = float(loadings.sum()) ** 2
    omega = common / (common + float(uniquenesses.sum()))
    return Omega(
        omega,
        tuple(float(v) for v in loadings),
        tuple(float(v) for v in uniquenesses),
        n,
        k,
        converged,
        nan_policy,
    )


def _prepare(data: npt.ArrayLike, nan_policy: str, *, min_items: int) -> tuple[FloatArray, int]:
    """Validate and apply the NaN policy; return the matrix and the number of respondents used."""
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError(f'nan_policy must be "pairwise" or "listwise", got {nan_policy!r}')
    try:
        matrix = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"data must be a numeric respondents × items matrix ({exc})") from None
    if matrix.ndim != 2:
        raise ValueError(f"data must be two-dimensional (respondents × items), got shape {matrix.shape}")
    if matrix.shape[1] < min_items:
        raise ValueError(f"at least {min_items} items are needed, got {matrix.shape[1]}")
    if np.any(np.isinf(matrix)):
        raise ValueError("data must not contain infinite values (use NaN for a missing answer)")
    missing = np.isnan(matrix)
    # Pairwise: a respondent who answered none of the items is not part of the sample either.
    matrix = matrix[~missing.any(axis=1)] if nan_policy == "listwise" else matrix[~missing.all(axis=1)]
    return matrix, int(matrix.shape[0])


def _pairwise_cov(matrix: FloatArray) -> FloatArray | None:
    """Covariances over the rows where both items are present (means of those rows, n − 1)."""
    k = matrix.shape[1]
    present = ~np.isnan(matrix)
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            rows = present[:, i] & present[:, j]
            m = int(rows.sum())
            if m < 2:
                return None
            xi, xj = matrix[rows, i], matrix[rows, j]
            cov[i, j] = cov[j, i] = float(np.dot(xi - xi.mean(), xj - xj.mean())) / (m - 1)
    return cov


def _pairwise_corr(matrix: FloatArray) -> FloatArray | None:
    """Correlations over the rows where both items are present, each with that pair's own SDs."""
    k = matrix.shape[1]
    present = ~np.isnan(matrix)
    corr = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            rows = present[:, i] & present[:, j]
            if int(rows.sum()) < 2:
                return None
            xi, xj = matrix[rows, i], matrix[rows, j]
            di, dj = xi - xi.mean(), xj - xj.mean()
            ss = float(np.dot(di, di)) * float(np.dot(dj, dj))
            if ss <= 0.0:
                return None
            corr[i, j] = corr[j, i] = float(np.dot(di, dj)) / math.sqrt(ss)
    for i in range(k):
        column = matrix[present[:, i], i]
        if column.size < 2 or float(np.ptp(column)) == 0.0:
            return None
    return corr


def _fit_one_factor_ml(corr: FloatArray) -> tuple[FloatArray, bool]:
    """Uniquenesses ψ minimizing factanal's ML discrepancy for one factor (L-BFGS-B, exact gradient)."""
    k = corr.shape[0]

    def discrepancy(psi: FloatArray) -> float:
        scale = 1.0 / np.sqrt(psi)
        eigenvalues = np.linalg.eigvalsh(corr * np.outer(scale, scale))[:-1]  # all but the largest
        return float(np.sum(eigenvalues - np.log(eigenvalues))) + 1 - k

    def gradient(psi: FloatArray) -> FloatArray:
        loadings = _ml_loadings(psi, corr)
        return (loadings**2 + psi - np.diag(corr)) / psi**2

    start = np.clip((1 - 0.5 / k) / np.diag(np.linalg.inv(corr)), _PSI_LOWER, 1.0)
    result = _opt.minimize(
        discrepancy,
        start,
        jac=gradient,
        method="L-BFGS-B",
        bounds=[(_PSI_LOWER, 1.0)] * k,
        # Far tighter than scipy's defaults: ω must be reproducible to 1e-6, not to 1e-4.
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000, "maxcor": 20},
    )
    psi = np.asarray(result.x, dtype=np.float64)
    # Judge convergence by the optimality conditions, not by result.success: with tolerances
    # this tight L-BFGS-B often stops with "ABNORMAL_TERMINATION_IN_LNSRCH" at the optimum
    # (always so for 3 items, where the model fits exactly and the discrepancy reaches 0).
    g = gradient(psi)
    at_lower, at_upper = psi <= _PSI_LOWER * (1 + 1e-9), psi >= 1.0 - 1e-12
    projected = np.where(at_lower, np.minimum(g, 0.0), np.where(at_upper, np.maximum(g, 0.0), g))
    return psi, bool(result.success) or float(np.max(np.abs(projected))) < 1e-6


def _ml_loadings(psi: FloatArray, corr: FloatArray) -> FloatArray:
    """Loadings implied by ψ: Ψ^½ · v₁ · √max(e₁ − 1, 0) from the top eigenpair of Ψ^-½ R Ψ^-½."""
    root = np.sqrt(psi)
    eigenvalues, eigenvectors = np.linalg.eigh(corr / np.outer(root, root))
    return root * eigenvectors[:, -1] * math.sqrt(max(float(eigenvalues[-1]) - 1.0, 0.0))
