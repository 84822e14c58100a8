"""Printable outputs: invitation letters for staff, QR posters for service points, PDF.

The wording lives in jinja templates under the top-level `reports/` folder, one block per
language, so a Kommune can adapt a letter without touching Python. This module only prepares
the data (links, QR codes, dates formatted by babel) and renders; it never reads the database,
so a letter batch can be printed from codes that exist nowhere but in memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from html import escape
from pathlib import Path
from urllib.parse import quote

import segno
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

import survey

__all__ = [
    "LANGUAGES",
    "html_to_pdf",
    "invitation_letters_html",
    "poster_html",
    "qr_png",
    "qr_svg",
]

#: language of the printed text → babel locale for its dates. English dates follow British usage,
#: the nearest to what German readers expect ("21 December 2026", not "December 21, 2026").
LANGUAGES: dict[str, str] = {"de": "de_DE", "en": "en_GB"}

LETTERS_TEMPLATE = "invitation-letters.html"
POSTER_TEMPLATE = "service-point-poster.html"


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by the surrounding CSS.

    Only a viewBox, no width or height, so one code serves a letter's 45 mm box and a poster's 12 cm
    without blurring. Screen readers get the URL through `role="img"`, `aria-label` and `<title>`,
    because a QR code is otherwise meaningless to anyone who cannot see it.
    """
    label = f"QR-Code: {url}"
    buffer = io.BytesIO()
    # The namespace stays (unlike segno's svg_inline) so that the same string also works as an
    # .svg file of its own.
    _qr(url).save(
        buffer,
        kind="svg",
        xmldecl=False,
        nl=False,
        omitsize=True,
        svgclass="qr-code",
        lineclass="qr-modules",
        title=label,
        # An explicit white ground keeps the quiet zone scannable on a dark or tinted page.
        light="#fff",
    )
    svg = buffer.getvalue().decode()
    # segno writes no accessibility attributes; its <svg> opens the string.
    attributes = f'<svg role="img" aria-label="{escape(label)}" shape-rendering="crispEdges" '
    return attributes + svg.removeprefix("<svg ")


def qr_png(url: str, scale: int = 10) -> bytes:
    """A PNG of the QR code for places that cannot take SVG (office software, print shops).

    `scale` is pixels per module; 10 gives 290–490 pixels for typical survey links, enough for a
    screen or a letter. For a poster, pass a larger scale rather than letting software enlarge it.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1 pixel per module, not {scale}")
    buffer = io.BytesIO()
    _qr(url).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()


def invitation_letters_html(
    *,
    kommune: str,
    wave_title: str,
    unit_name: str,
    closes_on: dt.date,
    entry_url: str,
    codes: list[str],
    language: str = "de",
) -> str:
    """One HTML document with one A4 letter per invitation code, ready for `html_to_pdf`.

    The letters carry no name: a code handed to a known person must not be recorded anywhere,
    so the unit distributes them at random. Each letter offers three ways in (QR code, personal
    link, code typed in at `entry_url`) because not everyone has a smartphone at work.
    """
    locale = _locale(language)
    if not codes:
        raise ValueError("no invitation codes: an empty letter batch is always a mistake")
    base = entry_url.rstrip("/")
    letters = []
    for code in codes:
        link = f"{base}/{quote(code, safe='')}"
        letters.append({"code": code, "link": link, "qr": Markup(qr_svg(link))})
    return _render(
        LETTERS_TEMPLATE,
        language=language,
        kommune=kommune,
        wave_title=wave_title,
        unit_name=unit_name,
        closes_on=format_date(closes_on, format="long", locale=locale),
        entry_url=base,
        letters=letters,
    )


def poster_html(*, kommune: str, service_point_name: str, url: str, language: str = "de") -> str:
    """One A4 poster for the counter of a service point, inviting citizens to rate their visit.

    The QR code is the way in; the URL is printed as well for people whose phone cannot scan.
    """
    _locale(language)
    return _render(
        POSTER_TEMPLATE,
        language=language,
        kommune=kommune,
        service_point_name=service_point_name,
        url=url,
        qr=Markup(qr_svg(url)),
    )


def html_to_pdf(html: str) -> bytes:
    """A PDF of a self-contained HTML document (letters, posters), rendered by WeasyPrint.

    Resources are restricted to `data:` URLs: a print run must not reach the network (the server
    may sit on an intranet, and a slow host would stall a batch of hundreds of letters), so a logo
    added to a template has to be embedded as a data URL.
    """
    # Imported here: WeasyPrint loads pango and fonts on import, which HTML-only callers never need.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def reports_dir() -> Path:
    """Where the report templates are: `SURVEY_REPORTS`, else `./reports`, else beside the package.

    The working directory comes before the package so that a Kommune's checkout (or a deployment
    that runs from its data folder) wins over the templates shipped with the code.
    """
    configured = os.environ.get("SURVEY_REPORTS")
    if configured:
        return Path(configured)
    here = Path.cwd() / "reports"
    if here.is_dir():
        return here
    return Path(survey.__file__).resolve().parent.parent / "reports"


def _qr(url: str) -> segno.QRCode:
    # micro=False: Micro QR codes are not read by most phone cameras. Error correction is at least
    # M; segno raises it where that costs no extra size, which helps with scuffed posters.
    return segno.make(url, error="m", micro=False)


def _locale(language: str) -> str:
    try:
        return LANGUAGES[language]
    except KeyError:
        supported = ", ".join(sorted(LANGUAGES))
        raise ValueError(f"no printed texts for language {language!r}; supported: {supported}") from None


@functools.lru_cache(maxsize=4)
def _environment(directory: str) -> Environment:
    # Autoescape everywhere: a Kommune or unit name may contain "&" or "<". StrictUndefined turns a
    # misspelt variable in an edited template into an error instead of a silently empty letter.
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, **context: object) -> str:
    return _environment(str(reports_dir())).get_template(template).render(**context)
