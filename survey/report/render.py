"""The trend report of a unit and the organisation overview, as one self-contained HTML file and as PDF.

The wording and layout live in jinja templates under the top-level `reports/` folder
(`department.html`, `overview.html`, `report.css`), so a Kommune can adapt them without touching
Python. This module prepares what the templates show: figures formatted by babel for the report's
language, sentences in plain words, the charts of `survey.report.charts`. It never reads the
database: the figures come in, already suppressed (DESIGN §4), and a hidden figure stays a word
with its reason, never a number.

A report is a file that is mailed, archived and opened on machines without network: CSS is
inlined, charts are inline SVG, there is no JavaScript, and no address of any other resource.
The figures themselves are embedded as JSON (`<script type="application/json" id="report-data">`)
for machines and tests.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from survey.domain.comments import CommentSummary
from survey.domain.effects import MeasureSummary
from survey.domain.figures import (
    HiddenFigure,
    ItemFigures,
    OrganisationOverview,
    Score,
    UnitFigures,
    ValueFigures,
    WaveSummary,
)
from survey.report import charts
from survey.report.i18n import translations
from survey.report.printing import html_to_pdf, reports_dir
from survey.report.show import Figure, inline_chart, slug
from survey.report.text import ReportText, asked_in_latest, findings

__all__ = [
    "DEPARTMENT_TEMPLATE",
    "OVERVIEW_TEMPLATE",
    "STYLESHEET",
    "department_html",
    "overview_html",
    "to_pdf",
]

DEPARTMENT_TEMPLATE = "department.html"
OVERVIEW_TEMPLATE = "overview.html"
STYLESHEET = "report.css"
#: the false discovery rate of Benjamini–Hochberg across what one report tests
FALSE_DISCOVERY_RATE = 0.05
RANKED = 3  # strongest and weakest values on the front page

# What would make a browser or WeasyPrint reach for another file or the network.
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)|(?:<link\b)|(?:<script\b[^>]*\bsrc\s*=)""",
    re.IGNORECASE,
)


def department_html(
    figures: UnitFigures,
    *,
    kommune: str,
    comments: CommentSummary | HiddenFigure | None,
    language: str,
    generated_on: dt.date,
    measures: Sequence[MeasureSummary] = (),
) -> str:
    """The trend report of one unit and its subtree across all waves, one self-contained HTML file;
    its `measures` with their effect checks in a section of their own and on the trend charts.

    `comments` are the free-text answers to show, grouped into themes: a summary only where the
    group reached k_text (the caller decides, from the same suppression as the figures), a
    HiddenFigure where it did not, None where the questionnaire asks for none.
    """
    text = ReportText(language, figures.k)
    # values the questionnaire does not ask at all get no section: one sentence names them
    asked = [v for v in figures.values if v.asked]
    drawn = _department_charts(figures, asked, language, charts.measure_markers(measures))
    value_names = {v.value: v.name for v in figures.values}
    return _render(
        DEPARTMENT_TEMPLATE,
        text,
        kommune=kommune,
        unit=figures,
        wave=_latest_wave(figures.waves, text),
        waves_count=len(figures.waves),
        generated_on=text.date(generated_on),
        **_ranking(figures, asked, text),
        not_asked=[v.name for v in figures.values if not v.asked],
        findings=findings(figures, text),
        values=[_value_section(value, text, drawn[f"trend-{value.value}"]) for value in asked],
        heatmap=drawn["heatmap"],
        items=[_item_row(item, value_names, text) for item in figures.items],
        distribution=drawn["distribution"],
        self_external=drawn["self-external"],
        response_rates=drawn["response-rates"],
        # a wave by its month (its title for screen readers): eight titles made the table 1,630 px wide
        reliability_head=[
            Markup('{}<span class="visually-hidden"> – {}</span>').format(text.month(w.opens_on), w.title)
            for w in figures.waves
        ],
        reliability_rows=[_reliability_row(value, figures.waves, text) for value in asked],
        measures=[_measure_row(m, text) for m in measures],
        comments=comments if isinstance(comments, CommentSummary) and comments.total else None,
        comments_hidden=isinstance(comments, HiddenFigure),
        comments_asked=comments is not None,
        k=figures.k,
        k_text=figures.k_text,
        tests=figures.tests,
        data=_embedded(figures),
    )


def _measure_row(measure: MeasureSummary, text: ReportText) -> dict[str, Any]:
    return {
        "title": measure.title,
        "status": text.status(measure.status),
        "since": text.day(measure.starts_on),
        "units": ", ".join(measure.units),
        "values": [{"name": v.name, "effect": text.effect(v.effect)} for v in measure.values],
    }


def _department_charts(
    figures: UnitFigures,
    asked: list[ValueFigures],
    language: str,
    markers: dict[str, list[charts.Marker]],
) -> dict[str, Figure | None]:
    """The department report's charts, drawn together; None for those it has nothing for."""
    value_names = {v.value: v.name for v in figures.values}
    not_asked_now = [v.value for v in figures.values if not asked_in_latest(v)]
    has_external = any(isinstance(v.external, Score | HiddenFigure) for v in asked)
    changes = charts.reorganisation_markers(figures.reorganisations, language)
    return _draw(
        {
            **{
                f"trend-{v.value}": functools.partial(
                    charts.value_trend, v, language, markers=markers.get(v.value, []), changes=changes
                )
                for v in asked
            },
            "heatmap": functools.partial(
                charts.heatmap, figures.child_scores, value_names, language, not_asked=not_asked_now
            )
            if figures.child_scores
            else None,
            "distribution": functools.partial(
                charts.item_distribution, figures.items, {i.item: i.text for i in figures.items}, language
            )
            if figures.items
            else None,
            "self-external": functools.partial(charts.self_external, asked, language)
            if has_external
            else None,
            "response-rates": functools.partial(charts.response_rates, figures.waves, language)
            if figures.waves
            else None,
        }
    )


def _latest_wave(waves: list[WaveSummary], text: ReportText) -> dict[str, Any] | None:
    """The front page's facts of the latest wave."""
    if not waves:
        return None
    latest = waves[-1]
    return {
        "title": latest.title,
        "period": text.period(latest.opens_on, latest.closes_on),
        "respondents": text.count(latest.respondents),
        "response_rate": text.rate(latest.response_rate),
        "no_rate": text.no_rate(latest.no_rate) if latest.no_rate else None,
    }


def _ranking(figures: UnitFigures, asked: list[ValueFigures], text: ReportText) -> dict[str, Any]:
    """The strongest and weakest values of the latest wave, and those without a score to rank."""
    shown = [v for v in figures.values if isinstance(v.latest, Score)]
    ranked = sorted(shown, key=lambda v: (-v.latest.mean, v.name))  # type: ignore[union-attr]
    strongest = ranked[:RANKED]
    weakest = [v for v in reversed(ranked) if v not in strongest][:RANKED]
    not_ranked = [v for v in asked if not isinstance(v.latest, Score)]

    def entry(v: ValueFigures) -> dict[str, Any]:
        return {"name": v.name, "anchor": f"value-{slug(v.value)}", "score": text.score(v.latest)}

    return {
        "strongest": [entry(v) for v in strongest],
        "weakest": [entry(v) for v in weakest],
        "not_ranked": [
            {"name": v.name, "why": text.score(v.latest, asked=asked_in_latest(v))} for v in not_ranked
        ],
    }


def _value_section(value: ValueFigures, text: ReportText, chart: Figure | None) -> dict[str, Any]:
    now = asked_in_latest(value)
    return {
        "key": value.value,
        "anchor": f"value-{slug(value.value)}",
        "name": value.name,
        "latest": text.score(value.latest, asked=now),
        "change": text.change(value.change, points=True) if now else text.not_asked(),
        "trend": text.trend(value.trend),
        "parent": text.score(value.parent, asked=now),
        "organisation": text.score(value.organisation, asked=now),
        "reliability": text.reliability(value.reliability) if now else text.not_asked(),
        "chart": chart,
    }


def _item_row(item: ItemFigures, value_names: dict[str, str], text: ReportText) -> dict[str, Any]:
    return {
        "text": item.text,
        "value_names": ", ".join(value_names.get(v, v) for v in item.values),
        "latest": text.score(item.latest),
        "top_box": text.top_box(item.top_box, item.top_box_low, item.top_box_high),
        "change": text.change(item.change, points=False),
    }


def _reliability_row(value: ValueFigures, waves: list[WaveSummary], text: ReportText) -> dict[str, Any]:
    by_wave = {r.wave: r.reliability for r in value.reliability_by_wave}
    asked_in = {p.wave: p.asked for p in value.series}
    return {
        "name": value.name,
        "latest": text.reliability(value.reliability) if asked_in_latest(value) else text.not_asked(),
        "by_wave": [
            text.alpha(by_wave.get(w.wave)) if asked_in.get(w.wave, True) else text.not_asked() for w in waves
        ],
    }


def _overview_table(
    overview: OrganisationOverview, text: ReportText, links: Mapping[str, str]
) -> dict[str, Any]:
    """The rows of an overview's table: per unit and value the latest score, the change since the
    previous wave and the trend over all waves in words; the unit's name links to its page where
    `links` has an address for it (keyed "questionnaire:unit")."""
    # a column of a value nobody was asked about would hold nothing: it is left out and named
    shown_values = {k: name for k, name in overview.values.items() if k not in overview.not_asked}
    no_rate = next((row.no_rate for row in overview.rows if row.no_rate), None)
    rows = [
        {
            "name": row.name,
            "href": links.get(f"{overview.questionnaire}:{row.unit}"),
            "kind": row.kind,
            "depth": min(row.depth, 4),
            "respondents": text.count(row.respondents),
            "headcount": text.integer(row.headcount) if row.headcount is not None else "",
            "response_rate": text.rate(row.response_rate),
            "cells": [
                {
                    "score": text.score(row.scores.get(value), short=True),
                    "change": text.change_words(row.changes.get(value)),
                    "trend": text.trend_words(row.trends.get(value)),
                }
                for value in shown_values
            ],
        }
        for row in overview.rows
    ]
    return {
        "value_names": list(shown_values.values()),
        "not_asked": [name for k, name in overview.values.items() if k in overview.not_asked],
        "with_rates": no_rate is None,
        "no_rate": text.no_rate(no_rate) if no_rate else None,
        "rows": rows,
        "wave_title": overview.wave_title,
    }


def _measures_by_value(
    measures: Sequence[MeasureSummary], text: ReportText, order: Sequence[str]
) -> list[dict[str, Any]]:
    """Every measure under each value it addresses (values in the Leitbild's `order`), with its
    units, status and effect on that value."""
    by_value: dict[str, dict[str, Any]] = {}
    for m in measures:
        for v in m.values:
            entry = by_value.setdefault(v.value, {"name": v.name, "measures": []})
            entry["measures"].append(
                {
                    "title": m.title,
                    "units": ", ".join(m.units),
                    "status": text.status(m.status),
                    "since": text.day(m.starts_on),
                    "effect": text.effect(v.effect),
                }
            )
    rank = {key: place for place, key in enumerate(order)}
    return [by_value[key] for key in sorted(by_value, key=lambda key: rank.get(key, len(rank)))]


def overview_html(
    overview: OrganisationOverview,
    *,
    kommune: str,
    language: str,
    generated_on: dt.date,
    citizens: OrganisationOverview | None = None,
    links: Mapping[str, str] | None = None,
    measures: Sequence[MeasureSummary] = (),
) -> str:
    """The organisation overview for the survey office and the Verwaltungsleitung (or a Dezernat's
    for its lead): every Dezernat and Fachbereich × value in the latest wave with the change since
    the previous one, the trend over all waves and response rates; `citizens`, the same units in
    the citizens' latest ratings; `links`, the address of each unit's page (in the app)."""
    text = ReportText(language, overview.k)
    table = _overview_table(overview, text, links or {})
    return _render(
        OVERVIEW_TEMPLATE,
        text,
        kommune=kommune,
        overview=overview,
        **table,
        citizens=_overview_table(citizens, text, links or {}) if citizens and citizens.rows else None,
        measures_by_value=_measures_by_value(measures, text, list(overview.values)),
        generated_on=text.date(generated_on),
        chart=_draw(
            {
                "organisation-heatmap": functools.partial(
                    charts.organisation_heatmap,
                    overview.rows,
                    overview.values,
                    language,
                    not_asked=overview.not_asked,
                )
            }
        )["organisation-heatmap"],
        k=overview.k,
        tests=overview.tests,
        data=_embedded(overview),
    )


def to_pdf(html: str) -> bytes:
    """A PDF of a report made by `department_html` or `overview_html` (WeasyPrint, no network)."""
    return html_to_pdf(html)


# --- charts and embedding -----------------------------------------------------------------------


#: charts are drawn two at a time: vl-convert renders one while altair builds the next
_DRAWING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chart")


def _draw(jobs: dict[str, Callable[[], charts.Chart] | None]) -> dict[str, Figure | None]:
    """Draw the charts of a report (None for those it does not have), two at a time."""
    pending = {name: _DRAWING.submit(job) for name, job in jobs.items() if job is not None}
    return {name: inline_chart(pending[name].result(), name) if name in pending else None for name in jobs}


def _embedded(figures: Any) -> Markup:
    # The figures hold texts from outside (unit names, item texts). Inside the script element a
    # "</script" would end it early and "<!--" change how the rest is read: as in Django's
    # json_script, <, > and & become \u escapes, the same characters to a JSON parser and no
    # markup to the HTML parser. They occur only inside JSON strings, so this is always valid.
    data = msgspec.json.encode(figures).decode()
    return Markup(data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


# --- templates ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _environment(directory: str, language: str) -> Environment:
    # Autoescape: unit names and comments may contain "&" or "<". StrictUndefined turns a misspelt
    # variable in an edited template into an error instead of a silently empty section.
    environment = Environment(
        loader=FileSystemLoader(directory),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


def _render(template: str, text: ReportText, **context: object) -> str:
    directory = reports_dir()
    css = (directory / STYLESHEET).read_text(encoding="utf-8")
    html = (
        _environment(str(directory), text.language)
        .get_template(template)
        .render(language=text.language, css=Markup(css), fmt=text, **context)
    )
    _refuse_external(html)
    return html


def _refuse_external(html: str) -> None:
    found = _EXTERNAL.search(html)
    if found:
        start = max(found.start() - 60, 0)
        raise ValueError(
            "a report must open offline, without fetching anything, but it refers to another resource: "
            f"…{html[start : found.end() + 60]}…"
        )
