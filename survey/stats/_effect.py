"""Effect check of a measure: the owning units' value scores before and after its start, against
the rest of the organisation over the same waves.

Each wave asks other people (repeated cross-sections, not a panel); a group in a wave is known by
its sums, :data:`Moments` = (n, Σx, Σx²) of persons' value scores on 0–100. Waves come in time
order; ``after_from`` is the index of the first wave counted as "after": the first wave starting
at or after the measure's start plus its lag (the caller decides that).

The verdict rests on a difference in differences (DiD), ``(own_after − own_before) −
(rest_after − rest_before)``. ``own_before`` is the mean of all the unit's persons in the waves
before; ``rest_before`` is the mean of the rest's *wave means* weighted as the unit's persons are
spread over those waves (n_own,w / N_own). With the same wave weights in both differences a
shock common to the organisation cancels exactly; pooling the rest's persons would weight the
waves otherwise (rest 200–600 a wave, unit 8–60) and leave part of every shock in the estimate,
noise the person-level standard error does not know. A unit's constant offset cancels too; a
unit-specific drift does not (parallel trends is the assumption) — the segmented regression,
from :data:`MIN_SEGMENT_WAVES` waves on each side, shows a trend that was there before.

The standard error treats the four groups (unit before/after, rest before/after) as independent
samples, each with its within-wave variance pooled over its waves (differences between waves are
not spread); the t reference uses the Welch–Satterthwaite df.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeAlias

import numpy as np
from scipy import stats as _sps

from survey.stats._moments import mean_variance
from survey.stats._tables import FloatArray, check_confidence

#: (persons, Σ score, Σ score²) of one group in one wave — the sums the database returns
Moments: TypeAlias = tuple[int, float, float]

Verdict: TypeAlias = Literal["too_early", "no_data", "no_change", "improved", "worsened"]

#: waves each side needs before a change in level and slope is estimated: two points fit any line
#: exactly, the third is the first that can disagree with it
MIN_SEGMENT_WAVES = 3


@dataclass(frozen=True, slots=True)
class Coefficient:
    """One coefficient of the segmented regression: estimate, interval and two-sided p."""

    estimate: float
    low: float
    high: float
    p: float


@dataclass(frozen=True, slots=True)
class Segmented:
    """Segmented regression (interrupted time series) of d_w = own_w − rest_w over the waves,
    weighted by 1 / var(d_w): ``d = b0 + trend·t + level_change·after + slope_change·t·after``,
    t = wave index − ``after_from`` (so ``level_change`` is the jump at the first wave after).
    Units are points and points per wave. ``dispersion`` is Σ w·residual² / (waves − 4): about
    1 when the waves scatter as sampling alone explains; above 1 the covariance is scaled up by
    it (never down). Intervals and p use the t reference with the DiD's df.
    """

    trend: Coefficient
    level_change: Coefficient
    slope_change: Coefficient
    dispersion: float


@dataclass(frozen=True, slots=True)
class EffectCheck:
    """Result of :func:`effect_check`. Points on 0–100; a positive ``estimate`` is an improvement.

    ``verdict`` is decided on the raw ``p`` at α = 1 − ``confidence``; :func:`verdict` decides it
    again on a p adjusted for the checks of one report. ``n_*`` count the owning units' persons
    in the waves used, ``waves_*`` those waves; ``own_*``/``rest_*`` are the four means of the
    DiD (the rest weighted to the units' waves). ``mde`` is the true effect this design finds
    with probability ``power`` (two-sided, α). For "too_early" and "no_data" every figure is
    None and the counts stay (a page can say how many answered); ``segmented`` is None unless
    each side has :data:`MIN_SEGMENT_WAVES` waves with a spread.
    """

    verdict: Verdict
    n_before: int
    n_after: int
    waves_before: int
    waves_after: int
    own_before: float | None
    own_after: float | None
    rest_before: float | None
    rest_after: float | None
    estimate: float | None
    se: float | None
    low: float | None
    high: float | None
    df: float | None
    p: float | None
    mde: float | None
    segmented: Segmented | None
    confidence: float
    power: float


@dataclass(frozen=True, slots=True)
class _Cells:
    """One group's waves: persons, mean and variance (n − 1) per wave; n = 0 where absent."""

    n: FloatArray
    mean: FloatArray
    var: FloatArray

    def pooled(self, waves: np.ndarray) -> tuple[float, float, int]:
        """(persons, within-wave variance pooled over ``waves``, its df)."""
        n = self.n[waves]
        df = int(np.sum(np.maximum(n - 1, 0)))
        var = float(np.sum(np.maximum(n - 1, 0) * self.var[waves]) / df) if df else 0.0
        return float(n.sum()), var, df


def add_moments(*moments: Moments | None) -> Moments | None:
    """Sum the moments of disjoint groups (several units in one wave); None (hidden) is skipped,
    and only None comes back when every group is None."""
    present = [m for m in moments if m is not None]
    if not present:
        return None
    return (
        sum(int(m[0]) for m in present),
        math.fsum(float(m[1]) for m in present),
        math.fsum(float(m[2]) for m in present),
    )


def effect_check(
    own: Sequence[Moments | None],
    rest: Sequence[Moments | None],
    after_from: int,
    *,
    confidence: float = 0.95,
    power: float = 0.8,
) -> EffectCheck:
    """Effect check of a measure of one unit (or of several units added up with
    :func:`add_moments`; :func:`effect_check_units` keeps them apart, which is better).

    ``own`` and ``rest`` hold one entry per wave in time order (None or n = 0: the wave is absent
    or hidden and is skipped); ``after_from`` is the index of the first wave after the start.
    """
    return effect_check_units([own], rest, after_from, confidence=confidence, power=power)


def effect_check_units(
    units: Sequence[Sequence[Moments | None]],
    rest: Sequence[Moments | None],
    after_from: int,
    *,
    confidence: float = 0.95,
    power: float = 0.8,
) -> EffectCheck:
    """Effect check of a measure of several units, each compared with the rest on its own.

    The estimate is Σ π_u · DiD_u with fixed weights π_u ∝ 1/(1/N_u,before + 1/N_u,after).
    Fixed weights matter: added-up moments weight the units by who answered when, so a unit
    with high scores answering more before than after would move the sum without any effect.
    ``rest`` is the organisation without all owning units. A wave counts for a unit only where
    the rest has answers in it too; a unit without a spread on a side is left out.
    """
    confidence, power = check_confidence(confidence), _check_power(power)
    waves = len(rest)
    if not units or any(len(u) != waves for u in units):
        raise ValueError(f"every unit needs one entry per wave of the rest ({waves}), and one unit at least")
    if isinstance(after_from, bool) or int(after_from) != after_from or after_from < 0:
        raise ValueError(f"after_from must be a wave index ≥ 0, got {after_from!r}")
    after = np.arange(waves) >= after_from
    rest_cells = _cells(rest)
    own = [_cells(u, present=rest_cells.n > 0) for u in units]
    # A unit needs a spread on each side (two answers in one wave at least) to be compared.
    kept = [o for o in own if all(o.pooled(side)[2] >= 1 for side in (~after, after))]
    used = np.any([o.n > 0 for o in (kept or own)], axis=0)
    counts = [int(sum(o.n[side].sum() for o in (kept or own))) for side in (~after, after)]
    counts += [int(np.sum(used & ~after)), int(np.sum(used & after))]
    if after_from >= waves:
        return _without_figures("too_early", counts, confidence, power)
    if not kept or any(rest_cells.pooled(used & side)[2] < 1 for side in (~after, after)):
        return _without_figures("no_data", counts, confidence, power)
    precision = np.array([1 / (1 / o.pooled(~after)[0] + 1 / o.pooled(after)[0]) for o in kept])
    weights = precision / precision.sum()
    own_b, rest_b, terms, dfs = _side(kept, weights, rest_cells, used & ~after)
    own_a, rest_a, terms_a, dfs_a = _side(kept, weights, rest_cells, used & after)
    estimate = (own_a - own_b) - (rest_a - rest_b)
    terms, dfs = terms + terms_a, dfs + dfs_a
    se, df, p, low, high, mde = _t_inference(estimate, terms, dfs, confidence, power, scale=max(own_b, 1.0))
    segmented = _segmented(kept, weights, rest_cells, used, after, after_from, df, confidence)
    result = EffectCheck(
        "no_change", *counts, own_b, own_a, rest_b, rest_a, estimate, se, low, high, df, p, mde, segmented,
        confidence, power,
    )  # fmt: skip
    return replace(result, verdict=verdict(result))


def verdict(result: EffectCheck, adjusted_p: float | None = None) -> Verdict:
    """The verdict of a check, on ``adjusted_p`` when given (e.g. Benjamini–Hochberg across the
    checks of one report) and on the raw p otherwise: "improved"/"worsened" where p < 1 −
    confidence, "no_change" (show ``mde`` with it) where not; "too_early"/"no_data" stay."""
    if result.p is None or result.estimate is None:
        return result.verdict
    p = result.p if adjusted_p is None else float(adjusted_p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"an adjusted p-value must lie in [0, 1], got {adjusted_p}")
    if p < 1.0 - result.confidence and result.estimate != 0.0:
        return "improved" if result.estimate > 0 else "worsened"
    return "no_change"


def _cells(series: Sequence[Moments | None], present: np.ndarray | None = None) -> _Cells:
    size = len(series)
    n, mean, var = np.zeros(size), np.zeros(size), np.zeros(size)
    for w, moments in enumerate(series):
        if moments is None or moments[0] == 0 or (present is not None and not present[w]):
            continue
        n[w] = moments[0]
        mean[w], var[w] = mean_variance(*moments)
    return _Cells(n, mean, var)


def _side(
    kept: list[_Cells], weights: FloatArray, rest: _Cells, side: np.ndarray
) -> tuple[float, float, list[float], list[int]]:
    """One side of the DiD: the units' mean, the rest's mean weighted to the units' waves, and
    each group's variance term and df (units first, the rest last)."""
    rest_weight = np.zeros(side.size)
    own_mean, terms, dfs = 0.0, [], []
    for o, pi in zip(kept, weights, strict=True):
        persons, var, df = o.pooled(side)
        share = np.where(side, o.n, 0.0) / persons
        own_mean += pi * float(share @ o.mean)
        rest_weight += pi * share
        terms.append(pi * pi * var / persons)  # Σ_w (π n_w/N)² v / n_w = π² v / N
        dfs.append(df)
    _, rest_var, rest_df = rest.pooled(side)
    present = rest_weight > 0
    terms.append(rest_var * float(np.sum(rest_weight[present] ** 2 / rest.n[present])))
    dfs.append(rest_df)
    return own_mean, float(rest_weight[present] @ rest.mean[present]), terms, dfs


def _t_inference(
    estimate: float, terms: list[float], dfs: list[int], confidence: float, power: float, scale: float
) -> tuple[float, float | None, float, float, float, float]:
    """(se, Satterthwaite df, p, low, high, MDE) of an estimate with variance Σ terms.

    MDE = (t_{1−α/2} + t_{power}) · se with the same df (Bloom 1995). Its exact power (noncentral
    t) is 0.795 at df 5 and 0.800 from df 20 on; z quantiles would claim an MDE that is found
    with power 0.61 at df 5 and 0.76 at df 20 — small units are where the page needs it right.
    """
    variance = math.fsum(terms)
    se = math.sqrt(variance)
    if se == 0.0:  # nobody varies: the estimate is exact (rounding aside, as in mean_variance)
        exact = abs(estimate) <= 1e-9 * scale
        return 0.0, None, 1.0 if exact else 0.0, estimate, estimate, 0.0
    df = variance**2 / math.fsum(t * t / d for t, d in zip(terms, dfs, strict=True) if t > 0)
    p = min(1.0, 2.0 * float(_sps.t.sf(abs(estimate) / se, df)))
    crit = float(_sps.t.ppf(0.5 + confidence / 2, df))
    mde = (crit + float(_sps.t.ppf(power, df))) * se
    return se, df, p, estimate - crit * se, estimate + crit * se, mde


def _segmented(
    kept: list[_Cells],
    weights: FloatArray,
    rest: _Cells,
    used: np.ndarray,
    after: np.ndarray,
    after_from: int,
    df: float | None,
    confidence: float,
) -> Segmented | None:
    """Weighted segmented regression of the per-wave differences (see :class:`Segmented`)."""
    if min(np.sum(used & ~after), np.sum(used & after)) < MIN_SEGMENT_WAVES or df is None:
        return None
    waves = np.flatnonzero(used)
    n = np.array([o.n for o in kept])[:, waves]
    spread = np.array([np.where(after, o.pooled(after)[1], o.pooled(~after)[1]) for o in kept])[:, waves]
    # units absent in a wave leave it to the others: their weights renormalised per wave
    pis = weights[:, None] * (n > 0)
    pis /= pis.sum(axis=0)
    diff = np.sum(pis * np.array([o.mean for o in kept])[:, waves], axis=0) - rest.mean[waves]
    var = np.sum(np.divide(pis**2 * spread, n, out=np.zeros_like(n), where=n > 0), axis=0)
    rest_spread = np.where(after, rest.pooled(used & after)[1], rest.pooled(used & ~after)[1])
    var += rest_spread[waves] / rest.n[waves]
    if np.any(var <= 0):
        return None  # a wave without spread has infinite weight: no regression to weigh
    t = waves - after_from
    post = (t >= 0).astype(float)
    design = np.column_stack([np.ones_like(t, dtype=float), t, post, t * post])
    w = 1.0 / var
    information = design.T @ (design * w[:, None])
    beta = np.linalg.solve(information, design.T @ (w * diff))
    residual = diff - design @ beta
    dispersion = float(np.sum(w * residual**2) / (waves.size - design.shape[1]))
    # scaled up where the waves scatter more than sampling explains, never down: with 2–6
    # residual df the estimate of that scatter is too noisy to narrow an interval on
    cov = np.linalg.inv(information) * max(1.0, dispersion)
    crit = float(_sps.t.ppf(0.5 + confidence / 2, df))

    def coefficient(k: int) -> Coefficient:
        b, se = float(beta[k]), math.sqrt(float(cov[k, k]))
        p = min(1.0, 2.0 * float(_sps.t.sf(abs(b) / se, df)))
        return Coefficient(b, b - crit * se, b + crit * se, p)

    return Segmented(coefficient(1), coefficient(2), coefficient(3), dispersion)


def _without_figures(kind: Verdict, counts: list[int], confidence: float, power: float) -> EffectCheck:
    n_before, n_after, waves_before, waves_after = counts
    return EffectCheck(
        kind, n_before, n_after, waves_before, waves_after,
        None, None, None, None, None, None, None, None, None, None, None, None, confidence, power,
    )  # fmt: skip


def _check_power(power: float) -> float:
    power = float(power)
    if not 0.5 <= power < 1.0:
        # below 0.5 the "detectable" effect would be one the check misses more often than not
        raise ValueError(f"power must lie in [0.5, 1), got {power}")
    return power
