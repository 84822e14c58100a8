"""The department trend report and the organisation overview: one offline HTML file each, and its PDF.

No database: the figures are built by hand, small but with every case a report must handle (a hidden
value, a hidden sub-unit, a version break, significant and non-significant changes). The charts are
replaced by a tiny fake with the same interface, so these tests check the report around the charts,
not the charts themselves; one test runs the real charts once they exist.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
from html.parser import HTMLParser
from typing import Any

import msgspec
import pytest

from survey.domain.comments import CommentSummary, MergedText, ThemeComments, ValueComments
from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    Change,
    ChildScores,
    HiddenFigure,
    ItemFigures,
    OrganisationOverview,
    OverviewRow,
    Reliability,
    Score,
    Trend,
    UnitFigures,
    ValueFigures,
    WavePoint,
    WaveReliability,
    WaveSummary,
)
from survey.report import charts, i18n
from survey.report.render import department_html, overview_html, to_pdf

KOMMUNE = "Stadt Lindenau"
TODAY = dt.date(2026, 11, 21)
BELOW_K = HiddenFigure(True, "below_k", "fewer than 5 respondents")
SECONDARY = HiddenFigure(
    True, "secondary", "hidden so that a smaller group cannot be worked out by difference"
)
OTHER_SIDE = HiddenFigure(True, "other_side_hidden", "one of the compared groups is hidden")
COMMENTS_HIDDEN = HiddenFigure(True, "below_k", "comments are shown from 10 respondents on")
CHART_FUNCTIONS = [
    "value_trend",
    "heatmap",
    "item_distribution",
    "self_external",
    "response_rates",
    "organisation_heatmap",
]


# --- figures --------------------------------------------------------------------------------------


def _waves() -> list[WaveSummary]:
    return [
        WaveSummary("w1", "Puls Herbst 2025", dt.date(2025, 10, 15), dt.date(2025, 11, 4), 1, 40, 80, 0.5),
        WaveSummary("w2", "Puls Frühjahr 2026", dt.date(2026, 4, 15), dt.date(2026, 5, 5), 2, 46, 80, 0.575),
        WaveSummary("w3", "Puls Herbst 2026", dt.date(2026, 7, 15), dt.date(2026, 8, 4), 2, 49, 80, 0.6125),
    ]


def _series(means: list[float | None]) -> list[WavePoint]:
    waves = _waves()
    return [
        WavePoint(
            w.wave,
            w.title,
            w.opens_on,
            w.version,
            Score(40, mean, mean - 3, mean + 3) if mean is not None else BELOW_K,
            break_before=i == 1,
        )
        for i, (w, mean) in enumerate(zip(waves, means, strict=True))
    ]


def _value(
    key: str, name: str, means: list[float | None], change: Change | HiddenFigure | None
) -> ValueFigures:
    latest = means[-1]
    return ValueFigures(
        value=key,
        name=name,
        series=_series(means),
        latest=Score(49, latest, latest - 2.9, latest + 2.9) if latest is not None else BELOW_K,
        change=change,
        trend=Trend(3, "not_enough_waves"),
        parent=Score(300, 58.25, 56.5, 60.0),
        organisation=Score(960, 57.5, 56.6, 58.4),
        self_on_shared=Score(45, 66.0, 61.0, 71.0) if latest is not None else BELOW_K,
        external=Score(120, 70.5, 67.0, 74.0) if latest is not None else None,
        shared_items=["anlaufstelle"],
        reliability=Reliability(3, 0.84, 0.8, 0.87, 0.83) if latest is not None else BELOW_K,
        reliability_by_wave=[
            WaveReliability("w1", Reliability(3, 0.8, 0.75, 0.85, 0.79)),
            WaveReliability("w2", Reliability(3, 0.82, 0.77, 0.86, 0.81)),
            WaveReliability("w3", Reliability(3, 0.84, 0.8, 0.87, 0.83) if latest is not None else BELOW_K),
        ],
    )


def welch(difference: float, p: float, p_adjusted: float, significant: bool, effect: float) -> Change:
    return Change("Welch", difference, p, p_adjusted, significant, effect, "Cohen's d")


def unit_figures() -> UnitFigures:
    values = [
        _value("gemeinsam", "Gemeinsam für Lindenau", [60.2, 59.8, 61.4], welch(1.6, 0.4, 0.61, False, 0.07)),
        _value("vertrauen", "Vertrauen", [52.0, 49.5, 44.75], welch(-4.75, 0.001, 0.012, True, -0.31)),
        _value("transparenz", "Offen und klar", [70.1, 71.3, 72.85], welch(1.55, 0.3, 0.55, False, 0.06)),
        _value("kunden", "Bürger im Mittelpunkt", [66.0, 67.2, 68.3], welch(1.1, 0.5, 0.7, False, 0.04)),
        _value("unbuerokratisch", "Unbürokratisch", [38.0, 37.1, 36.2], welch(-0.9, 0.6, 0.8, False, -0.03)),
        _value("nachhaltig", "Nachhaltig wirken", [55.0, 54.1, 53.3], welch(-0.8, 0.7, 0.8, False, -0.03)),
        _value("fehlerkultur", "Aus Fehlern lernen", [48.0, None, None], OTHER_SIDE),
    ]  # fmt: skip
    items = [
        ItemFigures(
            "anlaufstelle",
            "Niemand wird zwischen Stellen hin- und hergeschickt.",
            ["gemeinsam"],
            Score(48, 68.4, 65.8, 71.0),
            0.604,
            0.559,
            0.649,
            {"1": 2, "2": 5, "3": 12, "4": 14, "5": 15},
            Change("Brunner–Munzel", 0.12, 0.002, 0.02, True, 0.24, "Cliff's δ"),
        ),
        ItemFigures(
            "fehler-offen",
            "Fehler können offen angesprochen werden.",
            ["fehlerkultur"],
            BELOW_K,
            None,
            None,
            None,
            BELOW_K,
            OTHER_SIDE,
        ),
    ]
    names = [v.value for v in values]
    return UnitFigures(
        unit="jugendamt",
        name="Fachbereich Jugend & Familie",
        kind="Fachbereich",
        parent="kjfs",
        questionnaire="staff-pulse",
        waves=_waves(),
        values=values,
        items=items,
        children=[{"unit": "kita", "name": "Abteilung Kitas", "respondents": 31}],
        k=5,
        k_text=10,
        tests=17,
        child_scores=[
            ChildScores("kita", "Abteilung Kitas", {n: Score(31, 64.25, 60.0, 68.5) for n in names}),
            ChildScores("asd", "Allgemeiner Sozialdienst", {n: SECONDARY for n in names}),
            ChildScores("pflege", "Pflegekinderdienst", {n: BELOW_K for n in names}),
        ],
    )


def overview() -> OrganisationOverview:
    values = {"gemeinsam": "Gemeinsam für Lindenau", "vertrauen": "Vertrauen schenken"}

    def row(
        unit: str, name: str, kind: str, depth: int, n: int | HiddenFigure, rate: float | HiddenFigure
    ) -> OverviewRow:
        hidden = isinstance(n, HiddenFigure)
        return OverviewRow(
            unit, name, kind, depth, n, 80, rate,
            {v: BELOW_K if hidden else Score(60, 61.4 + depth, 58.0, 64.8) for v in values},
            {
                "gemeinsam": BELOW_K if hidden else welch(2.35, 0.01, 0.03, True, 0.2),
                "vertrauen": BELOW_K if hidden else welch(-0.5, 0.7, 0.9, False, -0.02),
            },
        )  # fmt: skip

    return OrganisationOverview(
        questionnaire="staff-pulse",
        wave="w3",
        wave_title="Puls Herbst 2026",
        previous_wave="w2",
        values=values,
        rows=[
            row("verwaltung", "Stadtverwaltung Lindenau", "Verwaltung", 0, 960, 0.549),
            row("kjfs", "Dezernat III – Soziales", "Dezernat", 1, 300, 0.6),
            row("jugendamt", "Fachbereich Jugend", "Fachbereich", 2, 49, 0.6125),
            row("archiv", "Fachbereich Archiv", "Fachbereich", 2, BELOW_K, BELOW_K),
        ],
        k=5,
        tests=8,
    )


# --- fake charts ------------------------------------------------------------------------------------


def _fake(name: str) -> Any:
    def chart(*args: Any, **options: Any) -> charts.Chart:
        language = args[-1]
        title = {"de": "Grafik", "en": "Chart"}[language] + f" {name}"
        # xmlns and an id on purpose: the report must drop the one and keep the other unique
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{title}" viewBox="0 0 200 40" '
            'width="200" height="40"><defs><clipPath id="clip1"><rect width="200" height="40"/></clipPath>'
            '</defs><g clip-path="url(#clip1)"><rect x="0" y="5" width="120" height="30" fill="#0b4f8a"/>'
            "</g></svg>"
        )
        score, hidden = {"de": ("61,4", "verborgen"), "en": ("61.4", "hidden")}[language]
        return charts.Chart(
            svg, title, f"Summary of {name}.", ["Wave", "Score"], [["w1", score], ["w2", hidden]]
        )

    return chart


@pytest.fixture(autouse=True)
def fake_charts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.name.startswith("test_reports_with_the_real_charts"):
        return
    for name in CHART_FUNCTIONS:
        monkeypatch.setattr(charts, name, _fake(name))


def summary_of(texts: list[str]) -> CommentSummary:
    """Comments without a codebook: all of them "without theme"."""
    return CommentSummary("w", len(texts), False, [], [MergedText(t, 1) for t in texts], len(texts), [], [])


def department(language: str = "de", comments: list[str] | HiddenFigure | None = None, **changes: Any) -> str:
    figures = msgspec.structs.replace(unit_figures(), **changes) if changes else unit_figures()
    shown = summary_of(comments) if isinstance(comments, list) else comments
    return department_html(figures, kommune=KOMMUNE, comments=shown, language=language, generated_on=TODAY)


# --- parsing helpers ----------------------------------------------------------------------------------


class Outline(HTMLParser):
    """Headings, figures (with their figcaption and table), tables and the embedded JSON of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.figures: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.svgs: list[dict[str, str | None]] = []
        self.json_text = ""
        self._stack: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "figure":
            self.figures.append({"figcaption": "", "tables": 0, "svg": 0})
        if tag == "table":
            self.tables.append({"caption": "", "th": 0, "th_scoped": 0})
            if "figure" in self._stack:
                self.figures[-1]["tables"] += 1
        if tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            self.tables[-1]["th_scoped"] += a.get("scope") in ("col", "row")
        if tag == "svg":
            self.svgs.append(a)
            if "figure" in self._stack:
                self.figures[-1]["svg"] += 1
        if tag == "script":
            self.scripts.append(a)
            self._in_script = True
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.json_text += data
        if "figcaption" in self._stack:
            self.figures[-1]["figcaption"] += data
        if "caption" in self._stack and self.tables:
            self.tables[-1]["caption"] += data


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def visible_text(page: str) -> str:
    """The text a reader sees: no style, no embedded JSON, no tags."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"</?(span|strong|a|em|b)\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- self-contained -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_reports_are_one_file_that_loads_nothing(language: str) -> None:
    for page in (
        department(language, ["Gut so."]),
        overview_html(overview(), kommune=KOMMUNE, language=language, generated_on=TODAY),
    ):
        for forbidden in (
            "http://",
            "https://",
            "<link",
            "<img",
            "url(http",
            "@import",
            "<iframe",
            "<object",
        ):
            assert forbidden not in page.lower(), forbidden
        parsed = outline(page)
        assert parsed.scripts == [{"type": "application/json", "id": "report-data"}], (
            "no JavaScript, only data"
        )
        assert "<style>" in page and "@bottom-right" in page, "the stylesheet is inlined, with print rules"


def test_a_chart_that_refers_to_the_network_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def leaky(*args: Any) -> charts.Chart:
        svg = '<svg role="img" aria-label="x"><image href="https://cdn.example.org/logo.png"/></svg>'
        return charts.Chart(svg, "x", "x", ["a"], [["b"]])

    monkeypatch.setattr(charts, "response_rates", leaky)
    with pytest.raises(ValueError, match="offline"):
        department()


def test_svg_ids_stay_unique_across_charts() -> None:
    page = department()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r"url\(#([^)]+)\)", page):
        assert f'id="{reference}"' in page


# --- language ---------------------------------------------------------------------------------------------


def test_german_report_writes_decimal_commas_and_german_dates() -> None:
    page = department("de")
    text = visible_text(page)
    assert outline(page).lang == "de"
    assert "61,4" in text and "61.4" not in text
    assert "21. November 2026" in text
    assert "15. Juli 2026 bis 4. August 2026" in text
    assert "Stärkste Leitbildwerte" in text and "Strongest values" not in text
    assert "49 Antwortende" in text


def test_english_report_writes_decimal_points_and_english_dates() -> None:
    page = department("en")
    text = visible_text(page)
    assert outline(page).lang == "en"
    assert "61.4" in text and "61,4" not in text
    assert "21 November 2026" in text
    assert "15 July 2026 to 4 August 2026" in text
    assert "Strongest values" in text
    assert "49 respondents" in text


def test_plurals_follow_the_number() -> None:
    one = visible_text(department("en", tests=1))
    assert "correction for 1 test in this report" in one
    many = visible_text(department("en"))
    assert "correction for all 17 tests in this report together" in many
    german = visible_text(department("de", ["Nur einer."]))
    assert "1 Kommentar aus der letzten Befragungsrunde" in german


def test_every_msgid_has_a_german_translation_with_the_same_placeholders() -> None:
    with i18n.catalog_path("de").open("rb") as po:
        from babel.messages.pofile import read_po

        catalog = read_po(po, locale="de")
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.extract() if m.id}
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    assert extracted - set(translated) == set(), "run `python -m survey.report.i18n` and translate"

    def placeholders(text: str) -> list[str]:
        return sorted(re.findall(r"%\([a-z_]+\)[sd]|%%", text))

    for key, message in translated.items():
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"no German for {key!r}"
        for string in strings:
            assert placeholders(string) == placeholders(ids[-1]), key


# --- what the front page and the sections say ------------------------------------------------------------


def test_front_page_names_strongest_and_weakest_values_and_what_is_significant() -> None:
    text = visible_text(department("en"))
    strongest = text.split("Strongest values", 1)[1].split("Weakest values", 1)[0]
    assert [n for n in ("Offen und", "Bürger im", "Gemeinsam") if n in strongest] == [
        "Offen und",
        "Bürger im",
        "Gemeinsam",
    ]
    assert strongest.index("Offen und") < strongest.index("Bürger im") < strongest.index("Gemeinsam")
    weakest = text.split("Weakest values", 1)[1].split("What changed significantly", 1)[0]
    assert weakest.index("Unbürokratisch") < weakest.index("Vertrauen") < weakest.index("Nachhaltig")
    assert (
        "Not ranked, because no score can be shown for the latest wave: Aus Fehlern lernen – hidden" in text
    )
    findings = text.split("What changed significantly", 1)[1].split("Contents", 1)[0]
    assert "Vertrauen: lower than in the previous wave, by 4.8 points (adjusted p = 0.012)." in findings
    assert (
        "Question “Niemand wird zwischen Stellen hin- und hergeschickt.”: answered more favourably"
        in findings
    )
    assert "Gemeinsam" not in findings, "not significant: not a finding"
    assert "Benjamini–Hochberg, 5 % false discovery rate" in findings


def test_value_sections_show_score_change_trend_and_reliability() -> None:
    text = visible_text(department("de"))
    section = text.split("Vertrauen Letzte Runde", 1)[1]
    assert section.startswith(
        " 44,8 (95-%-Intervall 41,9 bis 47,7; 49 Antwortende)"
    )  # 41.85 and 47.65 round half up, as in the charts
    assert "signifikanter Rückgang: −4,8 Punkte; korrigiertes p = 0,012; Cohen's d = −0,31" in section
    assert "noch kein Trend: 3 Runden, ein Trend braucht mindestens 5" in section
    assert "α = 0,84 (95-%-Intervall 0,80 bis 0,87); ω = 0,83; 3 Fragen" in section


def test_significance_is_a_symbol_and_words_not_colour_alone() -> None:
    page = department("en")
    assert re.search(r'<span aria-hidden="true">▼ </span>significant fall', page)
    page = overview_html(overview(), kommune=KOMMUNE, language="en", generated_on=TODAY)
    # the overview says a change in words: "better" only where significant, else "about the same"
    assert re.search(r'<span class="move up"><span aria-hidden="true">↑ </span>better</span>', page)
    assert re.search(r'<span class="move flat"><span aria-hidden="true">→ </span>about the same</span>', page)
    assert "not significant" not in visible_text(page)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", ["Trend: steigend", "Trend: keine klare Richtung", "Trend: zu wenige Runden"]),
        ("en", ["trend: rising", "trend: no clear direction", "trend: too few waves"]),
    ],
)
def test_the_overview_says_each_units_trend_in_words(language: str, words: list[str]) -> None:
    base = overview()
    trends = [
        {"gemeinsam": Trend(6, "rising", 0.6, 0.001, 0.004, 2.5, 1.0, 3.5), "vertrauen": Trend(6, "flat")},
        {"gemeinsam": Trend(3, "not_enough_waves")},
    ]
    rows = [
        msgspec.structs.replace(row, trends=trends[0] if i == 0 else trends[1])
        for i, row in enumerate(base.rows)
    ]
    page = visible_text(
        overview_html(
            msgspec.structs.replace(base, rows=rows), kommune=KOMMUNE, language=language, generated_on=TODAY
        )
    )
    for word in words:
        assert word in page


def test_the_overview_links_units_only_where_given_and_shows_the_citizens_view() -> None:
    base = overview()
    citizens = msgspec.structs.replace(
        base, questionnaire="citizen-contact", wave_title="Bürgerfeedback Herbst 2026", rows=base.rows[1:3]
    )
    links = {"staff-pulse:kjfs": "/dashboard/kjfs?fragebogen=staff-pulse", "citizen-contact:jugendamt": "/j"}
    page = overview_html(
        base, kommune=KOMMUNE, language="en", generated_on=TODAY, citizens=citizens, links=links
    )
    assert page.count('<a href="/dashboard/kjfs?fragebogen=staff-pulse">Dezernat III – Soziales</a>') == 1
    assert page.count('<a href="/j">Fachbereich Jugend</a>') == 1
    assert page.count(">Fachbereich Jugend</a>") == 1  # linked in the citizens' table only
    text = visible_text(page)
    assert "The citizens' view" in text and "Bürgerfeedback Herbst 2026" in text
    assert "Each unit's name leads to its own page" in text
    # the file written by `survey report`: no links, no citizens' section where none is given
    offline = overview_html(base, kommune=KOMMUNE, language="en", generated_on=TODAY)
    assert '<a href="/dashboard' not in offline and 'id="citizens"' not in offline
    assert "Each unit's name leads" not in visible_text(offline)


@pytest.mark.parametrize("language, word", [("de", "verborgen"), ("en", "hidden")])
def test_hidden_figures_are_shown_as_hidden_with_their_reason_and_never_as_a_number(
    language: str, word: str
) -> None:
    text = visible_text(department(language))
    reason = {"de": "weniger als 5 Antworten", "en": "fewer than 5 respondents"}[language]
    assert f"{word} ({reason})" in text
    page = department(language)
    start = page.index('<section class="value" id="value-fehlerkultur"')
    facts = visible_text(page[start : page.index("<figure", start)])
    assert facts.count(f"{word} (") == 3, (
        facts
    )  # latest, change, reliability; the parent and organisation are shown
    assert not re.search(
        r"\b(?:4[0-9]|5[0-9])[.,]\d\b", facts.split("Parent unit" if language == "en" else "Übergeordnete")[0]
    )
    # the item whose answers are hidden: no score, no share, no distribution
    row = text.split("Fehler können offen angesprochen werden.", 1)[1][:300]
    assert row.count(word) >= 3 and "%" not in row.split(word, 3)[-1][:5]


def test_every_chart_has_a_caption_with_its_text_alternative_and_a_table() -> None:
    for page in (
        department("de"),
        overview_html(overview(), kommune=KOMMUNE, language="de", generated_on=TODAY),
    ):
        parsed = outline(page)
        assert parsed.figures
        for figure in parsed.figures:
            assert "Summary of" in figure["figcaption"]
            assert figure["tables"] == 1 and figure["svg"] == 1
        for table in parsed.tables:
            assert table["caption"].strip()
            assert table["th"] == table["th_scoped"] > 0
        for svg in parsed.svgs:
            assert svg.get("role") == "img" and svg.get("aria-label")
    assert len(outline(department("de")).figures) == 7 + 4  # a trend per value, four topic charts


def test_headings_go_down_one_level_at_a_time() -> None:
    for page in (
        department("en"),
        overview_html(overview(), kommune=KOMMUNE, language="en", generated_on=TODAY),
    ):
        levels = outline(page).headings
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_names_are_escaped() -> None:
    figures = msgspec.structs.replace(unit_figures(), name="FB <Jugend> & Familie")
    page = department_html(
        figures, kommune="Stadt <L>", comments=summary_of(["<b>laut</b>"]), language="de", generated_on=TODAY
    )
    assert "FB &lt;Jugend&gt; &amp; Familie" in page and "<Jugend>" not in page.split('id="report-data"')[0]
    assert "&lt;b&gt;laut&lt;/b&gt;" in page and "<b>laut</b>" not in page


def test_sections_without_data_say_so() -> None:
    text = visible_text(department("en", child_scores=[], items=[]))
    assert "This unit has no sub-units with their own figures." in text
    assert "No question has figures in the latest wave." in text


# --- citizen feedback: no response rate; values not asked -----------------------------------------------


def citizen_figures() -> UnitFigures:
    """The unit's figures as a citizen questionnaire gives them: no headcount, no rate, and the value
    "vertrauen" asked by none of its waves."""
    figures = unit_figures()
    waves = [
        msgspec.structs.replace(
            w, headcount=None, response_rate=None, audience="citizen", no_rate=CONTACTS_NOT_RECORDED
        )
        for w in figures.waves
    ]
    values = [
        msgspec.structs.replace(
            v,
            series=[msgspec.structs.replace(p, score=None, asked=False) for p in v.series],
            latest=None,
            change=None,
            parent=None,
            organisation=None,
            reliability=None,
            asked=False,
        )
        if v.value == "vertrauen"
        else v
        for v in figures.values
    ]
    children = [
        msgspec.structs.replace(c, scores={**c.scores, "vertrauen": None}) for c in figures.child_scores
    ]
    return msgspec.structs.replace(
        figures,
        questionnaire="citizen-contact",
        audience="citizen",
        waves=waves,
        values=values,
        child_scores=children,
    )


def citizen_report(language: str) -> str:
    return department_html(
        citizen_figures(), kommune=KOMMUNE, comments=summary_of([]), language=language, generated_on=TODAY
    )


@pytest.mark.parametrize(
    "language, why, rate",
    [
        ("de", "Bürgerbefragung: keine Rücklaufquote, da die Zahl der Kontakte", "Rücklaufquote 6"),
        ("en", "Citizen feedback: no response rate, because the number of contacts", "response rate 6"),
    ],
)
def test_a_citizen_report_shows_no_rate_nor_headcount_and_says_why(
    language: str, why: str, rate: str
) -> None:
    page = citizen_report(language)
    text = visible_text(page)
    facts = text.split("Waves compared" if language == "en" else "Verglichene Runden", 1)[0]
    assert f"49 ({why}" in facts
    assert rate not in text and "61,2 %" not in text and "61.2%" not in text
    data = json.loads(outline(page).json_text)
    assert all(w["headcount"] is None and w["response_rate"] is None for w in data["waves"])
    assert {w["no_rate"]["reason"] for w in data["waves"]} == {"contacts_not_recorded"}
    # a staff report keeps its rate
    staff_text = visible_text(department(language))
    assert rate.replace("6", "61,2 %" if language == "de" else "61.2%") in staff_text.replace("\xa0", " ")
    assert why not in staff_text


@pytest.mark.parametrize(
    "language, not_asked, nobody",
    [("de", "In diesem Fragebogen nicht gefragt", "keine Antwortenden"),
     ("en", "Not asked in this questionnaire", "no respondents")],
)  # fmt: skip
def test_a_value_not_asked_is_named_as_not_asked_never_as_without_respondents(
    language: str, not_asked: str, nobody: str
) -> None:
    page = citizen_report(language)
    text = visible_text(page)
    front = text.split("What changed significantly" if language == "en" else "Was sich signifikant", 1)[0]
    assert f"{not_asked}, " in front and front.rstrip().endswith("Vertrauen.")
    # no section, no chart, no row of its own: nothing that could read as "nobody answered"
    assert 'id="value-vertrauen"' not in page
    assert "Vertrauen –" not in text and f"Vertrauen {nobody}" not in text
    reliability = text.split("Cronbach", 2)[2]
    assert "Vertrauen" not in reliability.split("How to read" if language == "en" else "So lesen", 1)[0]
    data = json.loads(outline(page).json_text)
    vertrauen = next(v for v in data["values"] if v["value"] == "vertrauen")
    assert vertrauen["asked"] is False and not any(p["asked"] for p in vertrauen["series"])


@pytest.mark.parametrize(
    "language, nobody, not_asked",
    [("de", "keine Antwortenden", "in diesem Fragebogen nicht gefragt"),
     ("en", "no respondents", "not asked in this questionnaire")],
)  # fmt: skip
def test_asked_without_respondents_says_so_and_dropped_in_the_latest_wave_says_not_asked(
    language: str, nobody: str, not_asked: str
) -> None:
    figures = unit_figures()
    values = []
    for v in figures.values:
        if v.value == "nachhaltig":  # asked, but nobody in the latest wave
            v = msgspec.structs.replace(
                v, series=[*v.series[:-1], msgspec.structs.replace(v.series[-1], score=None)], latest=None
            )
        if v.value == "unbuerokratisch":  # asked by the older versions, no longer by the newest
            v = msgspec.structs.replace(
                v,
                series=[*v.series[:-1], msgspec.structs.replace(v.series[-1], score=None, asked=False)],
                latest=None,
                change=None,
                parent=None,
                organisation=None,
            )
        values.append(v)
    page = department(language, values=values)

    def facts(key: str) -> str:
        start = page.index(f'<section class="value" id="value-{key}"')
        return visible_text(page[start : page.index("<figure", start)])

    assert nobody in facts("nachhaltig") and not_asked not in facts("nachhaltig")
    dropped = facts("unbuerokratisch")
    assert dropped.count(not_asked) >= 4  # latest, change, parent, organisation (and reliability)
    assert nobody not in dropped


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_overview_of_citizen_feedback_has_no_rate_columns_and_no_column_not_asked(language: str) -> None:
    data = overview()
    rows = [
        msgspec.structs.replace(
            r,
            headcount=None,
            response_rate=BELOW_K if isinstance(r.respondents, HiddenFigure) else None,
            no_rate=CONTACTS_NOT_RECORDED,
            scores={**r.scores, "vertrauen": None},
            changes={**r.changes, "vertrauen": None},
        )
        for r in data.rows
    ]
    citizen = msgspec.structs.replace(
        data, questionnaire="citizen-contact", audience="citizen", rows=rows, not_asked=["vertrauen"]
    )
    page = overview_html(citizen, kommune=KOMMUNE, language=language, generated_on=TODAY)
    head = page[
        page.index('class="data overview-table"') : page.index("</thead>", page.index("overview-table"))
    ]
    staff, rate = ("Beschäftigte", "Rücklaufquote") if language == "de" else ("Staff", "Response rate")
    assert staff not in head and rate not in head and "Vertrauen" not in head
    text = visible_text(page)
    assert (
        "keine Rücklaufquote, da die Zahl der Kontakte" if language == "de" else "no response rate, because"
    ) in text
    assert (
        "In diesem Fragebogen nicht gefragt" if language == "de" else "Not asked in this questionnaire"
    ) in text
    assert "54,9" not in text and "54.9" not in text  # the rate of the staff overview's first row
    staff_page = overview_html(data, kommune=KOMMUNE, language=language, generated_on=TODAY)
    staff_head = staff_page[staff_page.index('class="data overview-table"') :]
    assert staff in staff_head and rate in staff_head


# --- comments -------------------------------------------------------------------------------------------


def test_comments_are_shown_when_given_as_a_list() -> None:
    text = visible_text(department("en", ["Mehr Zeit für Übergaben.", "Gute Zusammenarbeit"]))
    assert "2 comments from the latest wave" in text
    assert "Mehr Zeit für Übergaben." in text and "Gute Zusammenarbeit" in text


def test_comments_by_value_and_theme_with_counts() -> None:
    themed = CommentSummary(
        "w",
        5,
        True,
        [
            ValueComments(
                "nachhaltig",
                "Nachhaltig wirken",
                4,
                [
                    ThemeComments("personal", "Personalmangel", 3, [MergedText("Zu wenig Personal.", 2)]),
                    ThemeComments("ausstattung", "Ausstattung", 1, [MergedText("Alte Fahrzeuge.", 1)]),
                ],
            ),
            ValueComments("vertrauen", "Vertrauen", 0, []),
        ],
        [MergedText("Weiter so!", 1)],
        1,
        [],
        ["Personal"],
    )
    html = department_html(
        unit_figures(), kommune=KOMMUNE, comments=themed, language="de", generated_on=TODAY
    )
    text = visible_text(html)
    section = text[text.index("5 Kommentare aus der letzten Befragungsrunde") :]
    assert "Nachhaltig wirken (4 Kommentare)" in section and "Vertrauen (" not in section
    assert section.index("Personalmangel – 3 Kommentare") < section.index("Ausstattung – 1 Kommentar")
    assert "Zu wenig Personal. (2-mal)" in section and "Passt zu keinem Thema (1 Kommentar)" in section


def test_hidden_comments_are_not_shown_and_the_rule_is_said() -> None:
    text = visible_text(department("de", COMMENTS_HIDDEN))
    assert (
        "Kommentare sind verborgen: Sie werden nur gezeigt, wenn mindestens 10 Personen geantwortet haben"
        in text
    )
    text = visible_text(department("en", None))
    assert "This survey asks for no comments." in text
    assert "Nobody wrote a comment" in visible_text(department("en", []))


def test_methods_page_explains_band_significance_and_anonymity() -> None:
    text = visible_text(department("en")).split("How to read this report", 2)[2]
    for phrase in (
        "The 95 % interval",
        "in 95 of 100 surveys",
        "Benjamini–Hochberg",
        "false discovery rate of 5 %",
        "significant below 0.05",
        "at least 5 people answered",
        "Answer distributions and comments are shown only where at least 10 people answered",
        "Secondary suppression",
        "written as “hidden”",
        "Version breaks",
    ):
        assert phrase in text, phrase


# --- embedded figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_embedded_json_holds_every_figure(language: str) -> None:
    figures = unit_figures()
    page = department_html(figures, kommune=KOMMUNE, comments=None, language=language, generated_on=TODAY)
    data = outline(page).json_text
    assert "</" not in data
    # msgspec cannot decode `Score | HiddenFigure | None` into the structs (untagged union of two
    # structs), so the check is on the plain JSON: the same data, number for number.
    assert json.loads(data) == msgspec.to_builtins(figures)
    assert msgspec.json.decode(data) == json.loads(msgspec.json.encode(figures))

    tricky = msgspec.structs.replace(figures, name="</script><script>alert(1)</script>")
    page = department_html(tricky, kommune=KOMMUNE, comments=None, language=language, generated_on=TODAY)
    assert json.loads(outline(page).json_text)["name"] == tricky.name


def test_overview_embeds_its_figures_and_indents_rows_by_depth() -> None:
    data = overview()
    page = overview_html(data, kommune=KOMMUNE, language="de", generated_on=TODAY)
    assert json.loads(outline(page).json_text) == msgspec.to_builtins(data)
    assert re.search(
        r'<tr class="depth-2">\s*<th scope="row"><span class="indent">Fachbereich Jugend</span>', page
    )
    text = visible_text(page)
    assert "61,4" in text and "63,4" in text and "+2,4" in text and "54,9 %" in text.replace("\xa0", " ")
    # hidden cells are a short mark; the reason is said once, in the table's footnote
    assert "Fachbereich Archiv" in text and "verborgen: weniger als 5 Antworten" in text
    assert "size: A4 landscape" in page
    assert "21. November 2026" in text


# --- PDF --------------------------------------------------------------------------------------------------


def _pages(pdf: bytes, scale: float = 0.5) -> list[Any]:
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(pdf)
    return [document[i] for i in range(len(document))]


def _white_share(page: Any, scale: float = 0.5) -> float:
    image = page.render(scale=scale).to_pil().convert("L")
    histogram = image.histogram()
    return sum(histogram[250:]) / sum(histogram)


@pytest.fixture(scope="module")
def department_pdf() -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        for name in CHART_FUNCTIONS:
            patch.setattr(charts, name, _fake(name))
        figures = unit_figures()
        page = department_html(
            figures, kommune=KOMMUNE, comments=summary_of(["Gut."]), language="de", generated_on=TODAY
        )
    return to_pdf(page)


def test_pdf_has_numbered_pages_none_of_them_blank(department_pdf: bytes) -> None:
    assert department_pdf.startswith(b"%PDF")
    pages = _pages(department_pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert _white_share(page) < 0.995, f"page {number} is blank"
        text = page.get_textpage().get_text_range()
        assert f"{number} / {len(pages)}" in text, f"no page number on page {number}"


def test_pdf_of_the_overview_is_landscape() -> None:
    pdf = to_pdf(overview_html(overview(), kommune=KOMMUNE, language="en", generated_on=TODAY))
    pages = _pages(pdf)
    width, height = pages[0].get_size()
    assert width > height
    assert _white_share(pages[0]) < 0.995
    assert f"1 / {len(pages)}" in pages[0].get_textpage().get_text_range()


# --- with the real charts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_reports_with_the_real_charts(language: str) -> None:
    try:
        page = department(language, ["Gut."])
        overview_page = overview_html(overview(), kommune=KOMMUNE, language=language, generated_on=TODAY)
    except NotImplementedError:
        pytest.skip("survey.report.charts is not implemented yet")
    for document in (page, overview_page):
        assert "http://" not in document and "https://" not in document
        parsed = outline(document)
        for figure in parsed.figures:
            assert figure["figcaption"].strip() and figure["tables"] == 1 and figure["svg"] >= 1
        for svg in parsed.svgs:
            if svg.get("aria-hidden") != "true":
                assert svg.get("role") == "img" and svg.get("aria-label")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


# --- hidden figures: a mark in the cell, the reason once per table (issue 20) ---------------------


def _tables_with_notes(page: str) -> list[str]:
    """Each footnoted table of a page with the footnotes after it."""
    return re.findall(
        r'<div class="table-scroll".*?</table>\s*</div>\s*(?:<ol class="footnotes">.*?</ol>)?',
        page,
        re.DOTALL,
    )


@pytest.mark.parametrize("language, word", [("de", "verborgen"), ("en", "hidden")])
def test_hidden_cells_are_marks_with_one_footnote_per_reason_per_table(language: str, word: str) -> None:
    page = department(language)
    tables = _tables_with_notes(page)
    assert len(tables) == 2  # the items and the reliability
    reasons = {
        "de": ("weniger als 5 Antworten", "eine der verglichenen Gruppen ist verborgen"),
        "en": ("fewer than 5 respondents", "one of the compared groups is hidden"),
    }[language]
    for table in tables:
        cells = re.findall(r"<td>(.*?)</td>", table, re.DOTALL)
        hidden = [c for c in cells if "hidden-figure" in c]
        assert hidden, "each table of the sample has hidden cells"
        notes = re.findall(r'<li id="(fn-[\w-]+)">(.*?)</li>', table)
        for cell in hidden:
            # a short mark that links to its footnote, which describes it for screen readers
            mark = re.search(r'<a href="#(fn-[\w-]+)" aria-describedby="\1">', cell)
            assert mark and mark.group(1) in {ident for ident, _ in notes}
            assert "(" not in visible_text(cell) and visible_text(cell).startswith(word)
        text = visible_text(table)
        for reason in reasons:
            assert text.count(reason) <= 1  # said once per table, never per cell
        assert sum(text.count(reason) for reason in reasons) == len(notes) >= 1
    items = tables[0]
    assert visible_text(items).count(reasons[0]) == 1 and visible_text(items).count(reasons[1]) == 1
    # the ids are unique on the page, and the report still refers to nothing outside itself
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_overview_marks_hidden_cells_and_says_the_reason_once() -> None:
    page = overview_html(overview(), kommune=KOMMUNE, language="en", generated_on=TODAY)
    (table,) = _tables_with_notes(page)
    assert 'class="footnotes"' in table
    assert visible_text(table).count("fewer than 5 respondents") == 1
    assert "hidden (fewer than" not in visible_text(page)
