"""Numbers, percentages, months and hidden figures as the reports write them, per language.

babel does the work (DESIGN §4): German is the default (`61,4`, `53,8 %`, `Juli 2026`), English
follows British usage (`61.4`, `53.8%`, `July 2026`). Charts, tables and the report pages all
format through here, so a figure reads the same in the chart's table as in the text around it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from survey.domain.figures import HiddenFigure, Score

__all__ = [
    "LOCALES",
    "day",
    "hidden_text",
    "integer",
    "interval",
    "locale",
    "month",
    "month_short",
    "number",
    "percent",
    "score_text",
]

#: report language → babel locale. English is British: nearest to what German readers expect.
LOCALES: dict[str, str] = {"de": "de_DE", "en": "en_GB"}

_HIDDEN = {"de": "verborgen", "en": "hidden"}
_REASONS = {
    "de": {
        "below_k": "weniger als {k} Antworten",
        "below_k_text": "weniger als {k} Antworten",
        "secondary": "damit sich eine kleinere Gruppe nicht durch Differenzbildung erschließen lässt",
        "other_side_hidden": "eine der verglichenen Gruppen ist verborgen",
        "wave_open": "die Befragungsrunde läuft noch: Ergebnisse erscheinen nach ihrem Ende",
        "few_changed": (
            "weniger als {k} Antwortende mehr oder weniger als in der zuletzt gezeigten Runde: "
            "der Unterschied könnte Einzelne erkennbar machen"
        ),
    },
    "en": {
        "below_k": "fewer than {k} respondents",
        "below_k_text": "fewer than {k} respondents",
        "secondary": "so that a smaller group cannot be worked out by difference",
        "other_side_hidden": "one of the compared groups is hidden",
        "wave_open": "the wave is still open: its results are shown once it has closed",
        "few_changed": (
            "fewer than {k} respondents more or fewer than in the last wave shown: "
            "the difference could single them out"
        ),
    },
}


def locale(language: str) -> str:
    """The babel locale of a report language; anything unknown falls back to German."""
    return LOCALES.get(language, LOCALES["de"])


def number(x: float, language: str, digits: int = 1) -> str:
    """`61,4` / `61.4` (thousands grouped: `1.234,5` / `1,234.5`)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    # Round half up, as the charts' labels do (vega's d3-format), so "64,25" reads "64,3" in
    # both; babel alone would round half to even.
    rounded = Decimal(str(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format=pattern, locale=locale(language))


def integer(n: int, language: str) -> str:
    """`1.234` / `1,234`."""
    return format_decimal(n, format="#,##0", locale=locale(language))


def percent(x: float, language: str, digits: int = 1) -> str:
    """A share 0–1 as percent: `53,8 %` / `53.8%`."""
    # the locale's own pattern keeps its spacing (German `53,8 %` with a no-break space)
    pattern = Locale.parse(locale(language)).percent_formats[None].pattern
    if digits > 0:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent(x, format=pattern, locale=locale(language))


def month(date: dt.date, language: str) -> str:
    """`Juli 2026` / `July 2026`."""
    return format_date(date, format="MMMM yyyy", locale=locale(language))


def month_short(date: dt.date, language: str) -> str:
    """`Okt. 2024` / `Oct 2024`: for axis labels, where the full month does not fit."""
    return format_date(date, format="MMM yyyy", locale=locale(language))


def day(date: dt.date, language: str) -> str:
    """`15.10.2024` / `15 Oct 2024`."""
    return format_date(date, format="medium", locale=locale(language))


def interval(low: float | None, high: float | None, language: str) -> str:
    """`58,3–64,6`, or empty where the interval is unknown."""
    if low is None or high is None:
        return ""
    return f"{number(low, language)}–{number(high, language)}"


def score_text(score: Score, language: str) -> str:
    """`61,4 (58,3–64,6)`: the mean with its 95 % interval where known."""
    bounds = interval(score.low, score.high, language)
    return f"{number(score.mean, language)} ({bounds})" if bounds else number(score.mean, language)


def hidden_text(h: HiddenFigure, language: str) -> str:
    """`verborgen (weniger als 5 Antworten)`: the word first, then why, in the report's language.

    The explanation arrives in English from the anonymity rules; known reasons are written anew in
    the report language (the threshold taken from the explanation), unknown ones passed through.
    """
    word = _HIDDEN.get(language, _HIDDEN["de"])
    reasons = _REASONS.get(language, _REASONS["de"])
    template = reasons.get(h.reason)
    if template is None:
        why = h.explanation or h.reason
    else:
        k = re.search(r"\d+", h.explanation or "")
        why = template.format(k=k.group(0) if k else "k")
    return f"{word} ({why})" if why else word
