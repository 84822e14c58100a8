"""The participation monitor on an open wave's page: each shown unit over the days (a line chart with
its table) and, for citizens, the ratings per service point and week (a table).

The figures come from survey.services.participation with the anonymity rules applied; this
module only says them in the page's language. A unit's line is its responses (staff: its rate)
up to each day, never a day's own number; a day the rules hide has no point (the line starts
where the unit may be seen) and says "unter 5" or "verborgen" in the table. The chart is altair,
rendered on the server to SVG (survey.report.charts), narrow enough to be read on a phone; its
text alternative is a sentence and the table of the days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
from babel.dates import format_date

from survey.domain.figures import HiddenFigure
from survey.report.charts._common import layered, lookup_expr, render_svg
from survey.report.format import integer, locale, percent
from survey.services.participation import ServicePointWeeks, UnitSeries

__all__ = ["SeriesChart", "WeekRow", "WeekTable", "hidden_reasons", "series_chart", "week_table"]

#: Okabe–Ito colours, told apart with red–green colour blindness; each line has a dash of its own
_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#999999"]
_DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
#: the plot's width: with its axes the chart is about 420 px, read on a phone without zooming
_WIDTH = 360

#: a cell of a table: what it says, and whether it is a hidden number
Cell = tuple[str, bool]


@dataclass(frozen=True)
class SeriesChart:
    svg: str
    title: str
    #: the text alternative: what the chart shows, in a sentence or two
    summary: str
    #: the table below the chart: a column per unit, a row per day
    head: list[str]
    rows: list[tuple[str, list[Cell]]]


@dataclass(frozen=True)
class WeekRow:
    name: str
    unit: str
    #: per week, then the total
    cells: list[Cell]


@dataclass(frozen=True)
class WeekTable:
    #: per week: its name ("KW 49") and its days in the wave ("30.11.–6.12.")
    weeks: list[tuple[str, str]]
    rows: list[WeekRow]


def _hidden_word(figure: HiddenFigure, k: int, _: Callable[..., str]) -> str:
    return _("under %(k)d", k=k) if figure.reason == "below_k" else _("hidden")


def _day(day: dt.date, lang: str) -> str:
    return format_date(day, "d.M." if lang == "de" else "d MMM", locale=locale(lang))


def hidden_reasons(series: list[UnitSeries], points: ServicePointWeeks | None) -> set[str]:
    """Why the numbers the monitor hides are hidden (for the notes below the tables)."""
    figures: list[object] = [p.responses for s in series for p in s.points]
    if points is not None:
        figures += [v for r in points.points for v in [*r.weeks, r.total]]
    return {f.reason for f in figures if isinstance(f, HiddenFigure)}


def _value(point_value: int | float, staff: bool, lang: str) -> str:
    return percent(point_value, lang) if staff else integer(int(point_value), lang)


def _spec(series: list[UnitSeries], staff: bool, lang: str, _: Callable[..., str]) -> alt.LayerChart:
    days = [p.day.isoformat() for p in series[0].points]
    step = max(1, -(-len(days) // 5))
    ticks = days[::step] if days[-1] in days[::step] else [*days[::step], days[-1]]
    labels = {p.day.isoformat(): _day(p.day, lang) for p in series[0].points}
    data = [
        {"day": p.day.isoformat(), "unit": s.name, "value": p.rate if staff else p.responses}
        for s in series
        for p in s.points
        if not isinstance(p.responses, HiddenFigure) and (p.rate is not None or not staff)
    ]
    names = [s.name for s in series]
    x = alt.X(
        "day:O",
        sort=days,
        scale=alt.Scale(domain=days, padding=0.3),
        axis=alt.Axis(title=None, values=ticks, labelExpr=lookup_expr(labels), labelAngle=0, grid=False),
    )
    top = max([float(row["value"]) for row in data] + [1.0])
    y = alt.Y(
        "value:Q",
        scale=alt.Scale(domain=[0, 1 if staff else top * 1.1], nice=False),
        axis=alt.Axis(
            title=_("Rate so far") if staff else _("Responses so far"),
            format=".0%" if staff else ",d",
            tickCount=5,
            tickMinStep=0.1 if staff else 1,
        ),
    )
    # one legend for colour and dash: each entry a short stretch of its line
    legend = alt.Legend(
        title=None,
        orient="bottom",
        direction="vertical",
        labelLimit=_WIDTH,
        labelFontSize=12,
        symbolType="stroke",
        symbolStrokeWidth=2.5,
        symbolSize=300,
    )
    colour = alt.Color(
        "unit:N",
        scale=alt.Scale(domain=names, range=[_COLOURS[i % len(_COLOURS)] for i in range(len(names))]),
        legend=legend,
    )
    dash = alt.StrokeDash(
        "unit:N",
        scale=alt.Scale(domain=names, range=[_DASHES[i % len(_DASHES)] for i in range(len(names))]),
        legend=legend,
    )
    lines = (
        alt.Chart(alt.Data(values=data))
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=16, filled=True))
        .encode(x=x, y=y, color=colour, strokeDash=dash)
    )
    return layered([lines], width=_WIDTH, height=200)


def _summary(series: list[UnitSeries], staff: bool, lang: str, _: Callable[..., str]) -> str:
    last = series[0].points[-1].day
    first = min(p.day for s in series for p in s.points if not isinstance(p.responses, HiddenFigure))
    ends = [(s.points[-1].rate if staff else s.points[-1].responses, s.name) for s in series]
    known = [(float(v), name) for v, name in ends if isinstance(v, int | float)]
    span = {"first": _day(first, lang), "last": _day(last, lang)}
    if len(known) == 1:
        value, name = known[0]
        return _(
            "One line, %(unit)s, from %(first)s to %(last)s; on %(last)s: %(value)s.",
            unit=name,
            value=_value(value, staff, lang),
            **span,
        )
    most, most_name = max(known, key=lambda pair: (pair[0], pair[1]))
    fewest, fewest_name = min(known, key=lambda pair: (pair[0], pair[1]))
    if most == fewest:
        return _(
            "%(count)s lines, one per unit shown, from %(first)s to %(last)s; on %(last)s each at %(value)s.",
            count=integer(len(known), lang),
            value=_value(most, staff, lang),
            **span,
        )
    return _(
        "%(count)s lines, one per unit shown, from %(first)s to %(last)s; on %(last)s the highest: "
        "%(most)s (%(most_unit)s), the lowest: %(fewest)s (%(fewest_unit)s).",
        count=integer(len(known), lang),
        most=_value(most, staff, lang),
        most_unit=most_name,
        fewest=_value(fewest, staff, lang),
        fewest_unit=fewest_name,
        **span,
    )


def _table_cell(
    p_responses: int | HiddenFigure,
    rate: float | HiddenFigure | None,
    k: int,
    lang: str,
    _: Callable[..., str],
) -> Cell:
    if isinstance(p_responses, HiddenFigure):
        return _hidden_word(p_responses, k, _), True
    if isinstance(rate, float | int):
        return f"{integer(p_responses, lang)} ({percent(rate, lang)})", False
    return integer(p_responses, lang), False


def series_chart(
    series: list[UnitSeries], staff: bool, k: int, lang: str, _: Callable[..., str]
) -> SeriesChart | None:
    """The shown units over the days, or None where none is shown."""
    if not series or not any(not isinstance(p.responses, HiddenFigure) for s in series for p in s.points):
        return None
    title = _("Rate so far, per unit") if staff else _("Responses so far, per unit")
    rows = [
        (
            format_date(point.day, "medium", locale=locale(lang)),
            [_table_cell(s.points[i].responses, s.points[i].rate, k, lang, _) for s in series],
        )
        for i, point in enumerate(series[0].points)
    ]
    return SeriesChart(
        render_svg(_spec(series, staff, lang, _), title, lang),
        title,
        _summary(series, staff, lang, _),
        [s.name for s in series],
        rows,
    )


def week_table(points: ServicePointWeeks, k: int, lang: str, _: Callable[..., str]) -> WeekTable | None:
    """The citizens' ratings per service point and week, or None where the wave has none."""
    if not points.points or not points.weeks:
        return None

    def cell(value: int | HiddenFigure) -> Cell:
        if isinstance(value, HiddenFigure):
            return _hidden_word(value, k, _), True
        return integer(value, lang), False

    weeks = [
        (_("Week %(number)s", number=w.week), f"{_day(w.first, lang)}–{_day(w.last, lang)}")
        for w in points.weeks
    ]
    rows = [WeekRow(r.name, r.unit_name, [cell(v) for v in [*r.weeks, r.total]]) for r in points.points]
    return WeekTable(weeks, rows)
