"""The dashboard's words and numbers (`PageShow`) and its trend charts, shared by its pages."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

import msgspec
from babel.lists import format_list
from markupsafe import Markup

from survey.domain.figures import (
    Change,
    HiddenFigure,
    Reorganised,
    Score,
    Trend,
    UnitFigures,
    ValueFigures,
)
from survey.errors import N_
from survey.report import charts
from survey.report import format as fmt
from survey.report.show import Figure, FigureText, inline_chart, slug
from survey.services.measure_results import MeasureResult
from survey.web.measures._show import measure_page_of
from survey.web.portal import translator

# --- words and numbers of the pages ------------------------------------------------------------


class PageShow(FigureText):
    """Figures as the dashboard writes them: compact cells with marks and arrows, an interval in
    small print; numbers and hidden figures as in the reports (`FigureText`)."""

    NO_FIGURE = N_("no respondents")
    NOT_ASKED = N_("not asked in this questionnaire")
    NOTE = N_("note")
    NO_RATE = N_(
        "Citizen feedback: no response rate, because the number of contacts at the service "
        "points is not recorded."
    )

    def __init__(self, lang: str) -> None:
        self._ = translator(lang)
        super().__init__(lang, self._)
        self.lang = lang

    def signed(self, x: float, digits: int = 1) -> str:
        text = self.number(abs(x), digits)
        # U+2212 MINUS SIGN: a hyphen is easily overlooked in a column of small differences
        return ("+" if x > 0 else "−" if x < 0 else "±") + text

    def score(
        self, score: Score | HiddenFigure | None, *, interval: bool = True, asked: bool = True
    ) -> Markup:
        if not asked:
            return self.not_asked()
        if isinstance(score, HiddenFigure):
            return self.hidden(score)
        if score is None:
            return self.missing()
        mean = Markup("<strong>{}</strong>").format(self.number(score.mean))
        if not interval or score.low is None or score.high is None:
            return mean
        return Markup('{} <span class="ci"><span class="visually-hidden">{} </span>{}</span>').format(
            mean, self._("95 %% interval"), fmt.interval(score.low, score.high, self.lang)
        )

    def share(self, share: float | None, low: float | None, high: float | None) -> Markup:
        if share is None:
            return self.missing()
        text = Markup("{}").format(fmt.percent(share, self.lang))
        if low is None or high is None:
            return text
        return Markup('{} <span class="ci"><span class="visually-hidden">{} </span>{}–{}</span>').format(
            text, self._("95 %% interval"), fmt.percent(low, self.lang), fmt.percent(high, self.lang)
        )

    def mark(self, change: Change) -> Markup:
        """The significance mark: an asterisk to see, words to hear."""
        if not change.significant:
            return Markup('<span class="visually-hidden"> ({})</span>').format(self._("not significant"))
        return Markup(
            '<span class="sig" aria-hidden="true">*</span><span class="visually-hidden"> ({})</span>'
        ).format(self._("significant"))

    def change(self, change: Change | HiddenFigure | None, *, points: bool) -> Markup:
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(self._("no comparison"))
        if points:
            shown = self.signed(change.difference)
        else:
            shown = f"{change.effect_name} = {self.signed(change.effect, 2)}"
        p = (
            Markup('<span class="p">{}</span>').format(
                self._("adjusted p = %(p)s", p=self.p_value(change.p_adjusted))
            )
            if change.p_adjusted is not None
            else Markup("")
        )
        return Markup('<span class="change">{}{}</span> {}').format(shown, self.mark(change), p)

    def trend(self, trend: Trend) -> Markup:
        """An arrow to see and a sentence to hear: ↑ and ↓ only where significant after BH."""
        _ = self._
        arrow, css = self.trend_direction(trend)
        words = {
            "rising": _("rising significantly"),
            "falling": _("falling significantly"),
            "flat": _("no significant trend"),
        }.get(trend.direction, _("no trend yet: fewer than five waves with figures"))
        slope = (
            Markup(' <span class="slope">{}</span>').format(
                _("%(slope)s per wave", slope=self.signed(trend.slope_per_wave))
            )
            if trend.slope_per_wave is not None and trend.direction in ("rising", "falling", "flat")
            else Markup("")
        )
        return Markup(
            '<span class="trend {}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>{}'
        ).format(css, arrow, words, slope)

    def change_words(self, change: Change | HiddenFigure | None) -> Markup:
        """The change since the wave before in words with an arrow: "deutlich besser" only where the
        test says so after the adjustment, else "etwa gleich"; the points in small print."""
        _ = self._
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(_("no comparison"))
        arrow, css, sign = self.direction(change)
        words = {1: _("clearly better"), -1: _("clearly worse")}.get(sign, _("about the same"))
        return Markup(
            '<span class="trend {}"><span aria-hidden="true">{}</span> {}</span><span class="ci">{}</span>'
        ).format(css, arrow, words, _("%(points)s points", points=self.signed(change.difference)))

    def trend_words(self, trend: Trend) -> Markup:
        """The trend over the waves in words with an arrow (significant only after the adjustment)."""
        _ = self._
        arrow, css = self.trend_direction(trend)
        words = {
            "rising": _("rising over %(waves)s waves", waves=trend.waves),
            "falling": _("falling over %(waves)s waves", waves=trend.waves),
            "flat": _("no clear trend over %(waves)s waves", waves=trend.waves),
        }.get(trend.direction, _("too few waves for a trend"))
        return Markup('<span class="trend {}"><span aria-hidden="true">{}</span> {}</span>').format(
            css, arrow, words
        )

    def compared(self, score: Score | HiddenFigure | None, label: str) -> Markup:
        """One comparison figure with what it is ("Übergeordnet 66,0"); nothing where there is none."""
        if score is None:
            return Markup("")
        return Markup('<span class="compared">{}: {}</span>').format(label, self.score(score, interval=False))

    def effect_words(self, change: Change | HiddenFigure | None) -> Markup:
        """An item's change since the wave before in words ("etwas höhere Bewertungen"), from the
        size of the effect (Cliff's δ: under 0.147 negligible, 0.33 small, 0.474 medium); the
        number itself in small print, the significance mark as everywhere."""
        _ = self._
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(_("no comparison"))
        size = abs(change.effect)
        higher = change.effect > 0
        if size < 0.147:
            words = _("about the same ratings")
        elif size < 0.33:
            words = _("somewhat higher ratings") if higher else _("somewhat lower ratings")
        elif size < 0.474:
            words = _("clearly higher ratings") if higher else _("clearly lower ratings")
        else:
            words = _("much higher ratings") if higher else _("much lower ratings")
        return Markup('<span class="change">{}{}</span><span class="ci">{} = {}</span>').format(
            words, self.mark(change), change.effect_name, self.signed(change.effect, 2)
        )

    def say(self, message: str, **variables: object) -> str:
        return self._(message, **variables)

    def reorganised(self, note: Reorganised | None) -> Markup:
        """Whose value a wave before a reorganisation shows (nothing: the unit's own)."""
        if note is None:
            return Markup("")
        units = format_list(note.units, locale=fmt.locale(self.lang))
        if note.relation == "shared":
            text = self.say(N_("before the reorganisation: shared value of %(units)s"), units=units)
        else:
            text = self.say(N_("before the reorganisation: %(units)s together"), units=units)
        return Markup('<br><span class="note">{}</span>').format(text)

    def distribution_bar(self, distribution: dict[str, int] | HiddenFigure | None) -> Markup:
        """The answers as one stacked bar, lowest answer on the left; the shares in words for
        screen readers and in the figures' table below it."""
        if isinstance(distribution, HiddenFigure):
            return self.hidden(distribution)
        total = sum(distribution.values()) if distribution else 0
        if not distribution or total == 0:
            return self.missing()
        codes = list(distribution)
        width, x = 160.0, 0.0
        rects = []
        for index, code in enumerate(codes):
            share = distribution[code] / total
            shade = round(4 * index / max(len(codes) - 1, 1))
            rects.append(
                Markup('<rect x="{:.1f}" y="0" width="{:.1f}" height="14" class="shade-{}"/>').format(
                    x, share * width, shade
                )
            )
            x += share * width
        said = ", ".join(f"{code}: {fmt.percent(distribution[code] / total, self.lang)}" for code in codes)
        return Markup(
            '<svg class="distribution" viewBox="0 0 160 14" width="160" height="14" aria-hidden="true" '
            'focusable="false">{}</svg><span class="ci">{}</span>'
        ).format(
            Markup("").join(rects),
            self._(
                "from the lowest answer (%(low)s) to the highest (%(high)s): %(shares)s",
                low=codes[0],
                high=codes[-1],
                shares=said,
            ),
        )

    def distribution(self, distribution: dict[str, int] | HiddenFigure | None) -> Markup:
        if isinstance(distribution, HiddenFigure):
            return self.hidden(distribution)
        if not distribution:
            return self.missing()
        return Markup(", ").join(
            Markup("{}: {}").format(code, fmt.integer(count, self.lang))
            for code, count in distribution.items()
        )


def sparkline(value: ValueFigures) -> Markup:
    """The value's scores over the waves as a small line (decoration: the words beside it say it),
    broken where a wave is hidden, not asked, or not comparable."""
    width, height, pad = 96, 28, 3
    points = value.series
    if len(points) < 2:
        return Markup("")
    step = (width - 2 * pad) / (len(points) - 1)
    segments: list[list[str]] = [[]]
    for index, point in enumerate(points):
        if point.break_before and segments[-1]:
            segments.append([])
        if not isinstance(point.score, Score):
            if segments[-1]:
                segments.append([])
            continue
        y = pad + (height - 2 * pad) * (1 - point.score.mean / 100)
        segments[-1].append(f"{pad + index * step:.1f},{y:.1f}")
    drawn = [" ".join(segment) for segment in segments if len(segment) > 1]
    lines = Markup("").join(Markup('<polyline points="{}"/>').format(line) for line in drawn)
    if not lines:
        return Markup("")
    return Markup(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" '
        'focusable="false">{lines}</svg>'
    ).format(w=width, h=height, lines=lines)


# --- charts -------------------------------------------------------------------------------------

#: the trend charts of the pages by their figures and language: the same figures, the same chart
_CHART_CACHE: OrderedDict[tuple[bytes, str], Figure] = OrderedDict()
_CHART_CACHE_SIZE = 256
_chart_lock = threading.Lock()


def trend_figures(
    figures: UnitFigures, lang: str, markers: dict[str, list[tuple[dt.date, str]]] | None = None
) -> list[Figure]:
    """One trend chart per value, with the start of each measure on it (`markers`, per value); the
    same figures give the same chart, so it is kept for a while."""
    out = []
    changes = charts.reorganisation_markers(figures.reorganisations, lang)
    for value in (v for v in figures.values if v.asked):  # no chart of what nobody was asked
        started = (markers or {}).get(value.value, [])
        key = (msgspec.json.encode(value), lang, tuple(started), tuple(changes))
        with _chart_lock:
            cached = _CHART_CACHE.get(key)
            if cached is not None:
                _CHART_CACHE.move_to_end(key)
        if cached is None:
            chart = charts.value_trend(value, lang, started, changes)
            cached = inline_chart(chart, f"trend-{slug(value.value)}", page=True)
            with _chart_lock:
                _CHART_CACHE[key] = cached
                while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
                    _CHART_CACHE.popitem(last=False)
        out.append(cached)
    return out


def measure_rows(results: list[MeasureResult], show: PageShow) -> list[dict[str, Any]]:
    """A unit's measures as its page lists them: title, status, start, owners and the effect
    check per value in words."""
    return [
        {
            "href": measure_page_of(r.measure.id),
            "title": r.measure.title,
            "status": show.status(r.measure.status),
            "since": show.day(r.measure.starts_on),
            "units": ", ".join(o.name for o in r.measure.owners),
            "values": [{"name": v.name, "effect": show.effect(v.effect)} for v in r.effect.values],
        }
        for r in results
    ]
