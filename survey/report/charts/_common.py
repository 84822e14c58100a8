"""What every chart shares: the Chart record, the chart texts, the look, and SVG rendering."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Protocol

import altair as alt
import msgspec
import vl_convert as vlc

from survey.domain.figures import (
    HiddenFigure,
    Score,
)
from survey.report.format import hidden_text, score_text
from survey.report.i18n import LANGUAGES, translations

__all__ = [
    "Chart",
    "ChartKeep",
    "chart_texts",
    "format_locale",
    "keep_charts_in",
    "layered",
    "lookup_expr",
    "render_svg",
    "render_svg_of",
    "score_cell",
    "wrap",
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


def chart_texts(language: str) -> Callable[[str, str], str]:
    """`pgettext` of the chart texts: English msgids in the context "chart", German from the
    reports' catalog; a language without report texts gets German."""
    return translations(language if language in LANGUAGES else "de").pgettext


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
def format_locale(language: str) -> dict[str, Any]:
    name = _VEGA_LOCALES.get(language, "de-DE")
    loc = dict(vlc.get_format_locale(name))
    # as babel writes it in the tables: German "53,8 %" with a no-break space, English "53.8%"
    loc["percent"] = "\u00a0%" if language == "de" else "%"
    loc["minus"] = "-"
    return loc


_SVG_HEAD = re.compile(r"<svg\b[^>]*>")
_EXTERNAL = re.compile(r"""(?:href|src)\s*=\s*["'](?!#)|<image\b|url\(\s*["']?(?!#)""", re.IGNORECASE)


class ChartKeep(Protocol):
    """Where drawn charts are kept by the hash of what they are drawn from (the services keep them
    in the database, for every worker and host: survey.services.chart_keep)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, svg: str) -> None: ...


_keep: list[ChartKeep] = []
#: what an SVG depends on besides its spec, title and language: vl-convert and this file's code
_RENDERER = hashlib.sha256(vlc.__version__.encode() + Path(__file__).read_bytes()).hexdigest()
_SURVEY = Path(__file__).resolve().parents[2]
#: what a spec is built from besides its inputs: the reports' code and texts, the figures' types,
#: altair and vl-convert
_BUILDER = hashlib.sha256(
    b"".join(
        [
            alt.__version__.encode(),
            vlc.__version__.encode(),
            *(path.read_bytes() for path in sorted((_SURVEY / "report").rglob("*.py"))),
            *(path.read_bytes() for path in sorted((_SURVEY / "report").rglob("*.po"))),
            (_SURVEY / "domain" / "figures.py").read_bytes(),
        ]
    )
).hexdigest()


def keep_charts_in(keep: ChartKeep | None) -> None:
    """Keep drawn charts there from now on (None: draw every chart)."""
    _keep[:] = [keep] if keep is not None else []


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    # validated in the tests; skipping it here saves a third of the time per chart
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    return spec


def _kept(key_text: str, draw: Callable[[], str]) -> str:
    keep = _keep[0] if _keep else None
    if keep is None:
        return draw()
    key = hashlib.sha256(key_text.encode()).hexdigest()
    svg = keep.get(key)
    if svg is None:
        svg = draw()
        keep.put(key, svg)
    return svg


def render_svg(chart: alt.TopLevelMixin, title: str, language: str) -> str:
    """The inline SVG of a chart: no XML declaration, labelled, scalable, nothing external. Drawn
    once per spec: a chart of the same spec, title and language comes from the keep."""
    spec = _spec(chart)
    drawn_from = json.dumps([spec, title, language, _RENDERER], sort_keys=True, default=str)
    return _kept(drawn_from, lambda: _drawn(spec, title, language))


def render_svg_of(
    spec_of: Callable[..., alt.TopLevelMixin], inputs: tuple[Any, ...], title: str, language: str
) -> str:
    """`render_svg(spec_of(*inputs), title, language)`, kept by what the spec is built from: a
    chart in the keep costs neither drawing nor building its spec (altair's share of a page).
    `inputs` are figures, texts, numbers and dates (msgspec encodes them; anything else is a
    mistake and raises)."""
    drawn_from = msgspec.json.encode(
        [spec_of.__module__, spec_of.__qualname__, inputs, title, language, _BUILDER, _RENDERER]
    )
    return _kept(drawn_from.decode(), lambda: _drawn(_spec(spec_of(*inputs)), title, language))


def _drawn(spec: dict[str, Any], title: str, language: str) -> str:
    svg = vlc.vegalite_to_svg(
        spec,
        format_locale=format_locale(language),
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


def layered(layers: list[alt.Chart], width: int, height: int | dict[str, int]) -> alt.LayerChart:
    return (
        alt.layer(*layers)
        .properties(width=width, height=height, background="white", padding=8)
        .configure(**CONFIG)
    )


def lookup_expr(labels: dict[str, str | list[str]]) -> str:
    """A vega expression mapping an axis value to its (possibly multi-line) label."""
    return f"{json.dumps(labels, ensure_ascii=False)}[datum.value]"


def wrap(text: str, width: int, lines: int = 3) -> list[str]:
    wrapped = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False) or [""]
    if len(wrapped) > lines:
        wrapped = [
            *wrapped[: lines - 1],
            textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …"),
        ]
    return wrapped


def score_cell(score: Score | HiddenFigure | None, language: str, *, asked: bool = True) -> str:
    pgettext = chart_texts(language)
    if not asked:
        return pgettext("chart", "not asked")
    if isinstance(score, Score):
        return score_text(score, language)
    if isinstance(score, HiddenFigure):
        return hidden_text(score, language)
    return pgettext("chart", "no data")
