"""A value's scores across the waves, with its 95 % band, version breaks and references."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
from babel.lists import format_list

from survey.domain.effects import MeasureSummary
from survey.domain.figures import (
    HiddenFigure,
    Reorganisation,
    Score,
    ValueFigures,
    WavePoint,
)
from survey.report.charts._common import (
    GREY,
    HIGH_DARK,
    HIGH_LIGHT,
    INK,
    LOW_DARK,
    Chart,
    chart_texts,
    layered,
    lookup_expr,
    render_svg_of,
    score_cell,
)
from survey.report.format import day as format_day
from survey.report.format import hidden_text, integer, locale, month_short, number

__all__ = ["Marker", "measure_markers", "reorganisation_markers", "trend_spec", "value_trend"]


#: a measure's start in a trend chart: its day and title
Marker = tuple[dt.date, str]


def measure_markers(measures: Sequence[MeasureSummary]) -> dict[str, list[Marker]]:
    """Per value: the start day and title of each measure addressing it, oldest first."""
    markers: dict[str, list[Marker]] = {}
    for measure in measures:
        for value in measure.values:
            markers.setdefault(value.value, []).append((measure.starts_on, measure.title))
    return {value: sorted(days) for value, days in markers.items()}


#: a reorganisation in a trend chart: its day, what it was, and the first wave after it
Change = tuple[dt.date, str, str | None]


def reorganisation_markers(changes: Sequence[Reorganisation], language: str) -> list[Change]:
    """Each reorganisation in a unit's lineage: its day, what it was (said in `language`) and the
    first wave shown that ran with the new organisation."""
    pgettext = chart_texts(language)
    labels = {
        "split": pgettext("chart", "reorganisation: split from %(units)s"),
        "merged": pgettext("chart", "reorganisation: %(units)s merged"),
        "moved": pgettext("chart", "reorganisation: moved"),
        "renamed": pgettext("chart", "reorganisation: renamed"),
    }
    return [
        (
            change.valid_from,
            labels.get(change.kind, pgettext("chart", "reorganisation"))
            % {"units": format_list(change.units, locale=locale(language))},
            change.wave,
        )
        for change in changes
    ]


def _x_of(series: list[WavePoint], day: dt.date) -> float:
    """Between the last wave before `day` and the first after it (at the right edge where no
    wave has opened since)."""
    after = next((i for i, p in enumerate(series) if p.opens_on >= day), len(series))
    return after - 0.5 if 0 < after < len(series) else (-0.4 if after == 0 else len(series) - 0.3)


def _marker_rows(
    series: list[WavePoint], markers: Sequence[Marker], pgettext: Callable[[str, str], str]
) -> Rows:
    """Each measure's start between the last wave before it and the first after it, labelled one
    below the other."""
    rows = []
    for place, (day, title) in enumerate(markers):
        label = pgettext("chart", "measure: %(title)s") % {"title": title}
        rows.append({"x": _x_of(series, day), "y": 96 - 7 * place, "label": label})
    return rows


def _change_layers(series: list[WavePoint], changes: Sequence[Change], x: alt.X) -> list[alt.Chart]:
    """Each reorganisation: a grey rule before the first wave in the new organisation, with what
    it was at the foot of the chart."""
    if not changes:
        return []
    index = {p.wave: i for i, p in enumerate(series)}
    rows = [
        {"x": index[wave] - 0.5 if wave in index else _x_of(series, day), "y": 16 + 7 * place, "label": label}
        for place, (day, label, wave) in enumerate(changes)
    ]
    y_marker = alt.Y("y:Q", scale=alt.Scale(domain=[0, 100]))
    # the label on the side with more room: left of a line in the later half of the chart
    late = [r for r in rows if r["x"] > len(series) / 2]
    early = [r for r in rows if r["x"] <= len(series) / 2]
    layers = [
        alt.Chart(alt.Data(values=rows)).mark_rule(color=GREY, strokeDash=[6, 3], strokeWidth=2).encode(x=x)
    ]
    for side, align, dx in ((late, "right", -4), (early, "left", 4)):
        if side:
            layers.append(
                alt.Chart(alt.Data(values=side))
                .mark_text(align=align, baseline="middle", dx=dx, fontSize=10, color=GREY, limit=260)
                .encode(x=x, y=y_marker, text="label:N")
            )
    return layers


def trend_spec(
    value: ValueFigures, language: str, markers: Sequence[Marker] = (), changes: Sequence[Change] = ()
) -> alt.LayerChart:
    pgettext = chart_texts(language)
    series = value.series
    n = len(series)
    names = {
        "self": pgettext("chart", "This unit"),
        "parent": pgettext("chart", "Parent unit"),
        "organisation": pgettext("chart", "Whole organisation"),
    }
    domain = [names["self"], names["parent"], names["organisation"]]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=domain, range=[INK, LOW_DARK, HIGH_DARK]),
        legend=alt.Legend(title=None, symbolStrokeWidth=2, labelLimit=0),
    )
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=domain, range=["circle", "diamond", "square"]), legend=None
    )

    points, gaps, breaks = _marks(series, names["self"], pgettext)
    sizes: dict[int, int] = {}
    for row in points:
        sizes[row["segment"]] = sizes.get(row["segment"], 0) + 1
    band = [r for r in points if r["low"] is not None and r["high"] is not None]
    lonely = [r for r in band if sizes[r["segment"]] == 1]

    step = 70 if n <= 10 else max(36, 700 // n)
    width = max(320, step * n + 40)
    x_scale = alt.Scale(domain=[-0.5, n - 0.5 + 0.45], nice=False, zero=False)
    labels = {str(i): month_short(p.opens_on, language) for i, p in enumerate(series)}
    x_axis = alt.Axis(
        values=list(range(n)),
        labelExpr=lookup_expr(labels),
        grid=False,
        title=None,
        labelAngle=0 if n <= 10 else -45,
        labelFlush=False,
    )
    x = alt.X("x:Q", scale=x_scale, axis=x_axis)
    y_scale = alt.Scale(domain=[0, 100], nice=False)
    y = alt.Y("mean:Q", scale=y_scale, axis=alt.Axis(title=pgettext("chart", "Score (0–100)")))

    layers: list[alt.Chart] = [
        alt.Chart(alt.Data(values=band))
        .mark_area(color=HIGH_LIGHT, opacity=0.6)
        .encode(x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q", detail="segment:N"),
        alt.Chart(alt.Data(values=lonely))
        .mark_rule(color=HIGH_LIGHT, strokeWidth=7)
        .encode(x=x, y="low:Q", y2="high:Q"),
        alt.Chart(alt.Data(values=points))
        .mark_line(color=INK, strokeWidth=2)
        .encode(x=x, y=y, detail="segment:N"),
        alt.Chart(alt.Data(values=points))
        .mark_point(filled=True, size=55, opacity=1)
        .encode(x=x, y=y, color=colour, shape=shape),
        alt.Chart(alt.Data(values=points))
        .mark_text(dy=-12, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("mean:Q", format=",.1f")),
        alt.Chart(alt.Data(values=breaks))
        .mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=alt.X("x:Q", scale=x_scale, axis=x_axis)),
        alt.Chart(alt.Data(values=[{**b, "y": 100} for b in breaks]))
        .mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=10, color=GREY)
        .encode(x=x, y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 100])), text="label:N"),
        alt.Chart(alt.Data(values=[{**g, "y": 0} for g in gaps]))
        .mark_point(shape="triangle-up", size=60, color=GREY, filled=False, strokeWidth=1.5)
        .encode(x=x, y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 100]))),
        alt.Chart(alt.Data(values=[{**g, "y": 0} for g in gaps]))
        .mark_text(dy=-14, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=x, y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 100])), text="label:N"),
    ]
    layers += _marker_layers(_marker_rows(series, markers, pgettext), x)
    layers += _change_layers(series, changes, x)
    layers += _reference_layers(value, n, names, x, y, colour, shape)
    return layered(layers, width=width, height=240)


def _marker_layers(started: Rows, x: alt.X) -> list[alt.Chart]:
    """Each measure's start: a dashed rule with the measure's title beside it."""
    if not started:
        return []
    y_marker = alt.Y("y:Q", scale=alt.Scale(domain=[0, 100]))
    return [
        alt.Chart(alt.Data(values=started))
        .mark_rule(color=HIGH_DARK, strokeDash=[2, 2], strokeWidth=1.5)
        .encode(x=x),
        alt.Chart(alt.Data(values=started))
        .mark_text(align="right", baseline="middle", dx=-4, fontSize=10, color=HIGH_DARK, limit=220)
        .encode(x=x, y=y_marker, text="label:N"),
    ]


def _reference_layers(
    value: ValueFigures,
    n: int,
    names: dict[str, str],
    x: alt.X,
    y: alt.Y,
    colour: alt.Color,
    shape: alt.Shape,
) -> list[alt.Chart]:
    """The own unit's legend entry, and the parent's and organisation's latest scores beside the
    latest wave."""
    layers: list[alt.Chart] = []
    references = []
    for key, offset, score in (("parent", 15, value.parent), ("organisation", 29, value.organisation)):
        if isinstance(score, Score) and n:
            references.append((offset, {"x": n - 1, "mean": score.mean, "series": names[key]}))
    # the own unit always has a legend entry, even where every wave is hidden
    legend_rows = [{"x": -10, "mean": -10, "series": names["self"]}]
    layers.append(
        alt.Chart(alt.Data(values=legend_rows))
        .mark_point(filled=True, size=55, opacity=1, clip=True)
        .encode(x=x, y=y, color=colour, shape=shape)
    )
    for offset, row in references:
        layers.append(
            alt.Chart(alt.Data(values=[row]))
            .mark_point(filled=True, size=110, opacity=1, xOffset=offset, stroke="white", strokeWidth=0.8)
            .encode(x=x, y=y, color=colour, shape=shape)
        )
    return layers


Rows = list[dict[str, Any]]


def _marks(series: list[WavePoint], own: str, pgettext: Callable[[str, str], str]) -> tuple[Rows, Rows, Rows]:
    """The scores (numbered by unbroken segment), the gaps (hidden, no data, not asked) and the
    version breaks of a value's series, as rows of chart data."""
    points: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    breaks: list[dict[str, Any]] = []
    segment, shown_before = 0, False
    for i, p in enumerate(series):
        if p.break_before and i > 0:
            breaks.append({"x": i - 0.5, "label": pgettext("chart", "new questionnaire version")})
        if isinstance(p.score, Score):
            if p.break_before or not shown_before:
                segment += 1
            points.append(
                {
                    "x": i,
                    "mean": p.score.mean,
                    "low": p.score.low,
                    "high": p.score.high,
                    "segment": segment,
                    "series": own,
                }
            )
            shown_before = True
        else:
            label = (
                pgettext("chart", "hidden")
                if isinstance(p.score, HiddenFigure)
                else pgettext("chart", "no data")
            )
            gaps.append({"x": i, "label": label if p.asked else pgettext("chart", "not asked")})
            shown_before = False
    return points, gaps, breaks


def value_trend(
    value: ValueFigures, language: str, markers: Sequence[Marker] = (), changes: Sequence[Change] = ()
) -> Chart:
    """Score per wave with its 95 % band; version breaks marked; parent and organisation as
    reference marks for the latest wave; hidden waves as gaps, named as hidden in the table; waves
    whose questionnaire does not ask for the value named so ("nicht gefragt"), not as missing data."""
    pgettext = chart_texts(language)
    title = pgettext("chart", "“%(name)s” across the waves") % {"name": value.name}
    break_note = pgettext("chart", "version change: not comparable with the waves before")
    rows: list[list[str]] = []
    for i, p in enumerate(value.series):
        wave = p.title
        if p.break_before and i > 0:
            wave = f"{wave} ({break_note})"
        n = integer(p.score.n, language) if isinstance(p.score, Score) else "–"
        rows.append([wave, score_cell(p.score, language, asked=p.asked), n])
    asked_now = value.series[-1].asked if value.series else value.asked
    latest_wave = pgettext("chart", "latest wave")
    for reference, score in (
        (pgettext("chart", "Parent unit"), value.parent),
        (pgettext("chart", "Whole organisation"), value.organisation),
    ):
        n = integer(score.n, language) if isinstance(score, Score) else "–"
        rows.append([f"{reference} ({latest_wave})", score_cell(score, language, asked=asked_now), n])
    # nothing asked, nothing to say about scores or trends
    summary = (
        [
            pgettext("chart", "“%(name)s” is not asked in this questionnaire, so there are no scores.")
            % {"name": value.name}
        ]
        if not value.asked
        else _trend_summary(value, language)
    )
    summary += [
        pgettext("chart", "Measure “%(title)s” started on %(day)s.") % {"title": title, "day": day_text}
        for day_text, title in ((format_day(day, language), title) for day, title in markers)
    ]
    summary += [f"{label[:1].upper()}{label[1:]} ({format_day(day, language)})." for day, label, _ in changes]
    if changes:
        summary.append(
            pgettext("chart", "Before a reorganisation the line shows the units this unit came from.")
        )
    return Chart(
        svg=render_svg_of(trend_spec, (value, language, tuple(markers), tuple(changes)), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[
            pgettext("chart", "Wave"),
            pgettext("chart", "Score (95% interval)"),
            pgettext("chart", "Respondents"),
        ],
        table_rows=rows,
    )


def _trend_summary(value: ValueFigures, language: str) -> list[str]:
    pgettext = chart_texts(language)
    summary: list[str] = []
    if value.series and not value.series[-1].asked:
        summary.append(
            pgettext("chart", "“%(name)s” is not asked in the questionnaire of the latest wave (%(wave)s).")
            % {"name": value.name, "wave": value.series[-1].title}
        )
    elif value.series:
        last = value.series[-1]
        latest = value.latest if value.latest is not None else last.score
        if isinstance(latest, Score):
            has_ci = latest.low is not None and latest.high is not None
            ci = f"{number(latest.low, language)}–{number(latest.high, language)}" if has_ci else ""
            template = (
                pgettext(
                    "chart",
                    "“%(name)s” scored %(score)s out of 100 in the latest wave (%(wave)s) "
                    "(95%% interval %(ci)s).",
                )
                if has_ci
                else pgettext(
                    "chart", "“%(name)s” scored %(score)s out of 100 in the latest wave (%(wave)s)."
                )
            )
            summary.append(
                template
                % {"name": value.name, "wave": last.title, "score": number(latest.mean, language), "ci": ci}
            )
        elif isinstance(latest, HiddenFigure):
            summary.append(
                pgettext("chart", "“%(name)s” is %(hidden)s in the latest wave (%(wave)s).")
                % {"name": value.name, "wave": last.title, "hidden": hidden_text(latest, language)}
            )
        else:
            summary.append(
                pgettext("chart", "There is no data for “%(name)s” in the latest wave (%(wave)s).")
                % {"name": value.name, "wave": last.title}
            )
    directions = {
        "rising": pgettext("chart", "Over %(waves)s waves the score rises."),
        "falling": pgettext("chart", "Over %(waves)s waves the score falls."),
        "flat": pgettext("chart", "Over %(waves)s waves there is no clear trend."),
    }
    not_enough = pgettext("chart", "There are not yet enough waves for a trend.")
    summary.append(directions.get(value.trend.direction, not_enough) % {"waves": value.trend.waves})
    if any(p.break_before for p in value.series[1:]):
        summary.append(pgettext("chart", "The line breaks where the questionnaire version changed."))
    if any(not p.asked for p in value.series):
        summary.append(pgettext("chart", "Waves whose questionnaire does not ask about it have no score."))
    return summary
