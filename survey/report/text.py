"""The report's own sentences: scores with their bands, changes, trends, reliability and findings.

The numbers and the words shared with the dashboard's pages are `survey.report.show.FigureText`;
what is written here is the report's fuller wording (bands and respondents, significance in words,
what is significant in plain sentences), in the report's language from the reports' catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from babel.numbers import format_decimal
from markupsafe import Markup

from survey.domain.figures import (
    Change,
    HiddenFigure,
    Reliability,
    Score,
    Trend,
    UnitFigures,
    ValueFigures,
)
from survey.errors import N_
from survey.report.i18n import translations
from survey.report.show import FigureText

__all__ = ["ReportText", "asked_in_latest", "findings"]


class ReportText(FigureText):
    """Numbers, dates and sentences in one report language (babel and the reports' catalog)."""

    NO_FIGURE = N_("no data")
    NOT_ASKED = N_("not asked in this questionnaire")
    NOTE = N_("note")
    NO_RATE = N_(
        "Citizen feedback: no response rate, because the number of contacts at the service "
        "points is not recorded"
    )

    def __init__(self, language: str, k: int) -> None:
        catalog = translations(language)  # refuses a language without report texts
        super().__init__(language, catalog.gettext)
        self.k = k
        self.ngettext: Callable[[str, str, int], str] = catalog.ngettext

    def say(self, message: str, **variables: object) -> str:
        return self.gettext(message) % variables

    # numbers and dates

    def signed(self, x: float, digits: int = 1) -> str:
        zeros = "0" * digits
        # U+2212 MINUS SIGN: a hyphen is easily overlooked in a table of small differences.
        return format_decimal(x, format=f"+#,##0.{zeros};-#,##0.{zeros}", locale=self.locale).replace(
            "-", "−"
        )

    def period(self, start: dt.date, end: dt.date) -> str:
        _ = self.gettext
        return _("%(start)s to %(end)s") % {"start": self.date(start), "end": self.date(end)}

    # figures

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
        band = _("95 %% interval %(low)s to %(high)s") % {
            "low": self.number(score.low),
            "high": self.number(score.high),
        }
        return Markup("<strong>{}</strong> ({}; {})").format(self.number(score.mean), band, n)

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

    def change_words(self, change: Change | HiddenFigure | None) -> Markup:
        """A cell's change since the previous wave in words with an arrow ("besser" only where the
        adjusted test says so, else "etwa gleich"), the points in small print."""
        _ = self.gettext
        if isinstance(change, HiddenFigure):
            return self.hidden(change)
        if change is None:
            return Markup('<span class="no-data">{}</span>').format(_("no comparison"))
        arrow, css, sign = self.direction(change)
        words = {1: _("better"), -1: _("worse")}.get(sign, _("about the same"))
        return Markup(
            '<span class="move {}"><span aria-hidden="true">{} </span>{}</span> '
            '<span class="points">{}</span>'
        ).format(css, arrow, words, self.signed(change.difference))

    def trend_words(self, trend: Trend | None) -> Markup:
        """A cell's trend over all waves in a few words with an arrow."""
        _ = self.gettext
        if trend is None:
            return Markup("")
        arrow, css = self.trend_direction(trend)
        words = {
            "rising": _("trend: rising"),
            "falling": _("trend: falling"),
            "flat": _("trend: no clear direction"),
        }.get(trend.direction, _("trend: too few waves"))
        return Markup('<span class="move {}"><span aria-hidden="true">{} </span>{}</span>').format(
            css, arrow, words
        )

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
                slope += " " + _("(95 %% interval %(low)s to %(high)s)") % {
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
            parts[0] += " " + _("(95 %% interval %(low)s to %(high)s)") % {
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
            _("95 %% interval %(low)s to %(high)s") % {"low": self.percent(low), "high": self.percent(high)},
        )


def asked_in_latest(value: ValueFigures) -> bool:
    return value.series[-1].asked if value.series else value.asked


def findings(figures: UnitFigures, text: ReportText) -> list[str]:
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
