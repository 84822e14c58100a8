"""The words of the pages without sign-in, in the reader's language: numbers and dates by babel,
a hidden figure as "not shown" with its reason (never a number), changes and trends as words,
the status and the effect of a measure.

The strings are English msgids in the respondent catalogs (survey/web/locale/*/LC_MESSAGES/
messages.po), in all seven languages of the respondent pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from markupsafe import Markup

from survey.domain.figures import HiddenFigure
from survey.services.public_results import EffectLine
from survey.web.i18n import Language
from survey.web.respond_text import translators

__all__ = ["PublicShow"]


class PublicShow:
    """Figures and words of one page, in `lang`."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.gettext, self.ngettext = translators(lang)

    # numbers and dates

    def number(self, x: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        rounded = Decimal(str(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        text = format_decimal(abs(rounded), format=pattern, locale=self.lang.locale)
        # U+2212 MINUS SIGN: a hyphen is easily overlooked
        return ("−" if rounded < 0 else "") + text

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.lang.locale)

    def join(self, items: list[str]) -> str:
        """`A, B und C` / `A، B و C`: a list as the language writes one."""
        return format_list(items, locale=self.lang.locale) if items else ""

    def period(self, start: dt.date, end: dt.date) -> str:
        return self.gettext("from %(start)s to %(end)s", start=self.date(start), end=self.date(end))

    # figures

    def hidden(self, figure: HiddenFigure, k: int) -> str:
        """Why a figure is not shown, in words (never the figure)."""
        _ = self.gettext
        match figure.reason:
            case "below_k":
                return _("not shown: fewer than %(k)s people answered", k=k)
            case "secondary":
                return _("not shown, so that a smaller group cannot be worked out from other figures")
            case "few_changed":
                return _("not shown: too few people more or fewer than in the round before")
            case "other_side_hidden":
                return _("no comparison: one of the two rounds is not shown")
            case "wave_open":
                return _("not shown: the survey is still running")
            case _:
                return _("not shown, to protect anonymity")

    def score(self, score: int) -> Markup:
        """`57 von 100`, the number in bold (the catalog's text is trusted, the number escaped)."""
        template = Markup(self.gettext("%(score)s of 100"))
        return template % {"score": Markup('<strong class="number">%s</strong>') % self.number(score)}

    def change(self, word: str, hidden: HiddenFigure | None, k: int) -> str:
        _ = self.gettext
        if hidden is not None:
            return self.hidden(hidden, k)
        return {
            "better": _("better than in the round before"),
            "worse": _("worse than in the round before"),
            "same": _("about the same as in the round before"),
        }.get(word, _("no comparison with an earlier round"))

    def change_arrow(self, word: str) -> str:
        return {"better": "↑", "worse": "↓", "same": "→"}.get(word, "")

    def trend(self, word: str, waves: int) -> str:
        _, ngettext = self.gettext, self.ngettext
        match word:
            case "rising":
                return ngettext("rising over %(num)d round", "rising over %(num)d rounds", waves)
            case "falling":
                return ngettext("falling over %(num)d round", "falling over %(num)d rounds", waves)
            case "flat":
                return ngettext(
                    "no clear trend over %(num)d round", "no clear trend over %(num)d rounds", waves
                )
            case _:
                return _("too few rounds for a trend")

    # measures

    def status(self, status: str) -> str:
        _ = self.gettext
        return {
            "geplant": _("planned"),
            "laufend": _("in progress"),
            "umgesetzt": _("done"),
            "verworfen": _("dropped"),
        }.get(status, status)

    def effect(self, line: EffectLine, k: int) -> str:
        """The effect check on one value, in words: too early, no change (with what it could have
        found), better or worse with the estimate."""
        _ = self.gettext
        if line.hidden is not None:
            return self.hidden(line.hidden, k)
        match line.verdict:
            case "too_early":
                return _("too early to tell: there has been no survey round since the start")
            case "no_change":
                return _(
                    "no change detectable – with %(n)s answers, a change of %(mde)s points or more "
                    "would have been found",
                    n=self.number(line.n),
                    mde=self.number(line.mde or 0, 1),
                )
            case "improved":
                return _(
                    "improved by about %(points)s points (likely between %(low)s and %(high)s)",
                    **self._range(line, 1),
                )
            case "worsened":
                return _(
                    "worse by about %(points)s points (likely between %(low)s and %(high)s)",
                    **self._range(line, -1),
                )
            case _:
                return self._no_data(line.reason)

    def _range(self, line: EffectLine, sign: int) -> dict[str, str]:
        """The estimate and its interval as sizes of the change (a worsening's as positive points)."""
        bounds = sorted(abs(x or 0) for x in (line.low, line.high)) if sign < 0 else [line.low, line.high]
        return {
            "points": self.number(abs(line.estimate or 0), 1),
            "low": self.number(bounds[0] or 0, 1),
            "high": self.number(bounds[1] or 0, 1),
        }

    def _no_data(self, reason: str | None) -> str:
        _ = self.gettext
        return {
            "no_wave_before": _("cannot be checked: there was no survey round before the start"),
            "trend_break": _("cannot be checked: the questions changed in between"),
            "too_few_answers": _("cannot be checked: too few answers"),
            "no_owner": _("cannot be checked: no unit takes part any more"),
        }.get(reason or "", _("cannot be checked yet"))
