"""Statistics for Leitbild-Puls: pure functions over count tables and arrays (numpy, scipy).

No database and no web: the store hands over count tables (answers per code for one item
in one group), and these functions turn them into figures. Every result is a small frozen
dataclass; a figure that is undefined for the data (too few answers) is ``None``, never NaN.
Each figure is checked in ``tests/stats`` against a reference implementation.

Scores and shares
    describe(counts, *, scale_min, scale_max)        -> Description (n, mean, sd, t-interval; scale and 0–100)
    describe_values(values, *, scale_min, scale_max) -> Description (the same from raw answers)
    describe_moments(n, total, squares)              -> Summary     (mean, sd, t-interval from n, Σx, Σx²)
    mean_variance(n, total, squares)                 -> (mean, variance) from the same sums
    wilson(k, n)                                     -> Interval    (low, high)

Two groups (a positive effect means y is larger: pass the earlier wave as x)
    brunner_munzel(x, y) / brunner_munzel_counts(x, y) -> BrunnerMunzel (p̂ = P(X<Y) + ½P(X=Y), interval, p)
    cliffs_delta(x, y) / cliffs_delta_counts(x, y)     -> CliffsDelta   (δ = P(Y>X) − P(Y<X))
    welch(x, y)                                        -> Welch         (mean(y) − mean(x), interval, p)
    welch_from_summary(nx, mx, vx, ny, my, vy)         -> Welch         (the same from n, means, variances)
    cohens_d(x, y)                                     -> float | None  (d_av: difference / √ mean variance)
    cohens_d_from_summary(mx, vx, my, vy)              -> float | None  (the same from means and variances)

Trends over waves (state a trend only from MIN_TREND_WAVES waves on)
    mann_kendall(series)      -> MannKendall (S, var(S), z, p, τ)
    theil_sen(y, x=None)      -> TheilSen    (slope, intercept, slope interval)

Effect of a measure (owning units before/after its start against the rest of the organisation)
    effect_check(own, rest, after_from)          -> EffectCheck (DiD, interval, p, MDE, verdict; Segmented)
    effect_check_units(units, rest, after_from)  -> EffectCheck (several units, each against the rest)
    verdict(result, adjusted_p=None)             -> Verdict     (the verdict again on an adjusted p)
    add_moments(*moments)                        -> Moments     (n, Σx, Σx² of groups taken together)

Many tests in one report
    benjamini_hochberg(pvalues) -> tuple of adjusted p-values

Reliability of a value's items
    cronbach_alpha(data, *, nan_policy="pairwise") -> CronbachAlpha (α, Feldt interval)
    omega_total(data, *, nan_policy="pairwise")    -> Omega         (McDonald's ω, one-factor ML)

Every function that takes ``confidence`` defaults to 0.95.
"""

from survey.stats._comparison import (
    BrunnerMunzel,
    CliffsDelta,
    Welch,
    brunner_munzel,
    brunner_munzel_counts,
    cliffs_delta,
    cliffs_delta_counts,
    cohens_d,
    cohens_d_from_summary,
    welch,
    welch_from_summary,
)
from survey.stats._description import Description, Summary, describe, describe_values
from survey.stats._effect import (
    MIN_SEGMENT_WAVES,
    Coefficient,
    EffectCheck,
    Moments,
    Segmented,
    Verdict,
    add_moments,
    effect_check,
    effect_check_units,
    verdict,
)
from survey.stats._moments import describe_moments, mean_variance
from survey.stats._multiplicity import benjamini_hochberg
from survey.stats._proportion import Interval, wilson
from survey.stats._reliability import CronbachAlpha, NanPolicy, Omega, cronbach_alpha, omega_total
from survey.stats._tables import Counts
from survey.stats._trend import MIN_TREND_WAVES, MannKendall, TheilSen, mann_kendall, theil_sen

__all__ = [
    "MIN_SEGMENT_WAVES",
    "MIN_TREND_WAVES",
    "BrunnerMunzel",
    "CliffsDelta",
    "Coefficient",
    "Counts",
    "CronbachAlpha",
    "Description",
    "EffectCheck",
    "Interval",
    "MannKendall",
    "Moments",
    "NanPolicy",
    "Omega",
    "Segmented",
    "Summary",
    "TheilSen",
    "Verdict",
    "Welch",
    "add_moments",
    "benjamini_hochberg",
    "brunner_munzel",
    "brunner_munzel_counts",
    "cliffs_delta",
    "cliffs_delta_counts",
    "cohens_d",
    "cohens_d_from_summary",
    "cronbach_alpha",
    "describe",
    "describe_moments",
    "describe_values",
    "effect_check",
    "effect_check_units",
    "mann_kendall",
    "mean_variance",
    "omega_total",
    "theil_sen",
    "verdict",
    "welch",
    "welch_from_summary",
    "wilson",
]
