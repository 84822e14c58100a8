"""Scores, changes and response rates as the figures show them: survey.stats computes, this
module rounds and names the results (a Score, a change's test and effect)."""

from __future__ import annotations

from survey.domain.anonymity import Hidden
from survey.domain.figures import HiddenFigure, Score
from survey.services.figures._suppression import hidden_figure
from survey.stats import (
    cohens_d,
    cohens_d_from_summary,
    describe_moments,
    describe_values,
    mean_variance,
    welch,
    welch_from_summary,
)

__all__ = [
    "Moments",
    "r",
    "rate",
    "rate_base",
    "score",
    "score_of_moments",
    "value_change",
    "value_change_of_moments",
]

#: (persons, Σ score, Σ score²) of a group, per value
Moments = tuple[int, float, float]


def r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def score(values: list[float]) -> Score | None:
    if not values:
        return None
    d = describe_values(values, scale_min=0, scale_max=100)
    return Score(d.n, round(d.score.mean, 4), r(d.score.low), r(d.score.high))  # type: ignore[arg-type]


def score_of_moments(moments: Moments | None) -> Score | None:
    """`score` of a group known by its sums (the same mean and t-interval as describe_values)."""
    if moments is None or moments[0] == 0:
        return None
    s = describe_moments(*moments)
    return Score(moments[0], round(s.mean, 4), r(s.low), r(s.high))  # type: ignore[arg-type]


def value_change(before: list[float], after: list[float]) -> dict:
    """Welch's test on persons' value scores, with Cohen's d as the effect size."""
    result = welch(before, after)
    return _welch_change(result.difference, result.p, cohens_d(before, after))


def value_change_of_moments(before: Moments, after: Moments) -> dict:
    """`value_change` of two groups known by their sums."""
    (mx, vx), (my, vy) = mean_variance(*before), mean_variance(*after)
    result = welch_from_summary(before[0], mx, vx, after[0], my, vy)
    return _welch_change(result.difference, result.p, cohens_d_from_summary(mx, vx, my, vy))


def _welch_change(difference: float, p: float, d: float | None) -> dict:
    return {
        "test": "Welch",
        "difference": round(difference, 4),
        "p": p,
        # neither group varies: no d; the reports have always shown the difference then
        "effect": round(difference if d is None else d, 4),
        "effect_name": "Cohen's d",
    }


def rate_base(audience: str, staff: int) -> int | None:
    """The headcount a response rate divides by: `staff`, of the unit's subtree in the wave (as
    the wave's organisation had it). Citizens have none (and the contacts at service points,
    which would be one, are not recorded)."""
    if audience != "staff":
        return None
    return staff


def rate(n: int, headcount: int | None, hidden: Hidden | None) -> float | HiddenFigure | None:
    if headcount is None:
        return None
    if hidden:
        return hidden_figure(hidden)
    return round(n / headcount, 4) if headcount else None
