"""Printable outputs: QR codes, invitation letters, service-point posters and their PDFs.

No database: the printing module is pure. The QR code in an SVG is checked by reading its path
back into a module matrix and comparing it with the symbol segno makes for the same URL, which
proves the picture encodes exactly that URL without needing a QR decoder.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import socket
import struct
import zlib
from base64 import b64encode
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno

from survey.report import printing
from survey.report.printing import html_to_pdf, invitation_letters_html, poster_html, qr_png, qr_svg

ENTRY_URL = "https://umfrage.lindenau.de/i"
POSTER_URL = "https://umfrage.lindenau.de/s/buergerbuero-mitte"
CODES = ["K7QM-2XHD-9RTC", "A1B2-C3D4-E5F6", "ZZZZ-YYYY-XXX0"]
TRICKY_KOMMUNE = "Stadt <Lindenau> & Umland"
OFFERED = {
    "de": "Deutsch",
    "de-x-ls": "Leichte Sprache",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
}


# --- helpers -------------------------------------------------------------------------------------


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()


class Elements(HTMLParser):
    """Every element of a document with its attributes and text: enough to check structure."""

    VOID = frozenset({"meta", "br", "img", "hr", "link", "input", "source", "wbr"})

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.all: list[Element] = []
        self._open: list[Element] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.all.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.all.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def with_class(self, name: str) -> list[Element]:
        return [element for element in self.all if name in element.classes]


def svg_modules(svg: str) -> list[list[bool]]:
    """The dark modules drawn by a segno SVG path (absolute M, relative m, horizontal h runs)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'class="qr-modules"[^>]* d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                grid[int(y)][column] = True
            x += float(first)
    return grid


def segno_modules(url: str, border: int = 4) -> list[list[bool]]:
    qr = segno.make(url, error="m", micro=False)
    return [[bool(module) for module in row] for row in qr.matrix_iter(border=border)]


def inflated(pdf: bytes) -> bytes:
    """A PDF with its deflated streams (page objects, content, object streams) appended in clear."""
    parts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue  # streams that are not deflated
    return b"\n".join(parts)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", inflated(pdf)))


def letters(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "kommune": TRICKY_KOMMUNE,
        "wave_title": "Mitarbeitendenpuls Herbst 2026",
        "unit_name": "Fachbereich 3 – Bürgerdienste & Ordnung",
        "closes_on": dt.date(2026, 12, 21),
        "entry_url": ENTRY_URL,
        "codes": CODES,
    }
    arguments.update(overrides)
    return invitation_letters_html(**arguments)  # type: ignore[arg-type]


def poster(**overrides: str) -> str:
    arguments = {"kommune": TRICKY_KOMMUNE, "service_point_name": "Bürgerbüro Mitte", "url": POSTER_URL}
    arguments.update(overrides)
    return poster_html(**arguments)


needs_weasyprint = pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None,
    reason="weasyprint is not installed (pyproject dependency weasyprint>=68)",
)


# --- QR codes ------------------------------------------------------------------------------------


def test_qr_svg_is_inline_scalable_and_labelled() -> None:
    svg = qr_svg(POSTER_URL)
    opening = svg[: svg.index(">") + 1]

    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', opening)
    assert not re.search(r"\s(width|height)=", opening), "size comes from CSS, not from the SVG"
    assert 'role="img"' in opening
    assert f'aria-label="QR-Code: {POSTER_URL}"' in opening
    assert f"<title>QR-Code: {POSTER_URL}</title>" in svg
    assert "<path" in svg


def test_qr_svg_draws_exactly_the_symbol_for_the_url() -> None:
    url = f"{ENTRY_URL}/{CODES[0]}"
    qr = segno.make(url, error="m", micro=False)

    assert svg_modules(qr_svg(url)) == segno_modules(url)
    # A sane symbol: a regular QR code (phones do not read Micro QR), small, at least level M.
    assert not qr.is_micro
    assert isinstance(qr.version, int) and 1 <= qr.version <= 6
    assert qr.error in {"M", "Q", "H"}
    assert qr.designator == f"{qr.version}-{qr.error}"


def test_qr_svg_escapes_the_url_in_its_label() -> None:
    svg = qr_svg("https://umfrage.lindenau.de/s/x?a=1&b=<2>")

    assert 'aria-label="QR-Code: https://umfrage.lindenau.de/s/x?a=1&amp;b=&lt;2&gt;"' in svg
    assert "&b=<2>" not in svg


def test_qr_png_is_a_png_of_the_symbol_at_the_given_scale() -> None:
    qr = segno.make(POSTER_URL, error="m", micro=False)
    side = qr.symbol_size(scale=1)[0]

    for scale in (1, 10):
        png = qr_png(POSTER_URL, scale=scale)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", png[16:24])
        assert width == height == side * scale

    with pytest.raises(ValueError, match="at least 1"):
        qr_png(POSTER_URL, scale=0)


# --- invitation letters --------------------------------------------------------------------------


def test_one_letter_per_code_with_code_link_and_qr() -> None:
    document = letters()
    found = Elements(document)
    pages = [element for element in found.all if element.classes == ["letter"]]

    assert len(pages) == len(CODES)
    for page, code in zip(pages, CODES, strict=True):
        link = f"{ENTRY_URL}/{code}"
        assert code in page.text and link in page.text
        assert f'aria-label="QR-Code: {link}"' in document
    assert [element.text for element in found.with_class("code")] == CODES
    assert document.count("<svg ") == len(CODES)


def test_letters_say_what_makes_the_survey_trustworthy() -> None:
    document = letters()
    text = " ".join(Elements(document).all[0].text.split())

    assert '<html lang="de">' in document
    assert "21. Dezember 2026" in text
    assert "anonym" in text
    assert "gelöscht" in text, "the code is deleted when used"
    assert "Personalrat hat der Befragung zugestimmt" in text
    assert "gilt nur einmal" in text
    assert f"Oder rufen Sie {ENTRY_URL} auf" in text


def test_letters_escape_names() -> None:
    document = letters()

    assert "Stadt &lt;Lindenau&gt; &amp; Umland" in document
    assert "Bürgerdienste &amp; Ordnung" in document
    assert "<Lindenau>" not in document


def test_letters_in_english() -> None:
    document = letters(language="en")
    text = " ".join(Elements(document).all[0].text.split())

    assert '<html lang="en">' in document
    assert "21 December 2026" in text
    assert "Your answers stay anonymous" in text
    assert "staff council (Personalrat) has approved" in text
    assert "The code works only once" in text
    assert "Liebe Kollegin" not in text


def test_a_trailing_slash_on_the_entry_url_makes_no_double_slash() -> None:
    document = letters(entry_url=ENTRY_URL + "/", codes=[CODES[0]])

    assert f"{ENTRY_URL}/{CODES[0]}" in document
    assert f"{ENTRY_URL}//" not in document
    assert [element.text for element in Elements(document).with_class("url")] == [ENTRY_URL]


def test_letters_refuse_an_empty_batch_and_unknown_languages() -> None:
    with pytest.raises(ValueError, match="no invitation codes"):
        letters(codes=[])
    with pytest.raises(ValueError, match=r"'fr'.*supported: de, en"):
        letters(language="fr")


# --- posters -------------------------------------------------------------------------------------


def test_poster_has_heading_qr_url_and_kommune() -> None:
    document = poster()
    found = Elements(document)
    text = " ".join(found.all[0].text.split())

    assert [element.text for element in found.all if element.tag == "h1"] == ["Wie war Ihr Besuch heute?"]
    assert f'aria-label="QR-Code: {POSTER_URL}"' in document
    assert POSTER_URL in [element.text for element in found.with_class("url")]
    assert "anonym · 2 Minuten · in 7 Sprachen" in text
    assert "Bürgerbüro Mitte" in text
    assert "Stadt &lt;Lindenau&gt; &amp; Umland" in document and "<Lindenau>" not in document


def test_poster_names_each_language_in_itself_with_its_tag() -> None:
    found = Elements(poster())
    items = [element for element in found.all if element.tag == "li"]

    assert {element.attrs["lang"]: element.text for element in items} == OFFERED
    assert {element.attrs["lang"]: element.attrs.get("dir") for element in items} == {
        tag: "rtl" if tag == "ar" else None for tag in OFFERED
    }


def test_poster_in_english() -> None:
    document = poster(language="en")
    text = " ".join(Elements(document).all[0].text.split())

    assert '<html lang="en">' in document
    assert "How was your visit today?" in text
    assert "anonymous · 2 minutes · in 7 languages" in text
    assert "Wie war" not in text


@pytest.mark.parametrize("document", [letters, poster], ids=["letters", "poster"])
def test_documents_are_self_contained(document) -> None:  # type: ignore[no-untyped-def]
    html = document()

    assert "<script" not in html
    assert not re.search(r"\s(src|href)=", html)
    assert "url(" not in html and "@import" not in html


# --- where the templates come from ---------------------------------------------------------------


def test_templates_come_from_survey_reports_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "service-point-poster.html").write_text(
        "<p>{{ kommune }} bittet um Ihre Meinung: {{ url }}</p>", encoding="utf-8"
    )
    monkeypatch.setenv("SURVEY_REPORTS", str(tmp_path))

    assert printing.reports_dir() == tmp_path
    assert poster() == f"<p>Stadt &lt;Lindenau&gt; &amp; Umland bittet um Ihre Meinung: {POSTER_URL}</p>"


def test_templates_come_from_the_working_directory_then_beside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SURVEY_REPORTS", raising=False)
    shipped = Path(printing.__file__).resolve().parents[2] / "reports"

    monkeypatch.chdir(tmp_path)
    assert printing.reports_dir() == shipped
    assert "Wie war Ihr Besuch heute?" in poster()

    (tmp_path / "reports").mkdir()
    assert printing.reports_dir() == tmp_path / "reports"


# --- PDF -----------------------------------------------------------------------------------------


@needs_weasyprint
def test_letters_pdf_has_one_page_per_code() -> None:
    long_names = letters(
        kommune="Verbandsgemeindeverwaltung Lindenau-Oberweiler im Landkreis Musterstadt",
        unit_name="Fachbereich 3 – Bürgerdienste, Ordnung, Standesamt und Friedhofsverwaltung",
    )
    pdf = html_to_pdf(long_names)

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == len(CODES)


@needs_weasyprint
@pytest.mark.parametrize("language", ["de", "en"])
def test_poster_pdf_is_one_page(language: str) -> None:
    document = poster(
        kommune="Verbandsgemeindeverwaltung Lindenau-Oberweiler im Landkreis Musterstadt",
        service_point_name="Jobcenter Lindenau – Team Leistung U25, Geschäftsstelle Nord, Eingang B",
        url="https://umfrage.verbandsgemeinde-lindenau-oberweiler.de/s/jobcenter-team-leistung-u25-nord",
        language=language,
    )
    pdf = html_to_pdf(document)

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1


@needs_weasyprint
def test_pdf_embeds_data_urls_and_fetches_nothing_from_the_network() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    logo = b64encode(qr_png(POSTER_URL, scale=2)).decode()
    document = (
        "<!DOCTYPE html><html><body>"
        f'<img src="data:image/png;base64,{logo}" alt="">'
        f'<img src="http://127.0.0.1:{port}/logo.png" alt="">'
        "</body></html>"
    )
    try:
        pdf = html_to_pdf(document)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked
    finally:
        listener.close()

    assert page_count(pdf) == 1
    assert re.search(rb"/Subtype\s*/Image", inflated(pdf))


@needs_weasyprint
def test_a_batch_of_60_letters_renders() -> None:
    codes = [f"K7QM-2XHD-{number:04d}" for number in range(60)]
    pdf = html_to_pdf(letters(codes=codes))

    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 60
