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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import msgspec
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    Change,
    HiddenFigure,
    NoRate,
    OrganisationOverview,
    Reliability,
    Score,
    Trend,
    UnitFigures,
    ValueFigures,
)
from survey.report import charts, format
from survey.report.i18n import locale_of, translations
from survey.report.printing import html_to_pdf, reports_dir

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
#: CSS pixels: the text width of an A4 page with the report's margins (178 mm) is about 670
MAX_CHART_WIDTH = 640

# What would make a browser or WeasyPrint reach for another file or the network.
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)|(?:<link\b)|(?:<script\b[^>]*\bsrc\s*=)""",
    re.IGNORECASE,
)
# Namespace declarations: needless in HTML (the parser knows SVG), and they would be the only
# "http://" in a report, which is easier to forbid altogether than to tell apart.
_NAMESPACE = re.compile(r"""\s+xmlns(?::\w+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_INNER_ARIA = re.compile(
    r"""\s(?:role|aria-roledescription|aria-label|aria-labelledby|aria-describedby)\s*=\s*(?:"[^"]*"|'[^']*')"""
)
_ID = re.compile(r"""\bid\s*=\s*(["'])([^"']+)\1""")


def department_html(
    figures: UnitFigures,
    *,
    kommune: str,
    comments: list[str] | HiddenFigure | None,
    language: str,
    generated_on: dt.date,
) -> str:
    """The trend report of one unit and its subtree across all waves, one self-contained HTML file.

    `comments` are the free-text answers to show: a list only where the group reached k_text
    (the caller decides, from the same suppression as the figures), a HiddenFigure where it did
    not, None where the questionnaire asks for none.
    """
    text = _Text(language, figures.k)
    _ = text.gettext
    value_names = {v.value: v.name for v in figures.values}
    latest_wave = figures.waves[-1] if figures.waves else None
    # values the questionnaire does not ask at all get no section: one sentence names them
    asked = [v for v in figures.values if v.asked]
    not_asked_now = [v.value for v in figures.values if not _asked_in_latest(v)]

    has_external = any(isinstance(v.external, Score | HiddenFigure) for v in asked)
    drawn = _draw(
        {
            **{f"trend-{v.value}": functools.partial(charts.value_trend, v, language) for v in asked},
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
    shown = [v for v in figures.values if isinstance(v.latest, Score)]
    ranked = sorted(shown, key=lambda v: (-v.latest.mean, v.name))  # type: ignore[union-attr]
    strongest = ranked[:RANKED]
    weakest = [v for v in reversed(ranked) if v not in strongest][:RANKED]
    not_ranked = [v for v in asked if not isinstance(v.latest, Score)]

    values = []
    for value in asked:
        now = _asked_in_latest(value)
        values.append(
            {
                "key": value.value,
                "anchor": f"value-{_slug(value.value)}",
                "name": value.name,
                "latest": text.score(value.latest, asked=now),
                "change": text.change(value.change, points=True) if now else text.not_asked(),
                "trend": text.trend(value.trend),
                "parent": text.score(value.parent, asked=now),
                "organisation": text.score(value.organisation, asked=now),
                "reliability": text.reliability(value.reliability) if now else text.not_asked(),
                "chart": drawn[f"trend-{value.value}"],
            }
        )
    items = [
        {
            "text": item.text,
            "value_names": ", ".join(value_names.get(v, v) for v in item.values),
            "latest": text.score(item.latest),
            "top_box": text.top_box(item.top_box, item.top_box_low, item.top_box_high),
            "change": text.change(item.change, points=False),
        }
        for item in figures.items
    ]
    reliability_waves = [w.wave for w in figures.waves]
    wave_titles = {w.wave: w.title for w in figures.waves}
    reliability_rows = []
    for value in asked:
        by_wave = {r.wave: r.reliability for r in value.reliability_by_wave}
        asked_in = {p.wave: p.asked for p in value.series}
        reliability_rows.append(
            {
                "name": value.name,
                "latest": text.reliability(value.reliability)
                if _asked_in_latest(value)
                else text.not_asked(),
                "by_wave": [
                    text.alpha(by_wave.get(w)) if asked_in.get(w, True) else text.not_asked()
                    for w in reliability_waves
                ],
            }
        )

    comment_list = comments if isinstance(comments, list) else []
    return _render(
        DEPARTMENT_TEMPLATE,
        text,
        kommune=kommune,
        unit=figures,
        wave=(
            {
                "title": latest_wave.title,
                "period": text.period(latest_wave.opens_on, latest_wave.closes_on),
                "respondents": text.count(latest_wave.respondents),
                "response_rate": text.rate(latest_wave.response_rate),
                "no_rate": text.no_rate(latest_wave.no_rate) if latest_wave.no_rate else None,
            }
            if latest_wave
            else None
        ),
        waves_count=len(figures.waves),
        generated_on=text.date(generated_on),
        strongest=[
            {"name": v.name, "anchor": f"value-{_slug(v.value)}", "score": text.score(v.latest)}
            for v in strongest
        ],
        weakest=[
            {"name": v.name, "anchor": f"value-{_slug(v.value)}", "score": text.score(v.latest)}
            for v in weakest
        ],
        not_ranked=[
            {"name": v.name, "why": text.score(v.latest, asked=_asked_in_latest(v))} for v in not_ranked
        ],
        not_asked=[v.name for v in figures.values if not v.asked],
        findings=_findings(figures, text),
        values=values,
        heatmap=drawn["heatmap"],
        items=items,
        distribution=drawn["distribution"],
        self_external=drawn["self-external"],
        response_rates=drawn["response-rates"],
        reliability_head=[wave_titles[w] for w in reliability_waves],
        reliability_rows=reliability_rows,
        comments=comment_list,
        comments_hidden=isinstance(comments, HiddenFigure),
        comments_asked=comments is not None,
        k=figures.k,
        k_text=figures.k_text,
        tests=figures.tests,
        data=_embedded(figures),
    )


def overview_html(
    overview: OrganisationOverview, *, kommune: str, language: str, generated_on: dt.date
) -> str:
    """The organisation overview for the survey office and the Verwaltungsleitung: every Dezernat and
    Fachbereich × value in the latest wave with the change since the previous one, and response rates."""
    text = _Text(language, overview.k)
    # a column of a value nobody was asked about would hold nothing: it is left out and named
    shown_values = {k: name for k, name in overview.values.items() if k not in overview.not_asked}
    no_rate = next((row.no_rate for row in overview.rows if row.no_rate), None)
    rows = [
        {
            "name": row.name,
            "kind": row.kind,
            "depth": min(row.depth, 4),
            "respondents": text.count(row.respondents),
            "headcount": text.integer(row.headcount) if row.headcount is not None else "",
            "response_rate": text.rate(row.response_rate),
            "cells": [
                {
                    "score": text.score(row.scores.get(value), short=True),
                    "change": text.change(row.changes.get(value), points=True, short=True),
                }
                for value in shown_values
            ],
        }
        for row in overview.rows
    ]
    return _render(
        OVERVIEW_TEMPLATE,
        text,
        kommune=kommune,
        overview=overview,
        value_names=list(shown_values.values()),
        not_asked=[name for k, name in overview.values.items() if k in overview.not_asked],
        with_rates=no_rate is None,
        no_rate=text.no_rate(no_rate) if no_rate else None,
        rows=rows,
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


# --- formatting ---------------------------------------------------------------------------------


class _Text:
    """Numbers, dates and sentences in one report language (babel and the gettext catalog)."""

    def __init__(self, language: str, k: int) -> None:
        self.language = language
        self.locale = locale_of(language)
        self.k = k
        catalog = translations(language)
        self.gettext: Callable[[str], str] = catalog.gettext
        self.ngettext: Callable[[str, str, int], str] = catalog.ngettext

    # numbers and dates

    def number(self, x: float, digits: int = 1) -> str:
        return format.number(x, self.language, digits)

    def integer(self, n: int) -> str:
        return format.integer(n, self.language)

    def signed(self, x: float, digits: int = 1) -> str:
        zeros = "0" * digits
        # U+2212 MINUS SIGN: a hyphen is easily overlooked in a table of small differences.
        return format_decimal(x, format=f"+#,##0.{zeros};-#,##0.{zeros}", locale=self.locale).replace(
            "-", "−"
        )

    def percent(self, x: float) -> str:
        return format.percent(x, self.language)

    def p_value(self, p: float) -> str:
        if p < 0.001:
            return "< " + self.number(0.001, 3)
        return self.number(p, 3)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def period(self, start: dt.date, end: dt.date) -> str:
        _ = self.gettext
        return _("%(start)s to %(end)s") % {"start": self.date(start), "end": self.date(end)}

    # figures

    def hidden(self, figure: HiddenFigure) -> Markup:
        # the same words as in the charts' tables: "verborgen (weniger als 5 Antworten)"
        return Markup('<span class="hidden-figure">{}</span>').format(
            format.hidden_text(figure, self.language)
        )

    def missing(self) -> Markup:
        _ = self.gettext
        return Markup('<span class="no-data">{}</span>').format(_("no data"))

    def not_asked(self) -> Markup:
        """Nobody was asked: said so, never as if nobody had answered."""
        _ = self.gettext
        return Markup('<span class="not-asked">{}</span>').format(_("not asked in this questionnaire"))

    def no_rate(self, why: NoRate) -> Markup:
        _ = self.gettext
        if why.reason == CONTACTS_NOT_RECORDED.reason:
            words = _(
                "Citizen feedback: no response rate, because the number of contacts at the service "
                "points is not recorded"
            )
        else:
            words = why.explanation
        return Markup('<span class="no-rate">{}</span>').format(words)

    def score(self, score: Score | HiddenFigure | None, *, short: bool = False, asked: bool = True) -> Markup:
        _ = self.gettext
        if not asked:
            return self.not_asked()
        if isinstance(score, HiddenFigure):
            return self.hidden(score)
        if score is None:
            return Markup('<span class="no-data">{}</span>').format(_("no respondents"))
        if short:
            return Markup("{}").format(self.number(score.mean))
        n = self.ngettext("%(num)s respondent", "%(num)s respondents", score.n) % {
            "num": self.integer(score.n)
        }
        if score.low is None or score.high is None:
            return Markup("<strong>{}</strong> ({})").format(self.number(score.mean), n)
        band = _("95 %% band %(low)s to %(high)s") % {
            "low": self.number(score.low),
            "high": self.number(score.high),
        }
        return Markup("<strong>{}</strong> ({}; {})").format(self.number(score.mean), band, n)

    def count(self, n: int | HiddenFigure) -> Markup:
        if isinstance(n, HiddenFigure):
            return self.hidden(n)
        return Markup("{}").format(self.integer(n))

    def rate(self, rate: float | HiddenFigure | None) -> Markup:
        if isinstance(rate, HiddenFigure):
            return self.hidden(rate)
        if rate is None:
            return self.missing()
        return Markup("{}").format(self.percent(rate))

    def significance(self, change: Change) -> Markup:
        """A symbol and words, never colour alone."""
        _ = self.gettext
        if not change.significant:
            return Markup('<span class="not-significant">{}</span>').format(_("not significant"))
        if change.difference > 0:
            return Markup('<span class="significant up"><span aria-hidden="true">▲ </span>{}</span>').format(
                _("significant rise")
            )
        return Markup('<span class="significant down"><span aria-hidden="true">▼ </span>{}</span>').format(
            _("significant fall")
        )

    def change(self, change: Change | HiddenFigure | None, *, points: bool, short: bool = False) -> Markup:
        _ = self.gettext
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(_("no previous wave"))
        if short:
            return Markup("{} {}").format(self.signed(change.difference), self.significance(change))
        details = []
        if points:
            details.append(_("%(difference)s points") % {"difference": self.signed(change.difference)})
        if change.p_adjusted is not None:
            details.append(_("adjusted p = %(p)s") % {"p": self.p_value(change.p_adjusted)})
        details.append(f"{change.effect_name} = {self.signed(change.effect, 2)}")
        return Markup("{}: {}").format(self.significance(change), "; ".join(details))

    def trend(self, trend: Trend) -> str:
        _ = self.gettext
        if trend.direction == "not_enough_waves":
            return self.ngettext(
                "no trend yet: %(num)s wave, a trend needs at least 5",
                "no trend yet: %(num)s waves, a trend needs at least 5",
                trend.waves,
            ) % {"num": self.integer(trend.waves)}
        words = {
            "rising": _("rising significantly"),
            "falling": _("falling significantly"),
            "flat": _("no significant trend"),
        }.get(trend.direction, trend.direction)
        details = [
            self.ngettext("over %(num)s wave", "over %(num)s waves", trend.waves) % {"num": trend.waves}
        ]
        if trend.slope_per_wave is not None:
            slope = _("%(slope)s points per wave") % {"slope": self.signed(trend.slope_per_wave)}
            if trend.slope_low is not None and trend.slope_high is not None:
                slope += " " + _("(95 %% band %(low)s to %(high)s)") % {
                    "low": self.signed(trend.slope_low),
                    "high": self.signed(trend.slope_high),
                }
            details.append(slope)
        if trend.p_adjusted is not None:
            details.append(_("adjusted p = %(p)s") % {"p": self.p_value(trend.p_adjusted)})
        return f"{words} ({'; '.join(details)})"

    def alpha(self, reliability: Reliability | HiddenFigure | None) -> Markup:
        if isinstance(reliability, HiddenFigure):
            return self.hidden(reliability)
        if reliability is None or reliability.alpha is None:
            return self.missing()
        return Markup("{}").format(self.number(reliability.alpha, 2))

    def reliability(self, reliability: Reliability | HiddenFigure | None) -> Markup:
        _ = self.gettext
        if isinstance(reliability, HiddenFigure):
            return self.hidden(reliability)
        if reliability is None or reliability.alpha is None:
            return Markup('<span class="no-data">{}</span>').format(
                _("not computed (a value needs at least two items and enough answers)")
            )
        parts = [f"α = {self.number(reliability.alpha, 2)}"]
        if reliability.alpha_low is not None and reliability.alpha_high is not None:
            parts[0] += " " + _("(95 %% band %(low)s to %(high)s)") % {
                "low": self.number(reliability.alpha_low, 2),
                "high": self.number(reliability.alpha_high, 2),
            }
        if reliability.omega is not None:
            parts.append(f"ω = {self.number(reliability.omega, 2)}")
        parts.append(
            self.ngettext("%(num)s item", "%(num)s items", reliability.items) % {"num": reliability.items}
        )
        return Markup("{}").format("; ".join(parts))

    def top_box(self, share: float | None, low: float | None, high: float | None) -> Markup:
        _ = self.gettext
        if share is None:
            return self.missing()
        if low is None or high is None:
            return Markup("{}").format(self.percent(share))
        return Markup("{} ({})").format(
            self.percent(share),
            _("95 %% band %(low)s to %(high)s") % {"low": self.percent(low), "high": self.percent(high)},
        )


def _asked_in_latest(value: ValueFigures) -> bool:
    return value.series[-1].asked if value.series else value.asked


def _findings(figures: UnitFigures, text: _Text) -> list[str]:
    """What is significant after Benjamini–Hochberg, in plain words, values first."""
    _ = text.gettext
    found: list[str] = []
    for value in figures.values:
        change = value.change
        if isinstance(change, Change) and change.significant:
            template = (
                _("%(value)s: higher than in the previous wave, by %(points)s points (adjusted p = %(p)s).")
                if change.difference > 0
                else _(
                    "%(value)s: lower than in the previous wave, by %(points)s points (adjusted p = %(p)s)."
                )
            )
            found.append(
                template
                % {
                    "value": value.name,
                    "points": text.number(abs(change.difference)),
                    "p": text.p_value(change.p_adjusted if change.p_adjusted is not None else change.p),
                }
            )
        trend = value.trend
        if trend.direction in ("rising", "falling"):
            template = (
                _("%(value)s: rising across %(waves)s waves, by about %(slope)s points per wave.")
                if trend.direction == "rising"
                else _("%(value)s: falling across %(waves)s waves, by about %(slope)s points per wave.")
            )
            slope = abs(trend.slope_per_wave) if trend.slope_per_wave is not None else 0.0
            found.append(template % {"value": value.name, "waves": trend.waves, "slope": text.number(slope)})
    for item in figures.items:
        change = item.change
        if isinstance(change, Change) and change.significant:
            template = (
                _("Question “%(item)s”: answered more favourably than in the previous wave.")
                if change.difference > 0
                else _("Question “%(item)s”: answered less favourably than in the previous wave.")
            )
            found.append(template % {"item": item.text})
    return found


# --- charts and embedding -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    id: str
    svg: Markup
    title: str
    summary: str
    head: list[str]
    rows: list[list[str]]


#: charts are drawn two at a time: vl-convert renders one while altair builds the next
_DRAWING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chart")


def _draw(jobs: dict[str, Callable[[], charts.Chart] | None]) -> dict[str, _Figure | None]:
    """Draw the charts of a report (None for those it does not have), two at a time."""
    pending = {name: _DRAWING.submit(job) for name, job in jobs.items() if job is not None}
    return {name: _chart(pending[name].result(), name) if name in pending else None for name in jobs}


def _chart(chart: charts.Chart, name: str) -> _Figure:
    """A chart ready to be inlined: its ids made unique in the report, its accessible name ensured."""
    prefix = f"{_slug(name)}-"
    svg = _NAMESPACE.sub("", chart.svg.strip())
    ids = {match.group(2) for match in _ID.finditer(svg)}
    if ids:
        svg = _ID.sub(lambda m: f"id={m.group(1)}{prefix}{m.group(2)}{m.group(1)}", svg)
        for old in sorted(ids, key=len, reverse=True):
            svg = re.sub(
                rf"(url\(\s*['\"]?#|href\s*=\s*['\"]#){re.escape(old)}\b", rf"\g<1>{prefix}{old}", svg
            )
    svg = _fit(svg)
    # The chart is one image (role="img" on the <svg>), so its parts are presentational; vega's
    # ARIA roles and labels on them (unnamed graphics-symbol groups, labels on bare paths) would only
    # make screen readers and axe look for names that the caption and the table already give.
    opening = re.match(r"<svg\b[^>]*>", svg)
    if opening:
        inner = _INNER_ARIA.sub("", svg[opening.end() :])
        svg = opening.group(0) + inner
    opening = re.match(r"<svg\b[^>]*>", svg)
    if opening and "role=" not in opening.group(0):
        svg = svg.replace("<svg", f'<svg role="img" aria-label="{escape(chart.title)}"', 1)
    return _Figure(
        id=f"chart-{_slug(name)}",
        svg=Markup(svg),
        title=chart.title,
        summary=chart.summary,
        head=list(chart.table_head),
        rows=[list(row) for row in chart.table_rows],
    )


def _fit(svg: str) -> str:
    """Scale a chart wider than an A4 page down by its width and height attributes.

    WeasyPrint keeps an inline SVG's height when CSS narrows it (`max-width: 100%`), which shrinks
    the drawing inside a box of the old height; the attributes scale box and drawing together.
    """
    opening = re.match(r"<svg\b[^>]*>", svg)
    if not opening:
        return svg
    tag = opening.group(0)
    width = re.search(r'\swidth="([\d.]+)"', tag)
    height = re.search(r'\sheight="([\d.]+)"', tag)
    if not (width and height and "viewBox" in tag) or float(width.group(1)) <= MAX_CHART_WIDTH:
        return svg
    ratio = MAX_CHART_WIDTH / float(width.group(1))
    new = tag.replace(width.group(0), f' width="{MAX_CHART_WIDTH}"', 1)
    new = new.replace(height.group(0), f' height="{float(height.group(1)) * ratio:.0f}"', 1)
    return new + svg[len(tag) :]


def _embedded(figures: Any) -> Markup:
    # The figures hold texts from outside (unit names, item texts). Inside the script element a
    # "</script" would end it early and "<!--" change how the rest is read: as in Django's
    # json_script, <, > and & become \u escapes, the same characters to a JSON parser and no
    # markup to the HTML parser. They occur only inside JSON strings, so this is always valid.
    data = msgspec.json.encode(figures).decode()
    return Markup(data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


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


def _render(template: str, text: _Text, **context: object) -> str:
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
