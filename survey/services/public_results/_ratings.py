"""Suppressed figures as the pages without sign-in show them: the latest closed wave's rating per
value, rounded to whole numbers, the change and the trend as words, hidden figures with their
reason; measures' effect checks per value."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from survey.domain.effects import MeasureEffect
from survey.domain.figures import Change, HiddenFigure, Score, Trend, WavePoint, WaveSummary
from survey.services.public_results._model import ChangeWord, EffectLine, Ratings, TrendWord, ValueRating

__all__ = ["Figures", "change_word", "effect_lines", "ratings_of", "rounded"]


class _Value(Protocol):
    value: str
    name: str
    series: list[WavePoint]
    change: Change | HiddenFigure | None
    trend: Trend


class Figures(Protocol):
    """A unit's figures (`UnitFigures`) or a service point's (`ServicePointFigures`)."""

    questionnaire: str
    k: int

    @property
    def waves(self) -> Sequence[WaveSummary]: ...

    @property
    def values(self) -> Sequence[_Value]: ...


def rounded(x: float) -> int:
    """A score as a whole number, half up (as the charts and reports round)."""
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def change_word(change: Change | HiddenFigure | None) -> tuple[ChangeWord, HiddenFigure | None]:
    """Better or worse only where the test says so after the adjustment (the dashboard's rule,
    survey.report.show.FigureText.direction), else the same."""
    if isinstance(change, HiddenFigure):
        return "hidden", change
    if change is None:
        return "none", None
    if change.significant and change.difference > 0:
        return "better", None
    if change.significant and change.difference < 0:
        return "worse", None
    return "same", None


def _trend_word(trend: Trend) -> TrendWord:
    return trend.direction if trend.direction in ("rising", "falling", "flat") else "not_enough_waves"  # type: ignore[return-value]


def _rating(value: _Value, names: dict[str, str]) -> ValueRating:
    point = value.series[-1]
    name = names.get(value.value, value.name)
    if not point.asked:
        return ValueRating(value.value, name, False, None, None, "none", None, "not_enough_waves", 0)
    score = point.score
    change, change_hidden = change_word(value.change)
    return ValueRating(
        value.value,
        name,
        True,
        rounded(score.mean) if isinstance(score, Score) else None,
        score if isinstance(score, HiddenFigure) else None,
        change,
        change_hidden,
        _trend_word(value.trend),
        value.trend.waves,
    )


def ratings_of(figures: Figures, names: dict[str, str]) -> Ratings | None:
    """The latest closed wave of `figures` (None where there is none); value names from `names`
    (key → name in the page's language), else the figures' own."""
    if not figures.waves:
        return None
    latest = figures.waves[-1]
    previous = figures.waves[-2] if len(figures.waves) > 1 else None
    respondents = latest.respondents
    return Ratings(
        figures.questionnaire,
        latest.wave,
        latest.opens_on,
        latest.closes_on,
        respondents if isinstance(respondents, int) else None,
        respondents if isinstance(respondents, HiddenFigure) else None,
        figures.k,
        [_rating(v, names) for v in figures.values],
        (previous.opens_on, previous.closes_on) if previous else None,
    )


def _points(x: float | None) -> float | None:
    return None if x is None else round(float(x), 1)


def effect_lines(effect: MeasureEffect | None, names: dict[str, str]) -> list[EffectLine]:
    """The measure's check per value: the owning units together, or the one owning unit."""
    if effect is None:
        return []
    lines = []
    for v in effect.values:
        name = names.get(v.value, v.name)
        if isinstance(v.effect, HiddenFigure):
            lines.append(EffectLine(v.value, name, None, v.effect))
            continue
        e = v.effect
        lines.append(
            EffectLine(
                v.value,
                name,
                e.verdict,
                None,
                e.reason,
                e.n_before + e.n_after,
                _points(e.estimate),
                _points(e.low),
                _points(e.high),
                _points(e.mde),
            )
        )
    return lines
