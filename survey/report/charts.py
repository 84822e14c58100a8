"""Charts of the reports: altair specs rendered on the server by vl-convert to inline SVG.

Every chart comes with its text alternative and the data table shown next to it, formatted
for the report's language (babel for the table, the vega format locale for the axes).

Choices the charts keep throughout:

- Colours are colour-blind safe: blue against orange (never red against green), greys for what
  is not a score, and every series is told apart by its shape (or dash) as well as its colour.
- A hidden figure is drawn as hidden — a grey cell or a marker with the word "verborgen" — and
  named as hidden with its reason in the table; it is never drawn as 0 and never left out.
- Answers on a 0–10 scale are grouped 0–6 / 7–8 / 9–10 (the detractor / passive / promoter
  bands of a recommendation question), so they diverge around the middle like a five-point item.
- The chart title is not drawn into the image (the report's heading carries it); it labels the
  `<svg>` for screen readers. The SVG keeps its size attributes for print and PNG conversion and
  shrinks to its container in HTML (`max-width:100%`).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from html import escape
from typing import Any

import altair as alt
import vl_convert as vlc

from survey.domain.figures import (
    ChildScores,
    HiddenFigure,
    ItemFigures,
    OverviewRow,
    Score,
    ValueFigures,
    WaveSummary,
)
from survey.report.format import day, hidden_text, integer, month_short, number, percent, score_text

__all__ = [
    "Chart",
    "heatmap",
    "item_distribution",
    "organisation_heatmap",
    "response_rates",
    "self_external",
    "value_trend",
]


@dataclass(frozen=True)
class Chart:
    #: inline SVG without XML declaration; role="img", labelled by its title
    svg: str
    title: str
    #: the text alternative: one or two sentences saying what the chart shows
    summary: str
    table_head: list[str]
    table_rows: list[list[str]]


# --- texts ---------------------------------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "hidden": "verborgen",
        "no_data": "keine Daten",
        "not_asked": "nicht gefragt",
        "score_axis": "Wert (0–100)",
        "wave": "Welle",
        "score_ci": "Wert (95-%-Intervall)",
        "n": "Antworten",
        "this_unit": "Dieser Bereich",
        "parent": "Übergeordnete Einheit",
        "organisation": "Gesamtverwaltung",
        "series": "Reihe",
        "latest_wave": "letzte Welle",
        "version_change": "neue Fragebogenversion",
        "break_note": "Versionswechsel: nicht mit den Wellen davor vergleichbar",
        "trend_title": "„{name}“ im Verlauf der Wellen",
        "trend_latest": "„{name}“ lag in der letzten Welle ({wave}) bei {score} von 100 "
        "(95-%-Intervall {ci}).",
        "trend_latest_no_ci": "„{name}“ lag in der letzten Welle ({wave}) bei {score} von 100.",
        "trend_latest_hidden": "„{name}“ ist in der letzten Welle ({wave}) {hidden}.",
        "trend_latest_none": "Für „{name}“ liegen in der letzten Welle ({wave}) keine Daten vor.",
        "trend_latest_not_asked": "„{name}“ wird im Fragebogen der letzten Welle ({wave}) nicht gefragt.",
        "trend_not_asked": "„{name}“ wird in diesem Fragebogen nicht gefragt; es gibt daher keine Werte.",
        "trend_gaps_not_asked": "In Wellen, deren Fragebogen nicht danach fragt, gibt es keinen Wert.",
        "trend_rising": "Über {waves} Wellen steigt der Wert.",
        "trend_falling": "Über {waves} Wellen sinkt der Wert.",
        "trend_flat": "Über {waves} Wellen zeigt sich kein eindeutiger Trend.",
        "trend_not_enough_waves": "Für eine Trendaussage liegen noch zu wenige Wellen vor.",
        "trend_breaks": "Die Linie ist bei einem Versionswechsel des Fragebogens unterbrochen.",
        "unit": "Bereich",
        "heatmap_title": "Werte der Bereiche in der letzten Welle",
        "org_heatmap_title": "Werte der Dezernate und Fachbereiche in der letzten Welle",
        "heatmap_summary": "Werte von {rows} Bereichen für {cols} Leitbild-Werte (0–100) "
        "in der letzten Welle.",
        "heatmap_extremes": "Am höchsten: {hi_value} in {hi_unit} ({hi}); "
        "am niedrigsten: {lo_value} in {lo_unit} ({lo}).",
        "heatmap_hidden": "{count} Zellen sind zum Schutz der Anonymität verborgen.",
        "heatmap_hidden_one": "Eine Zelle ist zum Schutz der Anonymität verborgen.",
        "heatmap_not_asked": "In diesem Fragebogen nicht gefragt und daher nicht gezeigt: {names}.",
        "distribution_title": "Verteilung der Antworten je Aussage",
        "statement": "Aussage",
        "answer": "Antwort",
        "low": "niedrig (1–2 bzw. 0–6)",
        "middle": "Mitte (3 bzw. 7–8)",
        "high": "hoch (4–5 bzw. 9–10)",
        "share_axis": "← niedrig · Anteil der Antworten · hoch →",
        "distribution_summary": "Verteilung der Antworten auf {count} Aussagen, "
        "links ablehnend, rechts zustimmend.",
        "distribution_extremes": "Die meiste Zustimmung erhält „{hi_item}“ ({hi} hoch), "
        "die wenigste „{lo_item}“ ({lo} hoch).",
        "distribution_hidden": "{count} Verteilungen sind verborgen (zu wenige Antworten).",
        "distribution_hidden_one": "Eine Verteilung ist verborgen (zu wenige Antworten).",
        "self_external_title": "Selbstbild der Mitarbeitenden und Fremdbild der Bürgerinnen und Bürger",
        "value": "Wert",
        "staff": "Mitarbeitende (Selbstbild)",
        "citizens": "Bürgerinnen und Bürger (Fremdbild)",
        "difference": "Differenz",
        "shared_items": "Gemeinsame Aussagen",
        "no_shared_items": "keine gemeinsamen Aussagen",
        "self_external_summary": "Selbst- und Fremdbild auf den gemeinsamen Aussagen für {count} Werte.",
        "self_external_largest": "Die größte Differenz hat „{name}“ ({diff} Punkte, Mitarbeitende minus "
        "Bürgerinnen und Bürger).",
        "self_external_missing": "{count} Werte haben keine gemeinsamen Aussagen.",
        "self_external_missing_one": "Ein Wert hat keine gemeinsamen Aussagen.",
        "rates_title": "Rücklaufquote je Welle",
        "period": "Zeitraum",
        "respondents": "Antworten",
        "headcount": "Beschäftigte",
        "rate": "Rücklaufquote",
        "rates_summary": "Rücklaufquote in {count} Wellen; zuletzt ({wave}) {rate}.",
        "rates_range": "Spanne: {low} bis {high}.",
        "rates_none": "Es gibt noch keine Wellen.",
        "respondents_title": "Antworten je Welle",
        "respondents_summary": "Antworten in {count} Wellen; zuletzt ({wave}) {n}.",
        "no_rate": "Bürgerbefragung: keine Rücklaufquote, da die Zahl der Kontakte an den "
        "Servicestellen nicht erfasst wird.",
    },
    "en": {
        "hidden": "hidden",
        "no_data": "no data",
        "not_asked": "not asked",
        "score_axis": "Score (0–100)",
        "wave": "Wave",
        "score_ci": "Score (95% interval)",
        "n": "Respondents",
        "this_unit": "This unit",
        "parent": "Parent unit",
        "organisation": "Whole organisation",
        "series": "Series",
        "latest_wave": "latest wave",
        "version_change": "new questionnaire version",
        "break_note": "version change: not comparable with the waves before",
        "trend_title": "“{name}” across the waves",
        "trend_latest": "“{name}” scored {score} out of 100 in the latest wave ({wave}) (95% interval {ci}).",
        "trend_latest_no_ci": "“{name}” scored {score} out of 100 in the latest wave ({wave}).",
        "trend_latest_hidden": "“{name}” is {hidden} in the latest wave ({wave}).",
        "trend_latest_none": "There is no data for “{name}” in the latest wave ({wave}).",
        "trend_latest_not_asked": "“{name}” is not asked in the questionnaire of the latest wave ({wave}).",
        "trend_not_asked": "“{name}” is not asked in this questionnaire, so there are no scores.",
        "trend_gaps_not_asked": "Waves whose questionnaire does not ask about it have no score.",
        "trend_rising": "Over {waves} waves the score rises.",
        "trend_falling": "Over {waves} waves the score falls.",
        "trend_flat": "Over {waves} waves there is no clear trend.",
        "trend_not_enough_waves": "There are not yet enough waves for a trend.",
        "trend_breaks": "The line breaks where the questionnaire version changed.",
        "unit": "Unit",
        "heatmap_title": "Scores of the units in the latest wave",
        "org_heatmap_title": "Scores of the directorates and departments in the latest wave",
        "heatmap_summary": "Scores of {rows} units on {cols} values (0–100) in the latest wave.",
        "heatmap_extremes": "Highest: {hi_value} in {hi_unit} ({hi}); "
        "lowest: {lo_value} in {lo_unit} ({lo}).",
        "heatmap_hidden": "{count} cells are hidden to protect anonymity.",
        "heatmap_hidden_one": "One cell is hidden to protect anonymity.",
        "heatmap_not_asked": "Not asked in this questionnaire, so not shown: {names}.",
        "distribution_title": "Distribution of answers per statement",
        "statement": "Statement",
        "answer": "Answer",
        "low": "low (1–2 or 0–6)",
        "middle": "middle (3 or 7–8)",
        "high": "high (4–5 or 9–10)",
        "share_axis": "← low · share of answers · high →",
        "distribution_summary": "Distribution of answers on {count} statements, disagreement left, "
        "agreement right.",
        "distribution_extremes": "Most agreement: “{hi_item}” ({hi} high); least: “{lo_item}” ({lo} high).",
        "distribution_hidden": "{count} distributions are hidden (too few answers).",
        "distribution_hidden_one": "One distribution is hidden (too few answers).",
        "self_external_title": "Staff self-image and citizens' external image",
        "value": "Value",
        "staff": "Staff (self-image)",
        "citizens": "Citizens (external image)",
        "difference": "Difference",
        "shared_items": "Shared statements",
        "no_shared_items": "no shared items",
        "self_external_summary": "Self-image and external image on the shared statements for {count} values.",
        "self_external_largest": "The largest difference is for “{name}” "
        "({diff} points, staff minus citizens).",
        "self_external_missing": "{count} values have no shared statements.",
        "self_external_missing_one": "One value has no shared statements.",
        "rates_title": "Response rate per wave",
        "period": "Period",
        "respondents": "Respondents",
        "headcount": "Headcount",
        "rate": "Response rate",
        "rates_summary": "Response rate in {count} waves; latest ({wave}) {rate}.",
        "rates_range": "Range: {low} to {high}.",
        "rates_none": "There are no waves yet.",
        "respondents_title": "Respondents per wave",
        "respondents_summary": "Respondents in {count} waves; latest ({wave}) {n}.",
        "no_rate": "Citizen feedback: no response rate, because the number of contacts at the "
        "service points is not recorded.",
    },
}


def _t(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["de"])


# --- look ----------------------------------------------------------------------------------------

FONT = "sans-serif"
INK = "#222222"
GREY = "#767676"
HIDDEN_FILL = "#c8c8c8"
#: colour-blind-safe diverging colours: orange (low) – grey – blue (high)
LOW_DARK, LOW_LIGHT, MIDDLE, HIGH_LIGHT, HIGH_DARK = "#b35806", "#f1a340", "#d9d9d9", "#92c5de", "#2166ac"
#: the vega scheme for scores 0–100 (orange low, blue high, as in the distributions)
SCORE_SCHEME = "blueorange"

CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelColor": INK,
        "titleColor": INK,
        "domainColor": GREY,
        "tickColor": GREY,
        "gridColor": "#e6e6e6",
    },
    "legend": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "labelColor": INK,
        "titleColor": INK,
        "orient": "bottom",
        "direction": "horizontal",
        "labelLimit": 400,
    },
    "text": {"font": FONT, "fontSize": 11, "color": INK},
}

#: report language → vega format/time locale (vl-convert's built-in names)
_VEGA_LOCALES = {"de": "de-DE", "en": "en-GB"}


@functools.cache
def _format_locale(language: str) -> dict[str, Any]:
    name = _VEGA_LOCALES.get(language, "de-DE")
    loc = dict(vlc.get_format_locale(name))
    # as babel writes it in the tables: German "53,8 %" with a no-break space, English "53.8%"
    loc["percent"] = "\u00a0%" if language == "de" else "%"
    loc["minus"] = "-"
    return loc


_SVG_HEAD = re.compile(r"<svg\b[^>]*>")
_EXTERNAL = re.compile(r"""(?:href|src)\s*=\s*["'](?!#)|<image\b|url\(\s*["']?(?!#)""", re.IGNORECASE)


def _render(chart: alt.TopLevelMixin, title: str, language: str) -> str:
    """The inline SVG of a chart: no XML declaration, labelled, scalable, nothing external."""
    # validated in the tests; skipping it here saves a third of the time per chart
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    svg = vlc.vegalite_to_svg(
        spec,
        format_locale=_format_locale(language),
        time_format_locale=_VEGA_LOCALES.get(language, "de-DE"),
    )
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    head = _SVG_HEAD.search(svg)
    if head is None:  # pragma: no cover - vl-convert always writes an <svg> root
        raise ValueError("vl-convert returned no <svg> element")
    root = head.group(0)
    body = svg[head.end() :]
    if "xlink:" not in body:
        root = root.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    # The SVG namespace stays: without it resvg (PNG/PDF for print) refuses the file. It is a name,
    # not a reference; nothing is fetched.
    label = escape(title, quote=True)
    root = root[:-1] + f' role="img" aria-label="{label}" style="max-width:100%;height:auto">'
    svg = svg[: head.start()] + root + body
    if _EXTERNAL.search(svg):
        raise ValueError("chart SVG refers to something outside itself")
    return svg


def _chart(layers: list[alt.Chart], width: int, height: int | dict[str, int]) -> alt.LayerChart:
    return (
        alt.layer(*layers)
        .properties(width=width, height=height, background="white", padding=8)
        .configure(**CONFIG)
    )


def _lookup_expr(labels: dict[str, str | list[str]]) -> str:
    """A vega expression mapping an axis value to its (possibly multi-line) label."""
    return f"{json.dumps(labels, ensure_ascii=False)}[datum.value]"


def _wrap(text: str, width: int, lines: int = 3) -> list[str]:
    wrapped = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False) or [""]
    if len(wrapped) > lines:
        wrapped = [
            *wrapped[: lines - 1],
            textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …"),
        ]
    return wrapped


def _score_cell(score: Score | HiddenFigure | None, language: str, *, asked: bool = True) -> str:
    if not asked:
        return _t(language)["not_asked"]
    if isinstance(score, Score):
        return score_text(score, language)
    if isinstance(score, HiddenFigure):
        return hidden_text(score, language)
    return _t(language)["no_data"]


# --- value trend -----------------------------------------------------------------------------------


def _trend_spec(value: ValueFigures, language: str) -> alt.LayerChart:
    t = _t(language)
    series = value.series
    n = len(series)
    names = {"self": t["this_unit"], "parent": t["parent"], "organisation": t["organisation"]}
    domain = [names["self"], names["parent"], names["organisation"]]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=domain, range=[INK, LOW_DARK, HIGH_DARK]),
        legend=alt.Legend(title=None, symbolStrokeWidth=2, labelLimit=0),
    )
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=domain, range=["circle", "diamond", "square"]), legend=None
    )

    points: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    breaks: list[dict[str, Any]] = []
    segment, shown_before = 0, False
    for i, p in enumerate(series):
        if p.break_before and i > 0:
            breaks.append({"x": i - 0.5, "label": t["version_change"]})
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
                    "series": names["self"],
                }
            )
            shown_before = True
        else:
            label = t["hidden"] if isinstance(p.score, HiddenFigure) else t["no_data"]
            gaps.append({"x": i, "label": label if p.asked else t["not_asked"]})
            shown_before = False
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
        labelExpr=_lookup_expr(labels),
        grid=False,
        title=None,
        labelAngle=0 if n <= 10 else -45,
        labelFlush=False,
    )
    x = alt.X("x:Q", scale=x_scale, axis=x_axis)
    y_scale = alt.Scale(domain=[0, 100], nice=False)
    y = alt.Y("mean:Q", scale=y_scale, axis=alt.Axis(title=t["score_axis"]))

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
    return _chart(layers, width=width, height=240)


def value_trend(value: ValueFigures, language: str) -> Chart:
    """Score per wave with its 95 % band; version breaks marked; parent and organisation as
    reference marks for the latest wave; hidden waves as gaps, named as hidden in the table; waves
    whose questionnaire does not ask for the value named so ("nicht gefragt"), not as missing data."""
    t = _t(language)
    title = t["trend_title"].format(name=value.name)
    rows: list[list[str]] = []
    for i, p in enumerate(value.series):
        wave = p.title
        if p.break_before and i > 0:
            wave = f"{wave} ({t['break_note']})"
        n = integer(p.score.n, language) if isinstance(p.score, Score) else "–"
        rows.append([wave, _score_cell(p.score, language, asked=p.asked), n])
    asked_now = value.series[-1].asked if value.series else value.asked
    for key, score in (("parent", value.parent), ("organisation", value.organisation)):
        n = integer(score.n, language) if isinstance(score, Score) else "–"
        rows.append([f"{t[key]} ({t['latest_wave']})", _score_cell(score, language, asked=asked_now), n])
    # nothing asked, nothing to say about scores or trends
    summary = (
        [t["trend_not_asked"].format(name=value.name)]
        if not value.asked
        else _trend_summary(value, t, language)
    )
    return Chart(
        svg=_render(_trend_spec(value, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[t["wave"], t["score_ci"], t["n"]],
        table_rows=rows,
    )


def _trend_summary(value: ValueFigures, t: dict[str, str], language: str) -> list[str]:
    summary: list[str] = []
    if value.series and not value.series[-1].asked:
        summary.append(t["trend_latest_not_asked"].format(name=value.name, wave=value.series[-1].title))
    elif value.series:
        last = value.series[-1]
        latest = value.latest if value.latest is not None else last.score
        if isinstance(latest, Score):
            ci = f"{number(latest.low, language)}–{number(latest.high, language)}"
            key = (
                "trend_latest" if latest.low is not None and latest.high is not None else "trend_latest_no_ci"
            )
            summary.append(
                t[key].format(name=value.name, wave=last.title, score=number(latest.mean, language), ci=ci)
            )
        elif isinstance(latest, HiddenFigure):
            summary.append(
                t["trend_latest_hidden"].format(
                    name=value.name, wave=last.title, hidden=hidden_text(latest, language)
                )
            )
        else:
            summary.append(t["trend_latest_none"].format(name=value.name, wave=last.title))
    direction = value.trend.direction if f"trend_{value.trend.direction}" in t else "not_enough_waves"
    summary.append(t[f"trend_{direction}"].format(waves=value.trend.waves))
    if any(p.break_before for p in value.series[1:]):
        summary.append(t["trend_breaks"])
    if any(not p.asked for p in value.series):
        summary.append(t["trend_gaps_not_asked"])
    return summary


# --- heatmaps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    unit: str
    name: str
    depth: int
    scores: dict[str, Score | HiddenFigure | None]


def _heatmap_spec(rows: list[_Row], value_names: dict[str, str], language: str) -> alt.LayerChart:
    t = _t(language)
    cells: list[dict[str, Any]] = []
    for row in rows:
        for key in value_names:
            score = row.scores.get(key)
            if isinstance(score, Score):
                cells.append({"row": row.unit, "col": key, "mean": score.mean, "status": "shown"})
            elif isinstance(score, HiddenFigure):
                cells.append(
                    {"row": row.unit, "col": key, "mean": None, "status": "hidden", "label": t["hidden"]}
                )
            else:
                cells.append(
                    {"row": row.unit, "col": key, "mean": None, "status": "none", "label": t["no_data"]}
                )
    order = [r.unit for r in rows]
    columns = list(value_names)
    # a unit with its sub-units listed below it reads as a heading
    bold = [r.unit for r, below in itertools.pairwise(rows) if below.depth > r.depth]
    y = alt.Y(
        "row:N",
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(
            title=None,
            labelExpr=_lookup_expr({r.unit: r.name for r in rows}),
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
    wrapped = {k: _wrap(v, 14) for k, v in value_names.items()}
    lines = max((len(w) for w in wrapped.values()), default=1)
    # equal line counts, so the labels stand on one line above the cells
    heads = {k: [""] * (lines - len(w)) + w for k, w in wrapped.items()}
    x = alt.X(
        "col:N",
        sort=columns,
        scale=alt.Scale(domain=columns),
        axis=alt.Axis(
            title=None,
            orient="top",
            labelAngle=0,
            labelExpr=_lookup_expr(heads),
            labelLimit=0,
            ticks=False,
            domain=False,
            # vega draws the lines of a label downwards from its first one: lift them all
            labelBaseline="bottom",
            labelLineHeight=13,
            labelPadding=4 + 13 * (lines - 1),
        ),
    )
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
                    title=t["score_axis"], gradientLength=220, direction="horizontal", orient="bottom"
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
    return _chart(layers, width=max(200, 92 * len(columns)), height={"step": 28})


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _heatmap_chart(
    rows: list[_Row], value_names: dict[str, str], language: str, title: str, not_asked: Collection[str]
) -> Chart:
    """A column of a value nobody was asked about would be all gaps: it is left out, and the
    text alternative names it as not asked."""
    t = _t(language)
    left_out = [name for key, name in value_names.items() if key in not_asked]
    value_names = {key: name for key, name in value_names.items() if key not in not_asked}
    table = []
    shown: list[tuple[float, str, str]] = []
    hidden = 0
    for row in rows:
        cells = []
        for key, name in value_names.items():
            score = row.scores.get(key)
            cells.append(_score_cell(score, language))
            if isinstance(score, Score):
                shown.append((score.mean, name, row.name))
            elif isinstance(score, HiddenFigure):
                hidden += 1
        # indented by depth: a no-break space pair per level survives HTML whitespace folding
        table.append(["\u00a0\u00a0" * row.depth + row.name, *cells])
    summary = [t["heatmap_summary"].format(rows=len(rows), cols=len(value_names))]
    if shown:
        hi, lo = max(shown), min(shown)
        summary.append(
            t["heatmap_extremes"].format(
                hi_value=f"„{hi[1]}“" if language == "de" else f"“{hi[1]}”",
                hi_unit=hi[2],
                hi=number(hi[0], language),
                lo_value=f"„{lo[1]}“" if language == "de" else f"“{lo[1]}”",
                lo_unit=lo[2],
                lo=number(lo[0], language),
            )
        )
    if hidden == 1:
        summary.append(t["heatmap_hidden_one"])
    elif hidden:
        summary.append(t["heatmap_hidden"].format(count=hidden))
    if left_out:
        quoted = [f"„{name}“" if language == "de" else f"“{name}”" for name in left_out]
        summary.append(t["heatmap_not_asked"].format(names=", ".join(quoted)))
    return Chart(
        svg=_render(_heatmap_spec(rows, value_names, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[t["unit"], *value_names.values()],
        table_rows=table,
    )


def heatmap(
    children: list[ChildScores], value_names: dict[str, str], language: str, not_asked: Collection[str] = ()
) -> Chart:
    """Sub-units × values for the latest wave; hidden cells drawn as hidden, with the reason;
    values the latest wave's questionnaire does not ask (`not_asked`, keys) left out and named."""
    rows = [_Row(c.unit, c.name, 0, c.scores) for c in children]
    return _heatmap_chart(rows, value_names, language, _t(language)["heatmap_title"], not_asked)


def organisation_heatmap(
    rows: list[OverviewRow], value_names: dict[str, str], language: str, not_asked: Collection[str] = ()
) -> Chart:
    """Dezernate and Fachbereiche × values, latest wave; hidden cells drawn as hidden; values not
    asked left out and named."""
    plain = [_Row(r.unit, r.name, r.depth, r.scores) for r in rows]
    return _heatmap_chart(plain, value_names, language, _t(language)["org_heatmap_title"], not_asked)


# --- answer distributions --------------------------------------------------------------------------

#: answer group → (side, colour): side -1 left of zero, 0 centred on it, +1 right of it
_LIKERT = {
    "1": (-1, LOW_DARK),
    "2": (-1, LOW_LIGHT),
    "3": (0, MIDDLE),
    "4": (1, HIGH_LIGHT),
    "5": (1, HIGH_DARK),
}
_ELEVEN = {"0–6": (-1, LOW_DARK), "7–8": (0, MIDDLE), "9–10": (1, HIGH_DARK)}
_TEXT_ON = {LOW_DARK: "white", HIGH_DARK: "white"}


def _groups(distribution: dict[str, int]) -> dict[str, int]:
    """Counts per answer group: five-point items as they are, 0–10 items as 0–6 / 7–8 / 9–10.

    Codes that are not numbers (a no-answer code) are not part of the distribution."""
    counts = {int(k): v for k, v in distribution.items() if k.lstrip("-").isdigit() and int(k) >= 0}
    if counts and max(counts) <= 5 and min(counts) >= 1:
        return {g: counts.get(int(g), 0) for g in _LIKERT}
    bands = {"0–6": range(0, 7), "7–8": range(7, 9), "9–10": range(9, 11)}
    return {g: sum(v for k, v in counts.items() if k in r) for g, r in bands.items()}


def _sides(groups: dict[str, int]) -> tuple[float, float, float]:
    total = sum(groups.values())
    scheme = _LIKERT if "1" in groups else _ELEVEN
    low = sum(v for g, v in groups.items() if scheme[g][0] < 0) / total
    mid = sum(v for g, v in groups.items() if scheme[g][0] == 0) / total
    return low, mid, 1 - low - mid


def _distribution_spec(items: list[ItemFigures], labels: dict[str, str], language: str) -> alt.LayerChart:
    t = _t(language)
    bars: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    present: list[str] = []
    for item in items:
        dist = item.distribution
        if isinstance(dist, dict) and sum(_groups(dist).values()) > 0:
            groups = _groups(dist)
            scheme = _LIKERT if "1" in groups else _ELEVEN
            total = sum(groups.values())
            middle = sum(v for g, v in groups.items() if scheme[g][0] == 0) / total
            left, right = -middle / 2, middle / 2
            for g in reversed([g for g in groups if scheme[g][0] < 0]):
                share = groups[g] / total
                bars.append({"item": item.item, "group": g, "x": left - share, "x2": left, "share": share})
                left -= share
            for g in [g for g in groups if scheme[g][0] == 0]:
                share = groups[g] / total
                bars.append({"item": item.item, "group": g, "x": -share / 2, "x2": share / 2, "share": share})
            for g in [g for g in groups if scheme[g][0] > 0]:
                share = groups[g] / total
                bars.append({"item": item.item, "group": g, "x": right, "x2": right + share, "share": share})
                right += share
            present += [g for g in groups if g not in present]
        else:
            label = hidden_text(dist, language) if isinstance(dist, HiddenFigure) else t["no_data"]
            notes.append({"item": item.item, "label": label, "x": -1, "x2": 1, "mid": 0})
    for row in bars:
        colour = {**_LIKERT, **_ELEVEN}[row["group"]][1]
        row["ink"] = _TEXT_ON.get(colour, INK)
    domain = [g for g in [*_LIKERT, *_ELEVEN] if g in present]
    colours = [{**_LIKERT, **_ELEVEN}[g][1] for g in domain]
    order = [i.item for i in items]
    names = {i.item: _wrap(labels.get(i.item, i.text), 52) for i in items}
    y = alt.Y(
        "item:N",
        sort=order,
        scale=alt.Scale(domain=order, paddingInner=0.35),
        axis=alt.Axis(title=None, labelExpr=_lookup_expr(names), labelLimit=0, ticks=False, domain=False),
    )
    x_scale = alt.Scale(domain=[-1, 1], nice=False)
    x_axis = alt.Axis(
        title=t["share_axis"],
        values=[-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1],
        labelExpr="format(abs(datum.value), '.0%')",
        grid=True,
    )
    x = alt.X("x:Q", scale=x_scale, axis=x_axis)
    group_names = {g: g for g in domain}
    if language == "de":
        group_names.update({"1": "1 (niedrig)", "3": "3 (Mitte)", "5": "5 (hoch)"})
    else:
        group_names.update({"1": "1 (low)", "3": "3 (middle)", "5": "5 (high)"})
    mid = alt.X("mid:Q", scale=x_scale, axis=x_axis)
    layers = [
        alt.Chart(alt.Data(values=notes)).mark_bar(color="#f0f0f0").encode(x=x, x2="x2:Q", y=y),
        alt.Chart(alt.Data(values=bars))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(
                    title=t["answer"], labelExpr=_lookup_expr(group_names), symbolType="square"
                ),
            ),
        ),
        alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=INK, strokeWidth=1).encode(x=x),
        alt.Chart(alt.Data(values=[b for b in bars if b["share"] >= 0.09]))
        .transform_calculate(mid="(datum.x + datum.x2) / 2")
        .mark_text(fontSize=10)
        .encode(x=mid, y=y, text=alt.Text("share:Q", format=".0%"), color=alt.Color("ink:N", scale=None)),
        alt.Chart(alt.Data(values=notes))
        .mark_text(fontSize=10, fontStyle="italic", color=INK)
        .encode(x=mid, y=y, text="label:N"),
    ]
    return _chart(layers, width=520, height={"step": 48})


def item_distribution(items: list[ItemFigures], labels: dict[str, str], language: str) -> Chart:
    """Diverging stacked bars of the answer distribution per item (`labels`: item id → text)."""
    t = _t(language)
    title = t["distribution_title"]
    rows: list[list[str]] = []
    highs: list[tuple[float, str]] = []
    hidden = 0
    for item in items:
        text = labels.get(item.item, item.text)
        dist = item.distribution
        if isinstance(dist, dict) and sum(_groups(dist).values()) > 0:
            groups = _groups(dist)
            low, mid, high = _sides(groups)
            rows.append(
                [
                    text,
                    integer(sum(groups.values()), language),
                    percent(low, language),
                    percent(mid, language),
                    percent(high, language),
                ]
            )
            highs.append((high, text))
        else:
            hidden += isinstance(dist, HiddenFigure)
            cell = hidden_text(dist, language) if isinstance(dist, HiddenFigure) else t["no_data"]
            rows.append([text, cell, "–", "–", "–"])
    summary = [t["distribution_summary"].format(count=len(items))]
    if len(highs) >= 2:
        hi, lo = max(highs), min(highs)
        summary.append(
            t["distribution_extremes"].format(
                hi_item=hi[1], hi=percent(hi[0], language), lo_item=lo[1], lo=percent(lo[0], language)
            )
        )
    if hidden:
        key = "distribution_hidden_one" if hidden == 1 else "distribution_hidden"
        summary.append(t[key].format(count=hidden))
    return Chart(
        svg=_render(_distribution_spec(items, labels, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[t["statement"], t["n"], t["low"], t["middle"], t["high"]],
        table_rows=rows,
    )


# --- self-image and external image -----------------------------------------------------------------


def _self_external_spec(values: list[ValueFigures], language: str) -> alt.LayerChart:
    t = _t(language)
    domain = [t["staff"], t["citizens"]]
    dots: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for v in values:
        staff, citizens = v.self_on_shared, v.external
        if not v.shared_items:
            notes.append({"value": v.value, "x": 0, "label": t["no_shared_items"]})
            continue
        pair = [(t["staff"], staff), (t["citizens"], citizens)]
        shown = [(who, s) for who, s in pair if isinstance(s, Score)]
        for who, s in shown:
            dots.append({"value": v.value, "who": who, "mean": s.mean})
        if len(shown) == 2:
            (_, a), (_, b) = shown
            links.append({"value": v.value, "x": min(a.mean, b.mean), "x2": max(a.mean, b.mean)})
            lo_who = shown[0][0] if a.mean <= b.mean else shown[1][0]
            for d in dots[-2:]:
                d["side"] = "left" if d["who"] == lo_who else "right"
        else:
            for d in dots[len(dots) - len(shown) :]:
                d["side"] = "right"
            missing = [
                f"{who}: {hidden_text(s, language) if isinstance(s, HiddenFigure) else t['no_data']}"
                for who, s in pair
                if not isinstance(s, Score)
            ]
            notes.append({"value": v.value, "x": 0, "label": "; ".join(missing)})
    order = [v.value for v in values]
    y = alt.Y(
        "value:N",
        sort=order,
        scale=alt.Scale(domain=order),
        axis=alt.Axis(
            title=None,
            labelExpr=_lookup_expr({v.value: _wrap(v.name, 30) for v in values}),
            labelLimit=0,
            ticks=False,
            domain=False,
        ),
    )
    x_scale = alt.Scale(domain=[0, 100], nice=False)
    x = alt.X("mean:Q", scale=x_scale, axis=alt.Axis(title=t["score_axis"], grid=True))
    colour = alt.Color(
        "who:N", scale=alt.Scale(domain=domain, range=[HIGH_DARK, LOW_DARK]), legend=alt.Legend(title=None)
    )
    shape = alt.Shape("who:N", scale=alt.Scale(domain=domain, range=["circle", "diamond"]), legend=None)
    dot_data = alt.Data(values=dots)
    layers = [
        alt.Chart(alt.Data(values=links))
        .mark_rule(color=GREY, strokeWidth=2.5)
        .encode(x=alt.X("x:Q", scale=x_scale), x2="x2:Q", y=y),
        alt.Chart(dot_data)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(x=x, y=y, color=colour, shape=shape),
        alt.Chart(dot_data)
        .transform_filter(alt.datum.side == "left")
        .mark_text(align="right", dx=-9, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("mean:Q", format=",.1f")),
        alt.Chart(dot_data)
        .transform_filter(alt.datum.side == "right")
        .mark_text(align="left", dx=9, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("mean:Q", format=",.1f")),
        alt.Chart(alt.Data(values=notes))
        .mark_text(align="left", dx=4, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=alt.X("x:Q", scale=x_scale), y=y, text="label:N"),
    ]
    return _chart(layers, width=420, height={"step": 34})


def self_external(values: list[ValueFigures], language: str) -> Chart:
    """Per value: staff (self-image) against citizens (external image) on the shared items."""
    t = _t(language)
    title = t["self_external_title"]
    rows: list[list[str]] = []
    differences: list[tuple[float, str]] = []
    missing = 0
    for v in values:
        if not v.shared_items:
            missing += 1
            rows.append([v.name, t["no_shared_items"], "–", "–", "0"])
            continue
        staff, citizens = v.self_on_shared, v.external
        diff = "–"
        if isinstance(staff, Score) and isinstance(citizens, Score):
            d = staff.mean - citizens.mean
            diff = ("+" if d > 0 else "") + number(d, language)
            differences.append((abs(d), v.name, diff))
        rows.append(
            [
                v.name,
                _score_cell(staff, language),
                _score_cell(citizens, language),
                diff,
                integer(len(v.shared_items), language),
            ]
        )
    summary = [t["self_external_summary"].format(count=len(values) - missing)]
    if differences:
        _, name, diff = max(differences)
        summary.append(t["self_external_largest"].format(name=name, diff=diff))
    if missing:
        key = "self_external_missing_one" if missing == 1 else "self_external_missing"
        summary.append(t[key].format(count=missing))
    return Chart(
        svg=_render(_self_external_spec(values, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=[t["value"], t["staff"], t["citizens"], t["difference"], t["shared_items"]],
        table_rows=rows,
    )


# --- response rates ---------------------------------------------------------------------------------


def _without_rate(waves: list[WaveSummary]) -> bool:
    """Waves of people without a headcount (citizens): a rate would have nothing to divide by."""
    return bool(waves) and all(w.no_rate is not None for w in waves)


def _wave_axis(waves: list[WaveSummary], language: str) -> alt.X:
    order = [w.wave for w in waves]
    labels = {w.wave: month_short(w.opens_on, language) for w in waves}
    return alt.X(
        "wave:N",
        sort=order,
        scale=alt.Scale(domain=order, paddingInner=0.3),
        axis=alt.Axis(
            title=None, labelExpr=_lookup_expr(labels), labelAngle=0 if len(waves) <= 10 else -45, ticks=False
        ),
    )


def _rates_spec(waves: list[WaveSummary], language: str) -> alt.LayerChart:
    if _without_rate(waves):
        return _respondents_spec(waves, language)
    t = _t(language)
    bars = [
        {"wave": w.wave, "rate": w.response_rate} for w in waves if isinstance(w.response_rate, (int, float))
    ]
    gaps = [
        {
            "wave": w.wave,
            "rate": 0,
            "label": t["hidden"] if isinstance(w.response_rate, HiddenFigure) else t["no_data"],
        }
        for w in waves
        if not isinstance(w.response_rate, (int, float))
    ]
    x = _wave_axis(waves, language)
    y = alt.Y(
        "rate:Q",
        scale=alt.Scale(domain=[0, 1], nice=False),
        axis=alt.Axis(title=t["rate"], format=".0%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    layers = [
        alt.Chart(alt.Data(values=bars)).mark_bar(color=HIGH_DARK).encode(x=x, y=y),
        alt.Chart(alt.Data(values=bars))
        .mark_text(dy=-7, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("rate:Q", format=".1%")),
        alt.Chart(alt.Data(values=gaps))
        .mark_point(shape="triangle-up", size=60, color=GREY, strokeWidth=1.5)
        .encode(x=x, y=y),
        alt.Chart(alt.Data(values=gaps))
        .mark_text(dy=-14, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=x, y=y, text="label:N"),
    ]
    return _chart(layers, width=max(240, 64 * len(waves)), height=200)


def _respondents_spec(waves: list[WaveSummary], language: str) -> alt.LayerChart:
    """Respondents per wave, for waves without a response rate: counts, not shares."""
    t = _t(language)
    bars = [{"wave": w.wave, "n": w.respondents} for w in waves if isinstance(w.respondents, int)]
    gaps = [
        {"wave": w.wave, "n": 0, "label": t["hidden"]} for w in waves if not isinstance(w.respondents, int)
    ]
    x = _wave_axis(waves, language)
    top = max([row["n"] for row in bars] + [1])
    y = alt.Y(
        "n:Q",
        scale=alt.Scale(domain=[0, top * 1.15], nice=False),
        axis=alt.Axis(title=t["respondents"], format=",d", tickMinStep=1),
    )
    layers = [
        alt.Chart(alt.Data(values=bars)).mark_bar(color=HIGH_DARK).encode(x=x, y=y),
        alt.Chart(alt.Data(values=bars))
        .mark_text(dy=-7, fontSize=10)
        .encode(x=x, y=y, text=alt.Text("n:Q", format=",d")),
        alt.Chart(alt.Data(values=gaps))
        .mark_point(shape="triangle-up", size=60, color=GREY, strokeWidth=1.5)
        .encode(x=x, y=y),
        alt.Chart(alt.Data(values=gaps))
        .mark_text(dy=-14, fontSize=10, fontStyle="italic", color=GREY)
        .encode(x=x, y=y, text="label:N"),
    ]
    return _chart(layers, width=max(240, 64 * len(waves)), height=200)


def response_rates(waves: list[WaveSummary], language: str) -> Chart:
    """Response rate per wave; for waves without one (citizens: no headcount, contacts not
    recorded), the respondents per wave, and the text says why there is no rate."""
    t = _t(language)
    without_rate = _without_rate(waves)
    title = t["respondents_title"] if without_rate else t["rates_title"]
    rows: list[list[str]] = []
    for w in waves:
        respondents = (
            hidden_text(w.respondents, language)
            if isinstance(w.respondents, HiddenFigure)
            else integer(w.respondents, language)
        )
        period = f"{day(w.opens_on, language)}–{day(w.closes_on, language)}"
        if without_rate:
            rows.append([w.title, period, respondents])
            continue
        if isinstance(w.response_rate, HiddenFigure):
            rate = hidden_text(w.response_rate, language)
        elif w.response_rate is None:
            rate = t["no_data"]
        else:
            rate = percent(w.response_rate, language)
        headcount = integer(w.headcount, language) if w.headcount is not None else "–"
        rows.append([w.title, period, respondents, headcount, rate])
    summary: list[str] = [] if waves else [t["rates_none"]]
    if without_rate:
        summary.append(
            t["respondents_summary"].format(count=len(waves), wave=waves[-1].title, n=rows[-1][-1])
        )
        summary.append(t["no_rate"])
    elif waves:
        summary.append(t["rates_summary"].format(count=len(waves), wave=waves[-1].title, rate=rows[-1][-1]))
        shown = [w.response_rate for w in waves if isinstance(w.response_rate, (int, float))]
        if len(shown) >= 2:
            summary.append(
                t["rates_range"].format(low=percent(min(shown), language), high=percent(max(shown), language))
            )
    head = [t["wave"], t["period"], t["respondents"]]
    return Chart(
        svg=_render(_rates_spec(waves, language), title, language),
        title=title,
        summary=" ".join(summary),
        table_head=head if without_rate else [*head, t["headcount"], t["rate"]],
        table_rows=rows,
    )
