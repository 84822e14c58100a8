"""Effect check of measures: the DiD and the segmented regression against direct computations on
simulated persons (numpy least squares, scipy's Welch test), the edge cases, and the calibration
by simulation that DESIGN §4 and §7 ask for (false "verbessert/verschlechtert" without an effect,
power at the minimum detectable effect the check states)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import optimize
from scipy import stats as sps

from survey.stats import (
    MIN_SEGMENT_WAVES,
    EffectCheck,
    Moments,
    add_moments,
    effect_check,
    effect_check_units,
    verdict,
)

# --- persons as a municipality's survey has them ----------------------------------------------
#: thresholds of the five answers on the latent scale: most people agree, so scores sit around
#: 60–75 and are skewed to the left, with a ceiling at 100
THRESHOLDS = np.array([-1.6, -0.7, 0.2, 1.2])
ITEM_NOISE = 0.8
#: latent units per score point near the middle (d score / d latent ≈ 23): the ±2 points of a
#: wave shock and the 5 points of a unit's offset are set through it
POINTS = 23.0


def _expected_score(latent: np.ndarray | float) -> np.ndarray:
    """E[score] of persons with latent mean ``latent``: each item is above threshold k with
    probability Φ((μ − τ_k) / √(1 + σ_person² + σ_item²)), and a score is 25 per step."""
    spread = math.sqrt(1.0 + ITEM_NOISE**2)
    return 25.0 * sps.norm.cdf((np.asarray(latent)[..., None] - THRESHOLDS) / spread).sum(axis=-1)


def _scores(rng: np.random.Generator, latent: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Value scores 0–100 of persons with latent means ``latent``: the mean of ``items`` (3–5)
    Likert-5 answers, each the person's latent value plus item noise cut at THRESHOLDS."""
    person = latent + rng.standard_normal(latent.size)
    answers = np.searchsorted(
        THRESHOLDS, person[:, None] + ITEM_NOISE * rng.standard_normal((latent.size, 5))
    )
    asked = np.arange(5) < items[:, None]
    return 25.0 * (answers * asked).sum(axis=1) / items


@dataclass(frozen=True)
class Design:
    """One simulated measure: who answers in which wave, and everything but the effect."""

    after_from: int
    own_n: np.ndarray  # (units, waves)
    own_latent: np.ndarray  # (units, waves): offset + common shock
    rest_n: np.ndarray  # (rest units, waves)
    rest_latent: np.ndarray  # (rest units, waves)
    items: int


def _design(rng: np.random.Generator) -> Design:
    waves = int(rng.integers(6, 11))
    units = int(rng.choice([1, 1, 2, 3]))
    base = 0.4 + rng.uniform(-0.3, 0.3)
    shock = rng.normal(0.0, 2.0 / POINTS, waves)  # the whole organisation, ±2 points
    # each owning unit has a size (8–60 answering) and a participation that varies by wave
    size = rng.integers(8, 61, units)
    own_n = np.clip(np.round(size[:, None] * rng.uniform(0.6, 1.4, (units, waves))), 8, 60)
    own_latent = base + rng.normal(0.0, 5.0 / POINTS, (units, 1)) + shock
    # the rest: 12 units of different size and offset, 200–600 answering per wave in all
    share = rng.dirichlet(np.full(12, 2.0))
    rest_n = np.stack([rng.multinomial(int(total), share) for total in rng.integers(200, 601, waves)], axis=1)
    rest_latent = base + rng.normal(0.0, 5.0 / POINTS, (12, 1)) + shock
    after_from = int(rng.integers(1, waves))
    return Design(after_from, own_n.astype(int), own_latent, rest_n, rest_latent, int(rng.integers(3, 6)))


def _simulate(rng: np.random.Generator, designs: list[Design], shifts: np.ndarray) -> list[EffectCheck]:
    """Run the check on persons drawn for every design at once (one vector per batch); the
    owning units' latent mean moves by ``shifts[m]`` in the waves after."""
    latent, items, cell = [], [], []
    cells = 0
    for m, d in enumerate(designs):
        after = np.arange(d.own_n.shape[1]) >= d.after_from
        for n, mu in ((d.own_n, d.own_latent + shifts[m] * after), (d.rest_n, d.rest_latent)):
            ids = cells + np.arange(n.size)
            latent.append(np.repeat(mu.ravel(), n.ravel()))
            cell.append(np.repeat(ids, n.ravel()))
            cells += n.size
        items.append(np.full(int(d.own_n.sum() + d.rest_n.sum()), d.items))
    cell_id = np.concatenate(cell)
    scores = _scores(rng, np.concatenate(latent), np.concatenate(items))
    n = np.bincount(cell_id, minlength=cells)
    total = np.bincount(cell_id, scores, minlength=cells)
    squares = np.bincount(cell_id, scores * scores, minlength=cells)
    results, at = [], 0
    for d in designs:
        units, waves = d.own_n.shape
        own = [[_cell(n, total, squares, at + u * waves + w) for w in range(waves)] for u in range(units)]
        at += d.own_n.size
        rest_cells = [[_cell(n, total, squares, at + r * waves + w) for w in range(waves)] for r in range(12)]
        at += d.rest_n.size
        rest = [add_moments(*(rest_cells[r][w] for r in range(12))) for w in range(waves)]
        results.append(effect_check_units(own, rest, d.after_from))
    return results


def _cell(n: np.ndarray, total: np.ndarray, squares: np.ndarray, i: int) -> Moments:
    return int(n[i]), float(total[i]), float(squares[i])


def _shift_for(design: Design, points: float) -> float | None:
    """The latent shift of the owning units after the start that moves the DiD's expectation by
    ``points``, wave by wave through the score's non-linear mean (ceiling at 100); None where
    the scale has no room for it (a unit near the ceiling asked to gain 35 points)."""
    after = np.arange(design.own_n.shape[1]) >= design.after_from
    before_n, after_n = (design.own_n * ~after).sum(axis=1), (design.own_n * after).sum(axis=1)
    weight = 1 / (1 / before_n + 1 / after_n)
    share = (weight / weight.sum())[:, None] * design.own_n * after / after_n[:, None]
    base = _expected_score(design.own_latent)

    def gap(shift: float) -> float:
        return float(np.sum(share * (_expected_score(design.own_latent + shift) - base))) - points

    try:
        return float(optimize.brentq(gap, -8.0, 8.0, xtol=1e-9))
    except ValueError:
        return None


# --- calibration -------------------------------------------------------------------------------
#: simulated measures per run; the seed is the issue's number, not a chosen one
RUNS = 300
SEED = 19
#: 99 % binomial bounds for RUNS trials: a false-positive rate of 5 % leaves at most 24 of 300
#: calls (8.0 %); a power of 80 % finds at least 223 of 300 (74.3 %)
FALSE_POSITIVE_LIMIT = float(sps.binom.ppf(0.99, RUNS, 0.05)) / RUNS
#: what the seeded run gives (numpy 2.4, scipy 1.17); quoted in the issue, so kept true here.
#: 3,000 measures of this generator with seed 7 gave 5.3 % false positives and 80.2 % power.
OBSERVED = {
    "false_positive_rate": 15 / 300,
    "power": 247 / 300,
    "level_change_false_positive_rate": 4 / 127,
    "slope_change_false_positive_rate": 2 / 127,
}


def test_calibration_false_positives_and_power_at_the_stated_mde() -> None:
    rng = np.random.default_rng(SEED)
    designs = [_design(rng) for _ in range(RUNS)]
    null = _simulate(rng, designs, np.zeros(RUNS))
    called = [r.verdict in ("improved", "worsened") for r in null]
    segmented = [r.segmented for r in null if r.segmented is not None]
    mdes = np.array([math.nan if r.mde is None else r.mde for r in null])
    assert not np.isnan(mdes).any(), "every simulated measure has data on both sides"
    # the same designs, new persons, and a true effect of the MDE each check stated, either way
    signs = rng.choice([-1.0, 1.0], RUNS)
    shifts = [_shift_for(d, s * m) for d, s, m in zip(designs, signs, mdes, strict=True)]
    feasible = np.array([s is not None for s in shifts])
    planted = _simulate(rng, designs, np.array([s or 0.0 for s in shifts]))
    found = [r.verdict == ("improved" if s > 0 else "worsened") for r, s in zip(planted, signs, strict=True)]
    observed = {
        "false_positive_rate": float(np.mean(called)),
        "power": float(np.mean(np.array(found)[feasible])),
        "level_change_false_positive_rate": float(np.mean([s.level_change.p < 0.05 for s in segmented])),
        "slope_change_false_positive_rate": float(np.mean([s.slope_change.p < 0.05 for s in segmented])),
    }
    print(f"effect check calibration ({RUNS} measures, {len(segmented)} segmented): {observed}")
    assert feasible.sum() >= 0.98 * RUNS
    assert observed["false_positive_rate"] <= FALSE_POSITIVE_LIMIT
    power_floor = float(sps.binom.ppf(0.01, int(feasible.sum()), 0.8)) / feasible.sum()
    assert observed["power"] >= power_floor
    segmented_limit = float(sps.binom.ppf(0.99, len(segmented), 0.05)) / len(segmented)
    assert observed["level_change_false_positive_rate"] <= segmented_limit
    assert observed["slope_change_false_positive_rate"] <= segmented_limit
    assert observed == pytest.approx(OBSERVED), "the seeded rates moved: update OBSERVED (and the issue)"


# --- reference: the same figures from the persons ---------------------------------------------
Values = list[np.ndarray]  # one array of persons' scores per wave (empty: absent)


def _sums(values: np.ndarray) -> Moments | None:
    return (values.size, math.fsum(values), math.fsum(values * values)) if values.size else None


def _waves(rng: np.random.Generator, sizes: list[int], latent: list[float]) -> Values:
    return [_scores(rng, np.full(n, mu), np.full(n, 4)) for n, mu in zip(sizes, latent, strict=True)]


def _reference(units: list[Values], rest: Values, after_from: int) -> dict[str, float]:
    """The DiD by least squares on the persons: one dummy per group × wave (so the coefficients
    are the cell means), the estimate a contrast c'β of them, and its variance the sandwich
    (X'X)⁻¹ X' Σ X (X'X)⁻¹ with Σ the residual variance of each group × side (the within-wave
    variance pooled over that side's waves), df by Welch–Satterthwaite over those blocks."""
    waves = len(rest)
    groups = [*units, rest]
    after = np.arange(waves) >= after_from
    y = np.concatenate([v for g in groups for v in g])
    cell = np.concatenate(
        [np.full(v.size, k * waves + w) for k, g in enumerate(groups) for w, v in enumerate(g)]
    )
    block = np.concatenate(
        [np.full(v.size, 2 * k + after[w]) for k, g in enumerate(groups) for w, v in enumerate(g)]
    )
    present = np.unique(cell)
    x = (cell[:, None] == present[None, :]).astype(float)
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    n = np.array([[v.size for v in g] for g in groups], dtype=float)
    side_n = np.stack([(n * ~after).sum(axis=1), (n * after).sum(axis=1)], axis=1)
    weight = 1 / (1 / side_n[:-1, 0] + 1 / side_n[:-1, 1])
    weight /= weight.sum()
    sign = np.where(after, 1.0, -1.0)
    c_units = weight[:, None] * sign * n[:-1] / side_n[:-1, after.astype(int)]
    c = np.concatenate([c_units.ravel(), -c_units.sum(axis=0)])[present]
    residual = y - x @ beta
    inverse = np.linalg.inv(x.T @ x)
    components, dfs = [], []
    for b in np.unique(block):
        rows = block == b
        df = rows.sum() - np.unique(cell[rows]).size
        sigma2 = np.sum(residual[rows] ** 2) / df
        xb = x[rows]
        components.append(c @ inverse @ (sigma2 * xb.T @ xb) @ inverse @ c)
        dfs.append(df)
    variance = float(np.sum(components))
    satterthwaite = variance**2 / np.sum(np.square(components) / np.array(dfs))
    estimate = float(c @ beta)
    crit = float(sps.t.ppf(0.975, satterthwaite))
    se = math.sqrt(variance)
    return {
        "estimate": estimate,
        "se": se,
        "df": float(satterthwaite),
        "p": float(2 * sps.t.sf(abs(estimate) / se, satterthwaite)),
        "low": estimate - crit * se,
        "high": estimate + crit * se,
        "mde": (crit + float(sps.t.ppf(0.8, satterthwaite))) * se,
    }


def _example(seed: int, units: int = 1) -> tuple[list[Values], Values]:
    """Eight waves with a common shock, units of 8–60 and a rest of 200–600 persons a wave."""
    rng = np.random.default_rng(seed)
    shock = rng.normal(0, 2 / POINTS, 8)
    own = [_waves(rng, list(rng.integers(8, 61, 8)), list(0.5 + 0.2 * u + shock)) for u in range(units)]
    return own, _waves(rng, list(rng.integers(200, 601, 8)), list(0.4 + shock))


def _check(units: list[Values], rest: Values, after_from: int) -> EffectCheck:
    return effect_check_units([[_sums(v) for v in u] for u in units], [_sums(v) for v in rest], after_from)


@pytest.mark.parametrize(("seed", "units", "after_from"), [(1, 1, 4), (2, 1, 2), (3, 2, 5), (4, 3, 3)])
def test_did_matches_least_squares_on_the_persons(seed: int, units: int, after_from: int) -> None:
    own, rest = _example(seed, units)
    result = _check(own, rest, after_from)
    reference = _reference(own, rest, after_from)
    for name, value in reference.items():
        assert getattr(result, name) == pytest.approx(value, rel=1e-9, abs=1e-9), name
    own_after = np.concatenate([v for u in own for v in u[after_from:]])
    assert (result.n_before, result.n_after) == (
        sum(v.size for u in own for v in u) - own_after.size,
        own_after.size,
    )
    assert (result.waves_before, result.waves_after) == (after_from, 8 - after_from)
    if units == 1:  # the unit's side means are the plain means of its persons
        assert result.own_after == pytest.approx(own_after.mean(), rel=1e-12)
        assert result.own_before == pytest.approx(np.concatenate(own[0][:after_from]).mean(), rel=1e-12)


def test_did_of_one_wave_each_against_a_flat_rest_is_welch() -> None:
    # with a rest that does not vary the DiD is the unit's own change, and the check is Welch's
    rng = np.random.default_rng(7)
    before, after = _waves(rng, [23, 31], [0.3, 0.6])
    flat = [np.full(250, 70.0), np.full(300, 70.0)]
    result = _check([[before, after]], flat, 1)
    welch = sps.ttest_ind(after, before, equal_var=False)
    interval = welch.confidence_interval(0.95)
    assert result.estimate == pytest.approx(after.mean() - before.mean(), rel=1e-12)
    assert (result.p, result.df) == pytest.approx((welch.pvalue, welch.df), rel=1e-9)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high), rel=1e-9)


def test_several_units_are_the_weighted_mean_of_each_unit_against_the_rest() -> None:
    own, rest = _example(5, units=3)
    combined = _check(own, rest, 4)
    alone = [_check([u], rest, 4) for u in own]
    weight = np.array([1 / (1 / r.n_before + 1 / r.n_after) for r in alone])
    assert combined.estimate == pytest.approx(
        float(weight @ [r.estimate for r in alone]) / weight.sum(), rel=1e-12
    )
    assert combined.n_before == sum(r.n_before for r in alone)


def test_a_shock_common_to_all_cancels_and_so_does_a_units_offset() -> None:
    own, rest = _example(6)
    shock = np.random.default_rng(6).normal(0, 5, 8)
    shocked = _check(
        [[v + s for v, s in zip(own[0], shock, strict=True)]],
        [v + s for v, s in zip(rest, shock, strict=True)],
        4,
    )
    offset = _check([[v + 7.5 for v in own[0]]], rest, 4)
    plain = _check(own, rest, 4)
    for other in (shocked, offset):
        assert other.estimate == pytest.approx(plain.estimate, abs=1e-9)
        assert (other.se, other.p) == pytest.approx((plain.se, plain.p), rel=1e-9)
        assert other.segmented is not None and plain.segmented is not None
        for name in ("level_change", "slope_change", "trend"):
            assert getattr(other.segmented, name).estimate == pytest.approx(
                getattr(plain.segmented, name).estimate, abs=1e-9
            )


@pytest.mark.parametrize(("seed", "units", "after_from"), [(1, 1, 4), (8, 1, 3), (3, 2, 5)])
def test_segmented_regression_matches_lstsq(seed: int, units: int, after_from: int) -> None:
    own, rest = _example(seed, units)
    result = _check(own, rest, after_from)
    assert result.segmented is not None and result.df is not None
    after = np.arange(8) >= after_from

    def side_variance(waves: Values, side: np.ndarray) -> float:
        chosen = [v for v, s in zip(waves, side, strict=True) if s]
        return sum(np.sum((v - v.mean()) ** 2) for v in chosen) / (sum(v.size for v in chosen) - len(chosen))

    n = np.array([[v.size for v in u] for u in own], dtype=float)
    weight = 1 / (1 / (n * ~after).sum(axis=1) + 1 / (n * after).sum(axis=1))
    weight /= weight.sum()
    diff = np.array(
        [sum(weight[k] * u[w].mean() for k, u in enumerate(own)) - rest[w].mean() for w in range(8)]
    )
    variance = np.array([
        sum(weight[k] ** 2 * side_variance(u, after == after[w]) / u[w].size for k, u in enumerate(own))
        + side_variance(rest, after == after[w]) / rest[w].size
        for w in range(8)
    ])  # fmt: skip
    t = np.arange(8) - after_from
    x = np.column_stack([np.ones(8), t, after, t * after])
    root = 1 / np.sqrt(variance)
    beta, rss, *_ = np.linalg.lstsq(x * root[:, None], diff * root, rcond=None)
    dispersion = float(rss[0]) / (8 - 4)
    cov = np.linalg.inv((x * root[:, None]).T @ (x * root[:, None])) * max(1.0, dispersion)
    crit = float(sps.t.ppf(0.975, result.df))
    assert result.segmented.dispersion == pytest.approx(dispersion, rel=1e-9)
    for k, name in ((1, "trend"), (2, "level_change"), (3, "slope_change")):
        coefficient = getattr(result.segmented, name)
        se = math.sqrt(cov[k, k])
        assert coefficient.estimate == pytest.approx(beta[k], rel=1e-9, abs=1e-9)
        assert (coefficient.low, coefficient.high) == pytest.approx(
            (beta[k] - crit * se, beta[k] + crit * se), rel=1e-9
        )
        assert coefficient.p == pytest.approx(2 * sps.t.sf(abs(beta[k]) / se, result.df), rel=1e-9)


# --- verdicts and edges ------------------------------------------------------------------------
def _flat(n: int, score: float) -> Moments:
    return n, n * score, n * score * score


def test_too_early_before_any_wave_after_the_start() -> None:
    own, rest = _example(1)
    result = _check(own, rest, 8)
    assert result.verdict == "too_early" and verdict(result, 0.001) == "too_early"
    assert result.n_before == sum(v.size for v in own[0]) and result.n_after == 0
    assert (result.estimate, result.p, result.mde, result.segmented) == (None, None, None, None)


def test_no_data_without_a_wave_before_or_a_spread_on_a_side() -> None:
    own, rest = _example(1)
    assert _check(own, rest, 0).verdict == "no_data"
    one = np.array([80.0])
    two_alone = [np.array([50.0]), np.array([75.0])]  # two persons, but no wave with two
    for before in ([one], two_alone):
        units = [[*before, *own[0][2:]]]
        result = _check(units, rest[: len(before)] + rest[2:], len(before))
        assert result.verdict == "no_data" and result.estimate is None
        assert result.n_before == len(before) and result.waves_before == len(before)


def test_absent_waves_are_skipped() -> None:
    own, rest = _example(2)
    plain = _check(own, rest, 4)
    # a hidden wave of the unit (None or n = 0): that wave of the rest does not count either
    for hidden in (None, (0, 0.0, 0.0)):
        units = [[_sums(v) for v in own[0][:2]] + [hidden] + [_sums(v) for v in own[0][2:]]]
        rest_sums = [_sums(v) for v in rest[:2]] + [_sums(_waves(np.random.default_rng(0), [300], [2.0])[0])]
        result = effect_check(units[0], rest_sums + [_sums(v) for v in rest[2:]], 5)
        assert (result.estimate, result.se, result.df) == pytest.approx(
            (plain.estimate, plain.se, plain.df), rel=1e-12
        )
        assert (result.n_before, result.waves_before) == (plain.n_before, plain.waves_before)
    # a hidden wave of the rest: the unit's persons in it have nothing to be held against
    rest_hidden = [_sums(v) for v in rest]
    rest_hidden[1] = None
    result = effect_check([_sums(v) for v in own[0]], rest_hidden, 4)
    assert result.n_before == plain.n_before - own[0][1].size and result.waves_before == 3


def test_zero_variance_is_exact() -> None:
    rest = [_flat(300, 70.0), _flat(280, 70.0)]
    improved = effect_check([_flat(12, 75.0), _flat(15, 87.5)], rest, 1)
    assert (improved.verdict, improved.estimate, improved.p, improved.mde) == ("improved", 12.5, 0.0, 0.0)
    assert (improved.se, improved.df, improved.low, improved.high) == (0.0, None, 12.5, 12.5)
    same = effect_check([_flat(12, 0.1), _flat(15, 0.1)], rest, 1)
    assert (same.verdict, same.p) == ("no_change", 1.0)


def test_verdict_on_an_adjusted_p_and_the_mde_of_no_change() -> None:
    own, rest = _example(3)
    plain = _check(own, rest, 4)
    assert plain.verdict == "no_change" and plain.df is not None and plain.se is not None
    assert plain.mde is not None and plain.estimate is not None
    # moved by twice the MDE beyond what was there, each way: found, unless p is adjusted away
    shift = 2 * plain.mde + abs(plain.estimate)
    result = _check([[v + (shift if w >= 4 else 0.0) for w, v in enumerate(own[0])]], rest, 4)
    assert result.verdict == "improved" and result.p is not None and result.p < 0.01
    assert verdict(result) == "improved" and verdict(result, adjusted_p=0.2) == "no_change"
    lower = _check([[v - (shift if w >= 4 else 0.0) for w, v in enumerate(own[0])]], rest, 4)
    assert lower.verdict == "worsened" and verdict(lower, adjusted_p=0.01) == "worsened"
    assert plain.mde == pytest.approx(
        (sps.t.ppf(0.975, plain.df) + sps.t.ppf(0.8, plain.df)) * plain.se, rel=1e-12
    )
    strict = effect_check_units(
        [[_sums(v) for v in own[0]]], [_sums(v) for v in rest], 4, confidence=0.99, power=0.9
    )
    assert strict.mde is not None and strict.mde > plain.mde
    with pytest.raises(ValueError, match="adjusted p"):
        verdict(result, adjusted_p=1.5)


def test_segmented_needs_three_waves_each_side() -> None:
    own, rest = _example(4)
    assert MIN_SEGMENT_WAVES == 3
    assert _check(own, rest, 3).segmented is not None
    assert _check(own, rest, 2).segmented is None and _check(own, rest, 6).segmented is None


def test_add_moments() -> None:
    a, b = np.array([50.0, 75.0]), np.array([100.0, 25.0, 62.5])
    assert add_moments(_sums(a), None, _sums(b)) == pytest.approx(_sums(np.concatenate([a, b])))
    assert add_moments(None, None) is None and add_moments() is None


def test_bad_input() -> None:
    own, rest = [_flat(10, 50.0)] * 3, [_flat(300, 50.0)] * 3
    with pytest.raises(ValueError, match="one entry per wave"):
        effect_check(own[:2], rest, 1)
    with pytest.raises(ValueError, match="one unit"):
        effect_check_units([], rest, 1)
    for after_from in (-1, 1.5, True):
        with pytest.raises(ValueError, match="after_from"):
            effect_check(own, rest, after_from)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="power"):
        effect_check(own, rest, 1, power=0.3)
    with pytest.raises(ValueError, match="confidence"):
        effect_check(own, rest, 1, confidence=1.0)
