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
from survey.stats._moments import describe_moments, mean_variance
from survey.stats._multiplicity import benjamini_hochberg
from survey.stats._proportion import Interval, wilson
from survey.stats._reliability import CronbachAlpha, NanPolicy, Omega, cronbach_alpha, omega_total
from survey.stats._tables import Counts
from survey.stats._trend import MIN_TREND_WAVES, MannKendall, TheilSen, mann_kendall, theil_sen

__all__ = [
    "MIN_TREND_WAVES",
    "BrunnerMunzel",
    "CliffsDelta",
    "Counts",
    "CronbachAlpha",
    "Description",
    "Interval",
    "MannKendall",
    "NanPolicy",
    "Omega",
    "Summary",
    "TheilSen",
    "Welch",
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
    "mann_kendall",
    "mean_variance",
    "omega_total",
    "theil_sen",
    "welch",
    "welch_from_summary",
    "wilson",
]
