"""Figures as people read them, for the report files and the dashboard's pages alike.

`FigureText` writes the numbers, dates and figures both show the same way: babel numbers, a hidden
figure as the word with its reason (never a number), "not asked" never as if nobody had answered.
Each medium adds its own sentences in a subclass (`survey.report.render` the report's bands and
plain-word findings, the dashboard its compact cells with marks and arrows) and names the few
words that differ between them, so every text stays in the catalog of the code that shows it.

`inline_chart` makes a chart of `survey.report.charts` ready to be inlined into a report or a page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import msgspec
from babel.dates import format_date
from markupsafe import Markup, escape

from survey.domain.effects import Effect
from survey.domain.figures import CONTACTS_NOT_RECORDED, Change, HiddenFigure, NoRate, Trend
from survey.errors import N_
from survey.report import format
from survey.report.charts import Chart

__all__ = ["MAX_CHART_WIDTH", "Figure", "FigureText", "hidden_of", "inline_chart", "slug"]

#: CSS pixels: the text width of an A4 page with the report's margins (178 mm) is about 670
MAX_CHART_WIDTH = 640


def hidden_of(value: object) -> HiddenFigure | None:
    """A hidden figure, also as the dict it is inside UnitFigures.children; else None."""
    if isinstance(value, HiddenFigure):
        return value
    if isinstance(value, dict) and value.get("hidden"):
        return msgspec.convert(value, HiddenFigure)
    return None


class FigureText:
    """Numbers, dates and figures in one language; `gettext` is the catalog of the medium.

    The words a subclass sets (`NO_FIGURE`, `NO_RATE`) are marked for its own catalog's
    extraction there; `gettext` is called with the msgid alone.
    """

    #: a figure that is simply not there (no respondents, no data)
    NO_FIGURE: ClassVar[str]
    #: why citizen feedback has no response rate
    NO_RATE: ClassVar[str]
    #: nobody was asked (said so, never as if nobody had answered)
    NOT_ASKED: ClassVar[str]
    #: what a screen reader says before a footnote's number ("note 1")
    NOTE: ClassVar[str]

    def __init__(self, language: str, gettext: Callable[[str], str]) -> None:
        self.language = language
        self.locale = format.locale(language)
        self.gettext = gettext

    # numbers and dates

    def number(self, x: float, digits: int = 1) -> str:
        return format.number(x, self.language, digits)

    def integer(self, n: int) -> str:
        return format.integer(n, self.language)

    def percent(self, x: float) -> str:
        return format.percent(x, self.language)

    def p_value(self, p: float) -> str:
        return "< " + self.number(0.001, 3) if p < 0.001 else self.number(p, 3)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def day(self, date: dt.date) -> str:
        return format.day(date, self.language)

    def month(self, date: dt.date) -> str:
        return format.month_short(date, self.language)

    # figures

    @staticmethod
    def direction(change: Change) -> tuple[str, str, int]:
        """Arrow, CSS class and sign of a change: up or down only where the adjusted test says so."""
        if change.significant and change.difference > 0:
            return "↑", "up", 1
        if change.significant and change.difference < 0:
            return "↓", "down", -1
        return "→", "flat", 0

    @staticmethod
    def trend_direction(trend: Trend) -> tuple[str, str]:
        """Arrow and CSS class of a trend (rising and falling only where significant)."""
        return {"rising": ("↑", "up"), "falling": ("↓", "down"), "flat": ("→", "flat")}.get(
            trend.direction, ("–", "none")
        )

    def say(self, message: str, **variables: object) -> str:
        """`message` in the medium's language with its %(name)s variables filled in."""
        raise NotImplementedError

    def signed(self, x: float, digits: int = 1) -> str:
        raise NotImplementedError

    def status(self, status: str) -> str:
        """A measure's status: German users' words (geplant …), in English planned … dropped."""
        words = {
            "geplant": N_("planned"),
            "laufend": N_("in progress"),
            "umgesetzt": N_("done"),
            "verworfen": N_("dropped"),
        }
        return self.say(words[status]) if status in words else status

    def effect(self, effect: Effect | HiddenFigure) -> Markup:
        """A measure's effect check in plain words: too early, nothing to compare, no change (with
        the change it would have found), improved or worsened (with the points and interval).
        The words are in the catalogs of both media (reports and portal)."""
        say = self.say
        if isinstance(effect, HiddenFigure):
            return self.hidden(effect)
        if effect.verdict == "too_early":
            words = say(N_("too early: no wave has been held since the start"))
            return Markup('<span class="effect none">{}</span>').format(words)
        if effect.verdict == "no_data" or effect.estimate is None:
            why = {
                "no_wave_before": N_("nothing to compare: no wave before the start"),
                "trend_break": N_("nothing to compare: the questions changed in between"),
                "no_owner": N_("nothing to compare: no unit owns the measure"),
            }.get(effect.reason or "", N_("nothing to compare: too few answers"))
            return Markup('<span class="effect none">{}</span>').format(say(why))
        low, high = self.signed(effect.low or 0.0), self.signed(effect.high or 0.0)
        interval = say(N_("95 %% interval %(low)s to %(high)s"), low=low, high=high)
        if effect.verdict == "no_change":
            words = say(
                N_(
                    "no change found – with %(n)s answers, a change of %(mde)s points or more "
                    "would have shown"
                ),
                n=self.integer(effect.n_before + effect.n_after),
                mde=self.number(effect.mde or 0.0),
            )
            points = say(N_("%(points)s points"), points=self.signed(effect.estimate))
            return Markup('<span class="effect flat">{}</span><span class="ci">{}; {}</span>').format(
                words, points, interval
            )
        up = effect.verdict == "improved"
        size = self.number(abs(effect.estimate))
        words = (
            say(N_("improved by %(points)s points"), points=size)
            if up
            else say(N_("worsened by %(points)s points"), points=size)
        )
        return Markup(
            '<span class="effect {}"><span aria-hidden="true">{} </span>{}</span><span class="ci">{}</span>'
        ).format("up" if up else "down", "↑" if up else "↓", words, interval)

    def hidden(self, figure: HiddenFigure) -> Markup:
        # the same words as in the charts' tables: "verborgen (weniger als 5 Antworten)"
        words = format.hidden_text(figure, self.language)
        return Markup('<span class="hidden-figure">{}</span>').format(words)

    def footnoted(self, html: str, name: str) -> Markup:
        """A table (or any block) whose hidden figures become a short mark ("verborgen¹") with one
        footnote per reason after it, instead of the reason in every cell.

        `name` makes the footnotes' ids unique on the page. Each mark links to its footnote, and the
        footnote describes the link (`aria-describedby`), so a screen reader still hears the reason.
        """
        notes: dict[str, tuple[int, str]] = {}
        note = self.gettext(self.NOTE)

        def mark(found: re.Match[str]) -> str:
            word, why = found.group(1), found.group(2)
            number = notes.setdefault(why, (len(notes) + 1, word))[0]
            ident = f"fn-{slug(name)}-{number}"
            return (
                f'<span class="hidden-figure">{word}<sup class="fn-ref"><a href="#{ident}" '
                f'aria-describedby="{ident}"><span class="visually-hidden">{escape(note)} </span>'
                f"{number}</a></sup></span>"
            )

        body = _HIDDEN_FIGURE.sub(mark, str(html))
        if not notes:
            return Markup(body)
        items = "".join(
            f'<li id="fn-{slug(name)}-{number}"><sup aria-hidden="true">{number}</sup> {word}: {why}</li>'
            for why, (number, word) in notes.items()
        )
        return Markup(f'{body}<ol class="footnotes">{items}</ol>')

    def missing(self) -> Markup:
        return Markup('<span class="no-data">{}</span>').format(self.gettext(self.NO_FIGURE))

    def not_asked(self) -> Markup:
        """Nobody was asked: said so, never as if nobody had answered."""
        return Markup('<span class="not-asked">{}</span>').format(self.gettext(self.NOT_ASKED))

    def no_rate(self, why: NoRate) -> Markup:
        """Why there is no response rate (citizen feedback), in words rather than a dash."""
        known = why.reason == CONTACTS_NOT_RECORDED.reason
        words = self.gettext(self.NO_RATE) if known else why.explanation
        return Markup('<span class="no-rate">{}</span>').format(words)

    def count(self, n: object) -> Markup:
        """A number of people: an int, a HiddenFigure, or a hidden figure as a dict (UnitFigures.children)."""
        hidden = hidden_of(n)
        if hidden is not None:
            return self.hidden(hidden)
        return Markup("{}").format(self.integer(n)) if isinstance(n, int) else self.missing()

    def rate(self, rate: float | HiddenFigure | None) -> Markup:
        if isinstance(rate, HiddenFigure):
            return self.hidden(rate)
        if rate is None:
            return self.missing()
        return Markup("{}").format(self.percent(rate))


# --- charts inlined into a report or a page ------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A chart ready to be inlined, with what the page shows beside it (caption, table)."""

    id: str
    svg: Markup
    title: str
    summary: str
    head: list[str]
    rows: list[list[str]]


#: a hidden figure as `FigureText.hidden` writes it: the word, then its (escaped) reason in brackets
_HIDDEN_FIGURE = re.compile(r'<span class="hidden-figure">([^<(]+?) \(([^<]*)\)</span>')

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r"""\bid\s*=\s*(["'])([^"']+)\1""")
# Namespace declarations: needless in HTML (the parser knows SVG), and they would be the only
# "http://" in a report, which is easier to forbid altogether than to tell apart.
_NAMESPACE = re.compile(r"""\s+xmlns(?::\w+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_INNER_ARIA = re.compile(
    r"""\s(?:role|aria-roledescription|aria-label|aria-labelledby|aria-describedby)\s*=\s*(?:"[^"]*"|'[^']*')"""
)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"[^"]*"|'[^']*')""")


def slug(text: str) -> str:
    """`Offen und ehrlich` → `offen-und-ehrlich`: for ids and anchors."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def inline_chart(chart: Chart, name: str, *, page: bool = False) -> Figure:
    """A chart ready to be inlined: its ids made unique by `name`, one image for assistive
    technology (named by its title; vega's roles and labels on its parts removed).

    For a report file (default) the namespaces go (a report refers to nothing) and a chart wider
    than an A4 page is scaled down. For a page of the app (`page=True`) the inline style goes (the
    app's CSP forbids it; portal.css sizes the chart by its class).
    """
    prefix = slug(name)
    svg = _XML_DECLARATION.sub("", chart.svg.strip())
    if not page:
        svg = _NAMESPACE.sub("", svg)
    svg = _unique_ids(svg, f"{prefix}-")
    if not page:
        svg = _fit(svg)
    root = _SVG_ROOT.match(svg)
    if root is None:  # pragma: no cover - the charts always start with <svg>
        raise ValueError("a chart without an <svg> root")
    # The chart is one image (role="img" on the <svg>), so its parts are presentational; vega's
    # ARIA roles and labels on them (unnamed graphics-symbol groups, labels on bare paths) would only
    # make screen readers and axe look for names that the caption and the table already give.
    head, body = root.group(0), _INNER_ARIA.sub("", svg[root.end() :])
    if page:
        head = _STYLE_ATTRIBUTE.sub("", head).replace("<svg", '<svg class="chart-svg"', 1)
    if "role=" not in head:
        head = head.replace("<svg", f'<svg role="img" aria-label="{escape(chart.title)}"', 1)
    return Figure(
        id=f"chart-{prefix}",
        svg=Markup(head + body),
        title=chart.title,
        summary=chart.summary,
        head=list(chart.table_head),
        rows=[list(row) for row in chart.table_rows],
    )


def _unique_ids(svg: str, prefix: str) -> str:
    """Every id (and each reference to it) prefixed: several charts share one page."""
    ids = {match.group(2) for match in _ID.finditer(svg)}
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f"id={m.group(1)}{prefix}{m.group(2)}{m.group(1)}", svg)
    for old in sorted(ids, key=len, reverse=True):
        svg = re.sub(rf"(url\(\s*['\"]?#|href\s*=\s*['\"]#){re.escape(old)}\b", rf"\g<1>{prefix}{old}", svg)
    return svg


def _fit(svg: str) -> str:
    """Scale a chart wider than an A4 page down by its width and height attributes.

    WeasyPrint keeps an inline SVG's height when CSS narrows it (`max-width: 100%`), which shrinks
    the drawing inside a box of the old height; the attributes scale box and drawing together.
    """
    opening = _SVG_ROOT.match(svg)
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
