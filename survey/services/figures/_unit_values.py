"""A unit's values across the waves shown: the series, the change since the previous wave
(Welch with Cohen's d), the trend (Mann–Kendall, Theil–Sen), parent and organisation, self-
and external image, reliability."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from survey.domain.anonymity import Hidden
from survey.domain.figures import Change, HiddenFigure, Score, ValueFigures, WavePoint, WaveReliability
from survey.services.figures._adjustment import Tests
from survey.services.figures._context import UnitContext
from survey.services.figures._images import Images
from survey.services.figures._items import PendingChange
from survey.services.figures._scores import Moments, score, score_of_moments, value_change
from survey.services.figures._suppression import hidden_figure

__all__ = ["PersonScores", "ValueInputs", "value_figures"]

#: per (wave, value): group ("unit", "child:KEY") → the scores of its persons
PersonScores = dict[tuple[int, str], dict[str, list[float]]]


@dataclass(frozen=True)
class ValueInputs:
    breaks: dict[tuple[int, str], bool]
    not_asked: set[tuple[int, str]]
    scores: PersonScores
    #: (wave, "parent" | "organisation", value) → sums, in the latest wave
    references: dict[tuple[int, str, str], Moments]
    images: Images
    reliability: dict[str, list[WaveReliability]]


def _series(ctx: UnitContext, value: str, inputs: ValueInputs) -> tuple[list[WavePoint], list[float]]:
    """The value's point in every wave shown, and the means a trend is computed from (the shown
    points since the last break)."""
    series, trend_points = [], []
    for wave in ctx.waves:
        h = ctx.view.scores(wave.id, ctx.unit.key)
        person = inputs.scores[(wave.id, value)]["unit"]
        asked = (wave.id, value) not in inputs.not_asked
        # nobody was asked: nothing to show, and nothing to hide either
        point = None if not asked else hidden_figure(h) if h else score(person)
        broken = inputs.breaks.get((wave.id, value), False)
        series.append(WavePoint(wave.key, wave.title, wave.opens_on, wave.version, point, broken, asked))
        if isinstance(point, Score) and not broken:
            trend_points.append(point.mean)
    return series, trend_points


def _change(
    ctx: UnitContext, value: str, inputs: ValueInputs, tests: Tests
) -> tuple[HiddenFigure | None, PendingChange | None]:
    latest, previous, key = ctx.latest, ctx.previous, ctx.unit.key
    if previous is None or (latest.id, value) in inputs.not_asked or (previous.id, value) in inputs.not_asked:
        return None, None
    if ctx.view.scores(previous.id, key) or ctx.view.scores(latest.id, key):
        return hidden_figure(Hidden("other_side_hidden", latest.k)), None
    x, y = inputs.scores[(previous.id, value)]["unit"], inputs.scores[(latest.id, value)]["unit"]
    if len(x) >= 2 and len(y) >= 2 and not inputs.breaks.get((latest.id, value)):
        data = value_change(x, y)
        return None, (value, tests.add(data["p"]), data)
    return None, None


def _reference(
    ctx: UnitContext, group: str, key: str | None, value: str, inputs: ValueInputs
) -> Score | HiddenFigure | None:
    """The parent's or the organisation's score in the latest wave, with their own suppression."""
    if key is None or (ctx.latest.id, value) in inputs.not_asked:
        return None
    h = ctx.view.scores(ctx.latest.id, key)
    return hidden_figure(h) if h else score_of_moments(inputs.references.get((ctx.latest.id, group, value)))


def _value(
    ctx: UnitContext, value: str, inputs: ValueInputs, tests: Tests
) -> tuple[ValueFigures, PendingChange | None, int | None]:
    series, trend_points = _series(ctx, value, inputs)
    change, pending = _change(ctx, value, inputs, tests)
    trend, trend_index = tests.pending_trend(trend_points)
    by_wave = inputs.reliability[value]
    figures = ValueFigures(
        value,
        ctx.value_names[value],
        series,
        series[-1].score,
        change,
        trend,
        _reference(ctx, "parent", ctx.parent.key if ctx.parent else None, value, inputs),
        _reference(ctx, "organisation", ctx.root.key, value, inputs),
        *inputs.images.get(value, (None, None, [])),
        by_wave[-1].reliability if by_wave else None,
        reliability_by_wave=by_wave,
        asked=any(point.asked for point in series),
    )
    return figures, pending, trend_index


def value_figures(ctx: UnitContext, inputs: ValueInputs, tests: Tests) -> list[ValueFigures]:
    """Every value of the Leitbild. Adds the values' tests (changes, trends) to `tests`, then reads
    the adjusted p-values: every other test of the report (the items') must be in `tests` first."""
    drafts = [_value(ctx, value, inputs, tests) for value in ctx.value_names]
    out = []
    for figures, pending, trend_index in drafts:
        change: Change | HiddenFigure | None = figures.change
        if pending is not None:
            _, index, data = pending
            change = tests.change(index, data)
        out.append(
            msgspec.structs.replace(figures, trend=tests.trend(figures.trend, trend_index), change=change)
        )
    return out
