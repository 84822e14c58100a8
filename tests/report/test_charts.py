"""Charts of the reports: inline SVG that is labelled, offline, localised and honest about hidden figures.

Built from domain figures directly, no database. The specs are validated against the Vega-Lite
schema here (rendering skips validation for speed).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import time

import pytest
import vl_convert as vlc

from survey.domain.figures import (
    CONTACTS_NOT_RECORDED,
    ChildScores,
    HiddenFigure,
    ItemFigures,
    OverviewRow,
    Score,
    Trend,
    ValueFigures,
    WavePoint,
    WaveSummary,
)
from survey.report import charts, format
from survey.report.charts import Chart

HIDDEN = HiddenFigure(True, "below_k", "fewer than 5 respondents")
HIDDEN_TEXT = HiddenFigure(True, "below_k", "fewer than 10 respondents")
SECONDARY = HiddenFigure(
    True, "secondary", "hidden so that a smaller group cannot be worked out by difference"
)
QUARTERS = [dt.date(2025, 1, 15), dt.date(2025, 4, 15), dt.date(2025, 7, 15), dt.date(2025, 10, 15)]


def score(mean: float, n: int = 40, half: float | None = 3.2) -> Score:
    return Score(n, mean, None if half is None else mean - half, None if half is None else mean + half)


def wave_point(
    i: int, s: Score | HiddenFigure | None, *, version: int = 1, brk: bool = False, asked: bool = True
) -> WavePoint:
    return WavePoint(f"w{i}", f"Puls {i + 1}. Quartal 2025", QUARTERS[i], version, s, brk, asked)


def value(
    key: str = "gemeinsam",
    name: str = "Gemeinsam für Lindenau",
    series: list[WavePoint] | None = None,
    *,
    parent: Score | HiddenFigure | None = None,
    organisation: Score | HiddenFigure | None = None,
    staff: Score | HiddenFigure | None = None,
    citizens: Score | HiddenFigure | None = None,
    shared: list[str] | None = None,
) -> ValueFigures:
    series = series if series is not None else [wave_point(0, score(61.4)), wave_point(1, score(63.25))]
    return ValueFigures(
        asked=any(p.asked for p in series) if series else True,
        value=key,
        name=name,
        series=series,
        latest=series[-1].score if series else None,
        change=None,
        trend=Trend(waves=len(series), direction="not_enough_waves"),
        parent=parent,
        organisation=organisation,
        self_on_shared=staff,
        external=citizens,
        shared_items=shared or [],
        reliability=None,
    )


def trend_value() -> ValueFigures:
    """Four waves: shown, hidden, shown, then a version break before a shown wave."""
    return value(
        series=[
            wave_point(0, score(61.4)),
            wave_point(1, HIDDEN),
            wave_point(2, score(58.7, half=None)),
            wave_point(3, score(64.05), version=2, brk=True),
        ],
        parent=score(60.0, 400),
        organisation=score(57.5, 2000),
    )


def assert_chart(chart: Chart, *, rows: int) -> None:
    svg = chart.svg
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    root = re.match(r"<svg\b[^>]*>", svg)
    assert root is not None
    assert 'role="img"' in root.group(0)
    assert f'aria-label="{chart.title}"' in root.group(0) or "aria-label=" in root.group(0)
    assert "viewBox=" in root.group(0)
    # the SVG namespace is the one address allowed (resvg needs it for PNG); nothing is fetched
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<image" not in svg and "href=" not in svg
    assert chart.title and chart.summary.strip()
    assert len(chart.table_rows) == rows
    assert all(len(r) == len(chart.table_head) for r in chart.table_rows)


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


# --- format -------------------------------------------------------------------------------------------


def test_format_helpers_follow_the_language() -> None:
    assert format.number(61.44, "de") == "61,4"
    assert format.number(61.44, "en") == "61.4"
    assert format.number(1234.5, "de") == "1.234,5"
    assert format.integer(1234, "en") == "1,234"
    assert format.percent(0.538, "de") == "53,8\u00a0%"
    assert format.percent(0.538, "en") == "53.8%"
    assert format.percent(0.5, "de", digits=0) == "50\u00a0%"
    assert format.month(dt.date(2026, 7, 15), "de") == "Juli 2026"
    assert format.month(dt.date(2026, 7, 15), "en") == "July 2026"
    assert format.score_text(Score(10, 61.4, 58.31, 64.55), "de") == "61,4 (58,3–64,6)"
    assert format.score_text(Score(10, 61.4, None, None), "en") == "61.4"


def test_hidden_text_names_the_reason_in_the_language() -> None:
    assert format.hidden_text(HIDDEN, "de") == "verborgen (weniger als 5 Antworten)"
    assert format.hidden_text(HIDDEN, "en") == "hidden (fewer than 5 respondents)"
    assert format.hidden_text(SECONDARY, "de").startswith("verborgen (damit")
    odd = HiddenFigure(True, "something_new", "a reason nobody planned for")
    assert format.hidden_text(odd, "de") == "verborgen (a reason nobody planned for)"


# --- value trend ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_value_trend_renders_and_tables_every_wave(language: str) -> None:
    chart = charts.value_trend(trend_value(), language)
    # four waves plus the parent and organisation reference rows
    assert_chart(chart, rows=4 + 2)
    texts = svg_texts(chart.svg)
    if language == "de":
        assert "61,4" in texts and "58,7" in texts
        assert "verborgen" in texts
        assert "Okt. 2025" in texts
        assert "Gesamtverwaltung" in texts
        assert chart.table_rows[0][1] == "61,4 (58,2–64,6)"
    else:
        assert "61.4" in texts
        assert "hidden" in texts
        assert "Oct 2025" in texts
        assert chart.table_rows[0][1] == "61.4 (58.2–64.6)"
    hidden_row = chart.table_rows[1]
    assert hidden_row[1] == format.hidden_text(HIDDEN, language)
    assert "0,0" not in hidden_row[1] and "0.0" not in hidden_row[1]
    # the wave after the break says it is not comparable; the summary says the line breaks
    assert chart.table_rows[3][0] != trend_value().series[3].title
    assert chart.table_rows[2][1] == format.number(58.7, language)  # no interval known


def test_value_trend_splits_the_line_at_a_break_and_at_hidden_waves() -> None:
    spec = charts._trend_spec(trend_value(), "de").to_dict()  # validates against the schema
    layers = spec["layer"]
    lines = [layer for layer in layers if _mark(layer) == "line"]
    assert len(lines) == 1
    segments = {row["segment"] for row in lines[0]["data"]["values"]}
    assert len(segments) == 3  # wave 1 | (hidden) | wave 3 | (break) | wave 4
    assert lines[0]["encoding"]["detail"]["field"] == "segment"
    rules = [layer for layer in layers if _mark(layer) == "rule" and layer["data"]["values"]]
    assert any(row.get("x") == 2.5 for rule in rules for row in rule["data"]["values"])
    # the hidden wave has no point, but a marker at the bottom
    points = next(layer for layer in layers if _mark(layer) == "line")["data"]["values"]
    assert [p["x"] for p in points] == [0, 2, 3]
    markers = [
        row
        for layer in layers
        if _mark(layer) == "text"
        for row in layer["data"]["values"]
        if row.get("label") == "verborgen"
    ]
    assert markers and all(m["y"] == 0 and m["x"] == 1 for m in markers)
    assert "unterbrochen" in charts.value_trend(trend_value(), "de").summary


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_latest_score_without_an_interval_is_summarised_without_one(language: str) -> None:
    v = value(series=[wave_point(0, score(61.4)), wave_point(1, score(58.7, half=None))])
    summary = charts.value_trend(v, language).summary
    assert format.number(58.7, language) in summary
    assert "95" not in summary.split(format.number(58.7, language))[1].split(".")[0]


def test_value_trend_hidden_references_and_latest() -> None:
    v = value(
        series=[wave_point(0, score(52.3)), wave_point(1, HIDDEN)],
        parent=HIDDEN,
        organisation=None,
    )
    chart = charts.value_trend(v, "de")
    assert_chart(chart, rows=4)
    assert chart.table_rows[1][1].startswith("verborgen (")
    assert chart.table_rows[2][1].startswith("verborgen (")
    assert chart.table_rows[3][1] == "keine Daten"
    assert "verborgen" in chart.summary
    assert "0,0" not in " ".join(" ".join(r) for r in chart.table_rows)


@pytest.mark.parametrize("language", ["de", "en"])
def test_value_trend_of_a_value_the_questionnaire_does_not_ask(language: str) -> None:
    """Not asked is said as such, in the table, the image and the text: never "no data"."""
    never = value(
        key="vertrauen",
        name="Vertrauen",
        series=[wave_point(0, None, asked=False), wave_point(1, None, asked=False)],
    )
    chart = charts.value_trend(never, language)
    assert_chart(chart, rows=2 + 2)
    words, none = ("nicht gefragt", "keine Daten") if language == "de" else ("not asked", "no data")
    assert [row[1] for row in chart.table_rows] == [words] * 4
    assert words in svg_texts(chart.svg) and none not in svg_texts(chart.svg)
    expected = "in diesem Fragebogen nicht gefragt" if language == "de" else "not asked in this questionnaire"
    assert expected in chart.summary
    assert none not in chart.summary and "Trend" not in chart.summary and "trend" not in chart.summary

    # asked in an earlier version only: its waves keep their scores, the latest says "not asked"
    dropped = value(
        series=[wave_point(0, score(61.4)), wave_point(1, None, version=2, asked=False)],
        parent=None,
    )
    chart = charts.value_trend(dropped, language)
    assert chart.table_rows[0][1] == format.score_text(score(61.4), language)
    assert chart.table_rows[1][1] == words and chart.table_rows[2][1] == words
    latest = (
        "im Fragebogen der letzten Runde" if language == "de" else "in the questionnaire of the latest wave"
    )
    assert latest in chart.summary and none not in chart.summary


@pytest.mark.parametrize("language", ["de", "en"])
def test_heatmap_leaves_out_values_not_asked_and_names_them(language: str) -> None:
    chart = charts.heatmap(children(), VALUE_NAMES, language, not_asked=["vertrauen"])
    assert chart.table_head[1:] == [VALUE_NAMES["gemeinsam"], VALUE_NAMES["kundenorientiert"]]
    assert all(len(row) == 3 for row in chart.table_rows)
    assert VALUE_NAMES["vertrauen"] in chart.summary
    assert ("nicht gefragt" if language == "de" else "Not asked") in chart.summary
    rows = [OverviewRow("v", "Verwaltung", "Verwaltung", 0, 50, None, None, {"gemeinsam": score(50)}, {})]
    names = {"gemeinsam": "Gemeinsam", "vertrauen": "Vertrauen"}
    overview_chart = charts.organisation_heatmap(rows, names, language, not_asked=["vertrauen"])
    assert overview_chart.table_head[1:] == ["Gemeinsam"] and "Vertrauen" in overview_chart.summary


def _mark(layer: dict) -> str:
    mark = layer.get("mark")
    return mark["type"] if isinstance(mark, dict) else str(mark)


# --- heatmaps -------------------------------------------------------------------------------------------

VALUE_NAMES = {
    "gemeinsam": "Gemeinsam für Lindenau",
    "kundenorientiert": "Bürgerinnen und Bürger im Mittelpunkt",
    "vertrauen": "Vertrauen schenken und verdienen",
}


def children() -> list[ChildScores]:
    return [
        ChildScores("jobcenter", "Fachbereich Jobcenter", {k: score(61.4) for k in VALUE_NAMES}),
        ChildScores(
            "musikschule",
            "Fachbereich Musikschule",
            {"gemeinsam": score(71.25), "kundenorientiert": SECONDARY, "vertrauen": None},
        ),
        ChildScores(
            "jugendamt", "Fachbereich Jugendamt", {"gemeinsam": score(12.0), "kundenorientiert": score(93.0)}
        ),
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_heatmap_shows_hidden_cells_as_hidden(language: str) -> None:
    chart = charts.heatmap(children(), VALUE_NAMES, language)
    assert_chart(chart, rows=3)
    assert chart.table_head == [chart.table_head[0], *VALUE_NAMES.values()]
    texts = svg_texts(chart.svg)
    word, none = ("verborgen", "keine Daten") if language == "de" else ("hidden", "no data")
    assert word in texts and none in texts
    assert ("61,4" if language == "de" else "61.4") in texts
    musikschule = chart.table_rows[1]
    assert musikschule[2] == format.hidden_text(SECONDARY, language)
    assert musikschule[3] == none
    assert chart.table_rows[2][3] == none  # a value missing from the dict is "no data", not 0
    assert not any(cell.startswith(("0,0", "0.0")) for row in chart.table_rows for cell in row)
    assert ("Eine Zelle" if language == "de" else "One cell") in chart.summary


def test_heatmap_hidden_cells_are_grey_not_coloured() -> None:
    spec = charts._heatmap_spec(
        [charts._Row(c.unit, c.name, 0, c.scores) for c in children()], VALUE_NAMES, "de"
    ).to_dict()
    cells = (spec.get("data") or spec["layer"][0]["data"])["values"]  # altair hoists shared data
    hidden = [c for c in cells if c["status"] == "hidden"]
    assert hidden == [
        {
            "row": "musikschule",
            "col": "kundenorientiert",
            "mean": None,
            "status": "hidden",
            "label": "verborgen",
        }
    ]
    assert charts.HIDDEN_FILL in chart_svg_fills(charts.heatmap(children(), VALUE_NAMES, "de").svg)


def chart_svg_fills(svg: str) -> set[str]:
    return set(re.findall(r'fill="(#[0-9a-fA-F]{6})"', svg))


def test_organisation_heatmap_indents_rows_by_depth() -> None:
    rows = [
        OverviewRow(
            "verwaltung", "Stadtverwaltung", "Organisation", 0, 900, 1800, 0.5, {"gemeinsam": score(55)}, {}
        ),
        OverviewRow("kjfs", "Dezernat III", "Dezernat", 1, HIDDEN, 40, HIDDEN, {"gemeinsam": HIDDEN}, {}),
        OverviewRow(
            "jugendamt", "Fachbereich Jugendamt", "Fachbereich", 2, 20, 30, 0.66, {"gemeinsam": None}, {}
        ),
    ]
    chart = charts.organisation_heatmap(rows, {"gemeinsam": "Gemeinsam für Lindenau"}, "de")
    assert_chart(chart, rows=3)
    assert [r[0] for r in chart.table_rows] == [
        "Stadtverwaltung",
        "\u00a0\u00a0Dezernat III",
        "\u00a0\u00a0\u00a0\u00a0Fachbereich Jugendamt",
    ]
    assert chart.table_rows[1][1] == "verborgen (weniger als 5 Antworten)"
    assert chart.table_rows[2][1] == "keine Daten"
    assert 'font-weight="bold"' in chart.svg  # units with sub-units below them read as headings


# --- answer distributions -------------------------------------------------------------------------------


def item(key: str, distribution: dict[str, int] | HiddenFigure | None) -> ItemFigures:
    return ItemFigures(key, f"Aussage {key}", ["gemeinsam"], None, None, None, None, distribution, None)


def items() -> list[ItemFigures]:
    return [
        item("a", {"1": 10, "2": 20, "3": 30, "4": 25, "5": 15}),
        item("b", HIDDEN_TEXT),
        item("nps", {"0": 5, "3": 10, "6": 15, "7": 20, "8": 20, "9": 20, "10": 10}),
        item("c", None),
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_item_distribution_tables_shares_and_hidden_rows(language: str) -> None:
    chart = charts.item_distribution(items(), {"a": "Wir ziehen an einem Strang."}, language)
    assert_chart(chart, rows=4)
    a, b, nps, c = chart.table_rows
    assert a[0] == "Wir ziehen an einem Strang."
    assert a[1:] == [
        "100",
        format.percent(0.3, language),
        format.percent(0.3, language),
        format.percent(0.4, language),
    ]
    assert b[1] == format.hidden_text(HIDDEN_TEXT, language) and b[2:] == ["–", "–", "–"]
    # 0–10 grouped 0–6 / 7–8 / 9–10
    assert nps[2:] == [
        format.percent(0.3, language),
        format.percent(0.4, language),
        format.percent(0.3, language),
    ]
    assert c[1] == ("keine Daten" if language == "de" else "no data")
    texts = " ".join(svg_texts(chart.svg))
    assert format.hidden_text(HIDDEN_TEXT, language) in texts
    assert ("30\u00a0%" if language == "de" else "30%") in texts


def test_item_distribution_diverges_around_the_middle() -> None:
    spec = charts._distribution_spec(items(), {}, "de").to_dict()
    bars = next(layer for layer in spec["layer"] if _mark(layer) == "bar" and "color" in layer["encoding"])
    a = {row["group"]: (row["x"], row["x2"]) for row in bars["data"]["values"] if row["item"] == "a"}
    assert a["3"] == pytest.approx((-0.15, 0.15))
    assert a["2"] == pytest.approx((-0.35, -0.15))
    assert a["1"] == pytest.approx((-0.45, -0.35))
    assert a["4"] == pytest.approx((0.15, 0.40))
    assert a["5"] == pytest.approx((0.40, 0.55))
    nps = {row["group"]: (row["x"], row["x2"]) for row in bars["data"]["values"] if row["item"] == "nps"}
    assert set(nps) == {"0–6", "7–8", "9–10"}
    assert nps["0–6"] == pytest.approx((-0.5, -0.2))


# --- self-image and external image ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_self_external_pairs_and_missing_values(language: str) -> None:
    values = [
        value("gemeinsam", "Gemeinsam", staff=score(68.4), citizens=score(63.9), shared=["x"]),
        value("vertrauen", "Vertrauen", shared=[]),
        value("transparenz", "Transparenz", staff=score(62.9), citizens=HIDDEN, shared=["y", "z"]),
    ]
    chart = charts.self_external(values, language)
    assert_chart(chart, rows=3)
    no_shared = "keine gemeinsamen Aussagen" if language == "de" else "no shared items"
    assert chart.table_rows[1][1] == no_shared
    assert chart.table_rows[0][3] == ("+4,5" if language == "de" else "+4.5")
    assert chart.table_rows[2][2] == format.hidden_text(HIDDEN, language)
    assert chart.table_rows[2][3] == "–"
    texts = " ".join(svg_texts(chart.svg))
    assert no_shared in texts
    assert ("68,4" if language == "de" else "68.4") in texts
    assert format.hidden_text(HIDDEN, language) in texts


# --- response rates -------------------------------------------------------------------------------------


def waves() -> list[WaveSummary]:
    return [
        WaveSummary(
            "w0", "Puls 1/2025", QUARTERS[0], QUARTERS[0] + dt.timedelta(days=20), 1, 474, 881, 0.538
        ),
        WaveSummary(
            "w1", "Puls 2/2025", QUARTERS[1], QUARTERS[1] + dt.timedelta(days=20), 1, HIDDEN, 6, HIDDEN
        ),
        WaveSummary("w2", "Puls 3/2025", QUARTERS[2], QUARTERS[2] + dt.timedelta(days=20), 1, 12, 0, None),
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_response_rates(language: str) -> None:
    chart = charts.response_rates(waves(), language)
    assert_chart(chart, rows=3)
    assert chart.table_rows[0][-1] == format.percent(0.538, language)
    assert chart.table_rows[1][2] == chart.table_rows[1][-1] == format.hidden_text(HIDDEN, language)
    assert chart.table_rows[2][-1] == ("keine Daten" if language == "de" else "no data")
    texts = svg_texts(chart.svg)
    assert ("53,8\u00a0%" if language == "de" else "53.8%") in texts
    assert ("verborgen" if language == "de" else "hidden") in texts
    assert ("50\u00a0%" if language == "de" else "50%") in texts  # the axis in the language's format


def citizen_waves() -> list[WaveSummary]:
    return [
        WaveSummary("b1", "Bürgerfeedback 1/2025", QUARTERS[0], QUARTERS[1], 1, 83, None, None, "citizen",
                    CONTACTS_NOT_RECORDED),
        WaveSummary("b2", "Bürgerfeedback 2/2025", QUARTERS[1], QUARTERS[2], 1, HIDDEN, None, None, "citizen",
                    CONTACTS_NOT_RECORDED),
        WaveSummary("b3", "Bürgerfeedback 3/2025", QUARTERS[2], QUARTERS[3], 1, 91, None, None, "citizen",
                    CONTACTS_NOT_RECORDED),
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["de", "en"])
def test_citizen_waves_count_respondents_and_say_why_there_is_no_rate(language: str) -> None:
    """Citizens have no headcount: no rate, no headcount column, and the text says why."""
    chart = charts.response_rates(citizen_waves(), language)
    assert_chart(chart, rows=3)
    assert len(chart.table_head) == 3  # wave, period, respondents
    assert chart.table_rows[0][2] == "83" and chart.table_rows[1][2] == format.hidden_text(HIDDEN, language)
    if language == "de":
        assert chart.title == "Antworten je Runde"
        assert "keine Rücklaufquote, da die Zahl der Kontakte" in chart.summary
        assert "Beschäftigte" not in chart.table_head
    else:
        assert chart.title == "Respondents per wave"
        assert "no response rate, because the number of contacts" in chart.summary
    texts = svg_texts(chart.svg)
    assert "83" in texts and "91" in texts
    assert not any("%" in text for text in texts), "no shares drawn, only counts"
    charts._rates_spec(citizen_waves(), language).to_dict()  # valid Vega-Lite


# --- all charts -----------------------------------------------------------------------------------------


def all_charts(language: str) -> dict[str, Chart]:
    rows = [OverviewRow(c.unit, c.name, "Fachbereich", 1, 40, 80, 0.5, c.scores, {}) for c in children()]
    return {
        "trend": charts.value_trend(trend_value(), language),
        "heatmap": charts.heatmap(children(), VALUE_NAMES, language),
        "items": charts.item_distribution(items(), {}, language),
        "self_external": charts.self_external(
            [value(staff=score(70), citizens=score(60), shared=["x"])], language
        ),
        "rates": charts.response_rates(waves(), language),
        "organisation": charts.organisation_heatmap(rows, VALUE_NAMES, language),
    }


def test_every_chart_converts_to_png() -> None:
    for name, chart in all_charts("de").items():
        width, height = png_size(vlc.svg_to_png(chart.svg))
        assert width > 200 and height > 100, name


def test_every_spec_is_valid_vega_lite() -> None:
    v = trend_value()
    charts._trend_spec(v, "en").to_dict()
    charts._self_external_spec([value(staff=score(70), citizens=HIDDEN, shared=["x"])], "en").to_dict()
    charts._rates_spec(waves(), "en").to_dict()
    charts._distribution_spec(items(), {}, "en").to_dict()


def test_empty_inputs_still_render() -> None:
    assert_chart(charts.response_rates([], "de"), rows=0)
    assert_chart(charts.heatmap([], VALUE_NAMES, "de"), rows=0)
    assert_chart(charts.item_distribution([], {}, "en"), rows=0)
    assert_chart(charts.value_trend(value(series=[]), "de"), rows=2)


def test_rendering_is_fast() -> None:
    charts.response_rates(waves(), "de")  # vl-convert starts its JavaScript engine once
    start = time.perf_counter()
    made = all_charts("de")
    per_chart = (time.perf_counter() - start) / len(made)
    assert per_chart < 0.5
