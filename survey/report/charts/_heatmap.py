"""Units × values in the latest wave: the sub-units of a department, or the whole organisation."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import altair as alt

from survey.domain.figures import (
    ChildScores,
    HiddenFigure,
    OverviewRow,
    Score,
)
from survey.report.charts._common import (
    HIDDEN_FILL,
    INK,
    SCORE_SCHEME,
    Chart,
    chart_texts,
    layered,
    lookup_expr,
    render_svg_of,
    score_cell,
    wrap,
)
from survey.report.format import number

__all__ = ["Row", "heatmap", "heatmap_spec", "organisation_heatmap"]


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    depth: int
    scores: dict[str, Score | HiddenFigure | None]


def heatmap_spec(rows: list[Row], value_names: dict[str, str], language: str) -> alt.LayerChart:
    pgettext = chart_texts(language)
    cells = _cells(rows, value_names, pgettext)
    columns = list(value_names)
    y = _unit_axis(rows)
    x = _value_axis(value_names)
    shown = alt.datum.status == "shown"
    data = alt.Data(values=cells)
    layers = [
        alt.Chart(data)
        .transform_filter(shown)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "mean:Q",
                scale=alt.Scale(scheme=SCORE_SCHEME, domain=[0, 100], reverse=True),
                legend=alt.Legend(
                    title=pgettext("chart", "Score (0–100)"),
                    gradientLength=220,
                    direction="horizontal",
                    orient="bottom",
                ),
            ),
        ),
        alt.Chart(data)
        .transform_filter(alt.datum.status == "hidden")
        .mark_rect(fill=HIDDEN_FILL, stroke="white", strokeWidth=2)
        .encode(x=x, y=y),
        alt.Chart(data)
        .transform_filter(alt.datum.status == "none")
        .mark_rect(fill="white", stroke="#bdbdbd", strokeWidth=1, strokeDash=[3, 2])
        .encode(x=x, y=y),
        alt.Chart(data)
        .transform_filter(shown)
        .mark_text(fontSize=12)
        .encode(
            x=x,
            y=y,
            text=alt.Text("mean:Q", format=",.1f"),
            color=alt.condition("datum.mean < 20 || datum.mean > 80", alt.value("white"), alt.value(INK)),
        ),
        alt.Chart(data)
        .transform_filter(~shown)
        .mark_text(fontSize=10, fontStyle="italic", color=INK)
        .encode(x=x, y=y, text="label:N"),
    ]
    return layered(layers, width=max(200, 92 * len(columns)), height={"step": 28})


def _cells(
    rows: list[Row], value_names: dict[str, str], pgettext: Callable[[str, str], str]
) -> list[dict[str, Any]]:
    """One cell per unit and value: shown with its score, hidden, or without data."""
    cells: list[dict[str, Any]] = []
    for row in rows:
        for key in value_names:
            score = row.scores.get(key)
            if isinstance(score, Score):
                cells.append({"row": row.unit, "col": key, "mean": score.mean, "status": "shown"})
            elif isinstance(score, HiddenFigure):
                cells.append(
                    {
                        "row": row.unit,
                        "col": key,
                        "mean": None,
                        "status": "hidden",
                        "label": pgettext("chart", "hidden"),
                    }
                )
            else:
                cells.append(
                    {
                        "row": row.unit,
                        "col": key,
                        "mean": None,
                        "status": "none",
                        "label": pgettext("chart", "no data"),
                    }
                )
    return cells


def _unit_axis(rows: list[Row]) -> alt.Y:
    """The units down the side, in their order; a unit with sub-units below it in bold."""
    order = [r.unit for r in rows]
    # a unit with its sub-units listed below it reads as a heading
    bold = [r.unit for r, below in itertools.pairwise(rows) if below.depth > r.depth]
    return alt.Y(
        "row:N",
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(
            title=None,
            labelExpr=lookup_expr({r.unit: r.name for r in rows}),
            labelLimit=0,
            ticks=False,
            domain=False,
            labelFontWeight=alt.condition(
                f"indexof({_json(bold)}, datum.value) >= 0", alt.value("bold"), alt.value("normal")
            )
            if bold
            else "normal",
        ),
    )


def _value_axis(value_names: dict[str, str]) -> alt.X:
    """The values across the top, their names wrapped onto equally many lines."""
    columns = list(value_names)
    wrapped = {k: wrap(v, 14) for k, v in value_names.items()}
    lines = max((len(w) for w in wrapped.values()), default=1)
    # equal line counts, so the labels stand on one line above the cells
    heads = {k: [""] * (lines - len(w)) + w for k, w in wrapped.items()}
    return alt.X(
        "col:N",
        sort=columns,
        scale=alt.Scale(domain=columns),
        axis=alt.Axis(
            title=None,
            orient="top",
            labelAngle=0,
            labelExpr=lookup_expr(heads),
            labelLimit=0,
            ticks=False,
            domain=False,
            # vega draws the lines of a label downwards from its first one: lift them all
            labelBaseline="bottom",
            labelLineHeight=13,
            labelPadding=4 + 13 * (lines - 1),
        ),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _heatmap_chart(
    rows: list[Row], value_names: dict[str, str], language: str, title: str, not_asked: Collection[str]
) -> Chart:
    """A column of a value nobody was asked about would be all gaps: it is left out, and the
    text alternative names it as not asked."""
    pgettext = chart_texts(language)
    left_out = [name for key, name in value_names.items() if key in not_asked]
    value_names = {key: name for key, name in value_names.items() if key not in not_asked}
    table = []
    shown: list[tuple[float, str, str]] = []
    hidden = 0
    for row in rows:
        cells = []
        for key, name in value_names.items():
            score = row.scores.get(key)
            cells.append(score_cell(score, language))
            if isinstance(score, Score):
                shown.append((score.mean, name, row.name))
            elif isinstance(score, HiddenFigure):
                hidden += 1
        # indented by depth: a no-break space pair per level survives HTML whitespace folding
        table.append(["\u00a0\u00a0" * row.depth + row.name, *cells])
    summary = [
        pgettext("chart", "Scores of %(rows)s units on %(cols)s values (0–100) in the latest wave.")
        % {"rows": len(rows), "cols": len(value_names)}
    ]
    if shown:
        hi, lo = max(shown), min(shown)
        summary.append(
            pgettext(
                "chart",
                "Highest: %(hi_value)s in %(hi_unit)s (%(hi)s); "
                "lowest: %(lo_value)s in %(lo_unit)s (%(lo)s).",
            )
            % {
                "hi_value": f"„{hi[1]}“" if language == "de" else f"“{hi[1]}”",
                "hi_unit": hi[2],
                "hi": number(hi[0], language),
                "lo_value": f"„{lo[1]}“" if language == "de" else f"“{lo[1]}”",
                "lo_unit": lo[2],
                "lo": number(lo[0], language),
            }
        )
    if hidden == 1:
        summary.append(pgettext("chart", "One cell is hidden to protect anonymity."))
    elif hidden:
        summary.append(
            pgettext("chart", "%(count)s cells are hidden to protect anonymity.") % {"count": hidden}
        )
    if left_out:
        quoted = [f"„{name}“" if language == "de" else f"“{name}”" for name in left_out]
        summary.append(
            pgettext("chart", "Not asked in this questionnaire, so not shown: %(names)s.")
            % {"names": ", ".join(quoted)}
        )
    return Chart(
        svg=render_svg_of(heatmap_spec, (rows, value_names, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[pgettext("chart", "Unit"), *value_names.values()],
        table_rows=table,
    )


def heatmap(
    children: list[ChildScores], value_names: dict[str, str], language: str, not_asked: Collection[str] = ()
) -> Chart:
    """Sub-units × values for the latest wave; hidden cells drawn as hidden, with the reason;
    values the latest wave's questionnaire does not ask (`not_asked`, keys) left out and named."""
    rows = [Row(c.unit, c.name, 0, c.scores) for c in children]
    pgettext = chart_texts(language)
    title = pgettext("chart", "Scores of the units in the latest wave")
    return _heatmap_chart(rows, value_names, language, title, not_asked)


def organisation_heatmap(
    rows: list[OverviewRow], value_names: dict[str, str], language: str, not_asked: Collection[str] = ()
) -> Chart:
    """Dezernate and Fachbereiche × values, latest wave; hidden cells drawn as hidden; values not
    asked left out and named."""
    plain = [Row(r.unit, r.name, r.depth, r.scores) for r in rows]
    pgettext = chart_texts(language)
    title = pgettext("chart", "Scores of the directorates and departments in the latest wave")
    return _heatmap_chart(plain, value_names, language, title, not_asked)
