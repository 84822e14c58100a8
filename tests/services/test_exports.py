"""Data exports: SPSS, Excel and CSV carry the stored answers with the questionnaire's labels, agree
with each other and with the database, keep item ids across versions, and aggregates show no
figure that the reports hide; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest

from survey.domain import QuestionnaireVersion, load_catalog
from survey.report.files import note_lines
from survey.services.demo import DemoOptions, build_demo
from survey.services.exports import (
    AGGREGATE_FORMATS,
    RAW_FORMATS,
    ExportError,
    ExportFile,
    NothingToExport,
    WaveNotClosed,
    aggregate_export,
    raw_export,
    spss_name,
)
from survey.services.figures import HiddenFigure, Score, unit_figures
from survey.store.org import list_service_points, list_units
from survey.store.tables import Answer, Comment, OrgUnitRow, ResponseRow, WaveRow

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
TODAY = dt.date(2026, 11, 21)
#: the demo's two staff waves: v1 (2026 Q2), then v2 (2026 Q3)
V1_WAVE, V2_WAVE = "demo-puls-2026-q2", "demo-puls-2026-q3"
CITIZEN_WAVE = "demo-buerger-2026-q3"
DESCRIBING = ["response_no", "wave", "questionnaire", "version", "unit", "service_point", "language"]
CATALOG = load_catalog(QUESTIONNAIRES)


async def _demo() -> None:
    """A small demo Kommune: two staff waves (v1, v2), two citizen waves, some units below k."""
    await build_demo(QUESTIONNAIRES, DemoOptions(staff=300, waves=2, citizen_ratings=60, today=TODAY))


def _var(item_id: str) -> str:
    return item_id.replace("-", "_")


def _label(item_id: str, text: str) -> str:
    """The variable label: the item text, and the stable id where the SPSS name differs from it."""
    return text if _var(item_id) == item_id else f"{text} [{item_id}]"


def _version(number: int, questionnaire: str = "staff-pulse") -> QuestionnaireVersion:
    return CATALOG.version(questionnaire, number)


def _number(cell: Any) -> float | None:
    """One cell of any of the three formats as a number; empty and system-missing are None."""
    if cell is None or cell == "":
        return None
    value = float(cell)
    return None if math.isnan(value) else value


def _text(cell: Any) -> str:
    return "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)


def _read_sav(export: ExportFile, tmp_path: Path) -> tuple[list[str], list[dict[str, Any]], Any]:
    path = tmp_path / export.filename
    path.write_bytes(export.content)
    frame, meta = pyreadstat.read_sav(str(path))
    return list(frame.columns), frame.to_dict("records"), meta


def _read_csv(export: ExportFile) -> tuple[list[str], list[dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(export.content.decode("utf-8"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _read_xlsx(export: ExportFile) -> tuple[list[str], list[dict[str, Any]], list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    # raw data carries its notes (closed waves only, which waves) on a sheet of their own
    notes = ["Hinweise"] if "rohdaten" in export.filename else []
    assert book.sheetnames == ["Daten", "Variablen", *notes]
    data = list(book["Daten"].iter_rows(values_only=True))
    variables = list(book["Variablen"].iter_rows(values_only=True))
    header = [str(c) for c in data[0]]
    # a read-only sheet ends a row at its last filled cell
    padded = [(*row, *([None] * (len(header) - len(row)))) for row in data[1:]]
    return header, [dict(zip(header, row, strict=True)) for row in padded], variables


async def _stored(wave_keys: list[str], unit_path: str = "/") -> list[tuple[Any, ...]]:
    """Each stored response as (wave, unit, service point, language, {item: code}, {item: text})."""
    waves = {
        r["id"]: r["key"]
        for r in await WaveRow.select(WaveRow.id, WaveRow.key).run()
        if r["key"] in wave_keys
    }
    units = {
        r["id"]: r for r in await OrgUnitRow.select(OrgUnitRow.id, OrgUnitRow.key, OrgUnitRow.path).run()
    }
    responses = {
        str(r["id"]): r
        for r in await ResponseRow.select(
            ResponseRow.id,
            ResponseRow.wave,
            ResponseRow.unit,
            ResponseRow.service_point.key.as_alias("point"),
            ResponseRow.language,
        ).run()
        if r["wave"] in waves and units[r["unit"]]["path"].startswith(unit_path)
    }
    codes: dict[str, dict[str, int | None]] = {rid: {} for rid in responses}
    for a in await Answer.select(Answer.response, Answer.item, Answer.value).run():
        if str(a["response"]) in codes:
            codes[str(a["response"])][a["item"]] = a["value"]
    texts: dict[str, dict[str, str]] = {rid: {} for rid in responses}
    for c in await Comment.select(Comment.response, Comment.item, Comment.text).run():
        if str(c["response"]) in texts:
            texts[str(c["response"])][c["item"]] = c["text"]
    return [
        (
            waves[r["wave"]],
            units[r["unit"]]["key"],
            r["point"] or "",
            r["language"],
            codes[rid],
            texts[rid],
        )
        for rid, r in responses.items()
    ]


def _as_stored(rows: list[dict[str, Any]], numeric: list[str], text: list[str]) -> Counter[tuple[Any, ...]]:
    """Export rows in the shape of `_stored`, each response's answers kept together."""
    out: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        codes = tuple((i, _number(row[_var(i)])) for i in numeric)
        texts = tuple((i, _text(row[_var(i)])) for i in text)
        out[
            (
                _text(row["wave"]),
                _text(row["unit"]),
                _text(row["service_point"]),
                _text(row["language"]),
                codes,
                texts,
            )
        ] += 1
    return out


def _stored_counter(
    stored: list[tuple[Any, ...]], numeric: list[str], text: list[str]
) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for wave, unit, point, language, codes, texts in stored:
        out[
            (
                wave,
                unit,
                point,
                language,
                tuple((i, None if codes.get(i) is None else float(codes[i])) for i in numeric),
                tuple((i, texts.get(i, "")) for i in text),
            )
        ] += 1
    return out


def test_item_ids_become_valid_spss_names() -> None:
    taken = {"wave", "unit"}
    assert spss_name("fachbereiche-ziehen-mit", taken) == "fachbereiche_ziehen_mit"
    assert spss_name("2fa-genutzt", taken) == "v2fa_genutzt"
    assert spss_name("with", taken) == "with_2"  # an SPSS keyword
    assert spss_name("unit", taken) == "unit_2"  # one of the describing columns
    assert spss_name("fachbereiche_ziehen_mit", taken) == "fachbereiche_ziehen_mit_2"
    long = spss_name("a" * 80, taken)
    assert len(long) == 64 and spss_name("a" * 80, taken) == "a" * 62 + "_2"
    # SPSS document lines hold 80 bytes: a long `variable = item id` line goes on over the next
    lines = note_lines([f"{long} = {'a' * 64}", "ü" * 50])
    assert all(len(line.encode()) <= 80 for line in lines)
    assert "".join(lines) == f"{long} = {'a' * 64}" + "ü" * 50


#: the demo codebook's theme keys (questionnaires/_codebooks/lindenau.yaml)
THEME_KEYS = {
    "abstimmung", "informationsfluss", "silodenken", "wartezeit", "terminvergabe", "freundlichkeit",
    "erreichbarkeit", "fuehrung", "fehlerkultur", "wertschaetzung", "entscheidungen", "information",
    "formulare", "digitalisierung", "genehmigungswege", "personal", "umsetzung", "ausstattung",
}  # fmt: skip


def _with_themes(columns: list[str]) -> list[str]:
    """The columns with the theme codes' column after the free-text item's."""
    return [
        c for column in columns for c in ([column, f"{column}_themen"] if column == "kommentar" else [column])
    ]


async def test_sav_carries_labels_and_the_stored_answers(db: str, tmp_path: Path) -> None:
    await _demo()
    version = _version(2)
    export = await raw_export(fmt="sav", waves=[V2_WAVE])
    assert export.filename == f"leitbild-puls-rohdaten-{V2_WAVE}.sav"
    assert export.media_type == "application/x-spss-sav"
    columns, rows, meta = _read_sav(export, tmp_path)

    # One column per item id (hyphens made underscores), after the describing columns; a free-text
    # item's theme codes (the codebook's theme keys) beside it.
    assert columns == DESCRIBING + _with_themes([_var(i.id) for i in version.items])
    assert not {"id", "response_id", "submitted_on"} & set(columns)
    assert [row["response_no"] for row in rows] == list(range(1, len(rows) + 1))

    # Variable labels are the item texts (the stable id kept beside the SPSS name) ...
    labels = meta.column_names_to_labels
    for item in version.items:
        assert labels[_var(item.id)] == _label(item.id, item.text["de"])
    # ... value labels the scale's labels: all five on likert-5, the two ends on 0–10.
    agree = version.scales["agree5"].labels["de"]
    assert meta.variable_value_labels[_var("fachbereiche-ziehen-mit")] == {
        float(code): label for code, label in zip(range(1, 6), agree, strict=True)
    }
    assert meta.variable_value_labels[_var("arbeitgeber-weiterempfehlen")] == {
        0.0: "überhaupt nicht",
        10.0: "auf jeden Fall",
    }
    assert _var("kommentar") not in meta.variable_value_labels  # free text: a string column
    assert meta.readstat_variable_types[_var("kommentar")] == "string"
    assert meta.readstat_variable_types[_var("fachbereiche-ziehen-mit")] == "double"
    assert "fachbereiche_ziehen_mit = fachbereiche-ziehen-mit" in meta.notes

    # The numbers (and texts) are the stored ones, each response's answers in one row.
    numeric = [i.id for i in version.items if not version.scale_of(i).is_text]
    text = [i.id for i in version.items if version.scale_of(i).is_text]
    stored = await _stored([V2_WAVE])
    assert len(rows) == len(stored) > 50
    assert _as_stored(rows, numeric, text) == _stored_counter(stored, numeric, text)
    assert any(math.isnan(row[_var("fachbereiche-ziehen-mit")]) for row in rows)  # "keine Angabe"
    assert any(row[_var("kommentar")] for row in rows)
    codes = {code for row in rows for code in (row["kommentar_themen"] or "").split()}
    assert {"personal", "ausstattung"} <= codes <= THEME_KEYS

    # English labels where the questionnaire has them.
    english = await raw_export(fmt="sav", waves=[V2_WAVE], lang="en")
    _, _, meta_en = _read_sav(english, tmp_path)
    item = version.item("fehler-offen-ansprechen")
    assert meta_en.column_names_to_labels[_var(item.id)] == _label(item.id, item.text["en"])
    assert meta_en.variable_value_labels[_var(item.id)][5.0] == "Completely true"


async def test_csv_and_xlsx_give_the_numbers_of_the_sav_and_the_database(db: str, tmp_path: Path) -> None:
    await _demo()
    waves = [V1_WAVE, V2_WAVE, CITIZEN_WAVE]
    exports = {fmt: await raw_export(fmt=fmt, waves=waves, unit="kjfs") for fmt in RAW_FORMATS}
    assert exports["csv"].media_type == "text/csv; charset=utf-8"
    # the first and the last wave to open (the citizens' quarter opens before the staff pulse)
    assert exports["csv"].filename == f"leitbild-puls-rohdaten-{V1_WAVE}-bis-{V2_WAVE}-kjfs.csv"
    assert not exports["csv"].content.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    sav_columns, sav_rows, meta = _read_sav(exports["sav"], tmp_path)
    csv_columns, csv_rows = _read_csv(exports["csv"])
    xlsx_columns, xlsx_rows, variables = _read_xlsx(exports["xlsx"])
    assert sav_columns == csv_columns == xlsx_columns
    assert len(sav_rows) == len(csv_rows) == len(xlsx_rows) > 100

    # Row by row, cell by cell: the same numbers and texts in all three files.
    string_columns = {c for c, kind in meta.readstat_variable_types.items() if kind == "string"}
    for sav_row, csv_row, xlsx_row in zip(sav_rows, csv_rows, xlsx_rows, strict=True):
        for column in sav_columns:
            if column in string_columns:
                assert _text(sav_row[column]) == _text(csv_row[column]) == _text(xlsx_row[column]), column
            else:
                assert _number(sav_row[column]) == _number(csv_row[column]) == _number(xlsx_row[column]), (
                    column
                )
    assert {_text(r["questionnaire"]) for r in csv_rows} == {"staff-pulse", "citizen-contact"}
    assert any(r["service_point"] for r in csv_rows) and any(not r["service_point"] for r in csv_rows)

    # A direct count from the database: answers per item and code in the subtree.
    kjfs = next(u for u in await list_units() if u.key == "kjfs")
    wave_ids = [r["id"] for r in await WaveRow.select(WaveRow.id).where(WaveRow.key.is_in(waves)).run()]
    counted = await Answer.raw(
        "SELECT a.item AS item, a.value AS value, COUNT(*) AS n FROM answer a "
        f"WHERE a.wave IN ({', '.join(str(w) for w in wave_ids)}) AND a.value IS NOT NULL "
        "AND a.unit IN (SELECT id FROM org_unit WHERE path LIKE {}) GROUP BY a.item, a.value",
        kjfs.path + "%",
    )
    from_database = {(_var(r["item"]), float(r["value"])): r["n"] for r in counted}
    from_csv: Counter[tuple[str, float]] = Counter()
    for row in csv_rows:
        for column in csv_columns[len(DESCRIBING) :]:
            if column not in string_columns and row[column] != "":
                from_csv[(column, float(row[column]))] += 1
    assert dict(from_csv) == from_database
    respondents = await ResponseRow.count().where(
        ResponseRow.wave.is_in(wave_ids) & ResponseRow.unit.path.like(kjfs.path + "%")
    )
    assert len(csv_rows) == respondents

    # The Variablen sheet: the SPSS labels and value labels, for reading the CSV and the sheet.
    assert variables[0] == ("Variable", "Item", "Beschriftung", "Wertelabels")
    listed = {row[0]: row for row in variables[1:]}
    assert list(listed) == csv_columns
    for column, label in meta.column_names_to_labels.items():
        assert listed[column][2] == label
    assert listed["fachbereiche_ziehen_mit"][1] == "fachbereiche-ziehen-mit"
    assert listed["fachbereiche_ziehen_mit"][3].startswith(
        "1 = Trifft gar nicht zu; 2 = Trifft eher nicht zu"
    )
    assert listed["response_no"][1] is None


async def test_free_text_never_runs_as_a_formula(db: str, tmp_path: Path) -> None:
    await _demo()
    wave_id = (await WaveRow.select(WaveRow.id).where(WaveRow.key == V2_WAVE).first().run())["id"]
    first = await Comment.select(Comment.id).where(Comment.wave == wave_id).first().run()
    assert first is not None
    formula = '=HYPERLINK("http://x.invalid","klick")'
    await Comment.update({Comment.text: formula}).where(Comment.id == first["id"]).run()
    # Excel: kept as the text it is, no formula anywhere.
    xlsx = await raw_export(fmt="xlsx", waves=[V2_WAVE])
    assert formula in {r["kommentar"] for r in _read_xlsx(xlsx)[1]}
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [c for row in book["Daten"].iter_rows() for c in row if c.data_type == "f"] == []
    # CSV has no cell types: the text is defused with a leading apostrophe.
    _, csv_rows = _read_csv(await raw_export(fmt="csv", waves=[V2_WAVE]))
    assert "'" + formula in {r["kommentar"] for r in csv_rows}
    # SPSS never evaluates a string: unchanged.
    _, sav_rows, _ = _read_sav(await raw_export(fmt="sav", waves=[V2_WAVE]), tmp_path)
    assert formula in {r["kommentar"] for r in sav_rows}


async def test_across_versions_item_ids_stay_and_absent_items_are_missing(db: str, tmp_path: Path) -> None:
    await _demo()
    v1, v2 = _version(1), _version(2)
    export = await raw_export(fmt="sav", questionnaire="staff-pulse")
    assert export.filename == "leitbild-puls-rohdaten-staff-pulse-alle-wellen.sav"
    columns, rows, meta = _read_sav(export, tmp_path)

    # v1's items in v1's order, then what v2 added, in v2's order: one column per item id.
    added = [i.id for i in v2.items if i.id not in v1.item_ids]
    assert added == ["vereinfachungen-umgesetzt", "wissen-gesichert"]
    assert columns == DESCRIBING + _with_themes([_var(i) for i in v1.item_ids + added])
    # An only-v1 export names the shared items the same way.
    v1_columns, _, _ = _read_sav(await raw_export(fmt="sav", waves=[V1_WAVE]), tmp_path)
    assert v1_columns == DESCRIBING + _with_themes([_var(i) for i in v1.item_ids])
    # The label of an editorially changed item is the newest wording.
    changed = v2.item("wissen-geteilt")
    assert meta.column_names_to_labels["wissen_geteilt"] == _label(changed.id, changed.text["de"])

    by_wave = {
        V1_WAVE: [r for r in rows if r["wave"] == V1_WAVE],
        V2_WAVE: [r for r in rows if r["wave"] == V2_WAVE],
    }
    assert {r["version"] for r in by_wave[V1_WAVE]} == {1.0} and {r["version"] for r in by_wave[V2_WAVE]} == {
        2.0
    }
    assert len(by_wave[V1_WAVE]) + len(by_wave[V2_WAVE]) == len(rows)
    # Missing where the wave's version lacks the item; answered where it has it.
    for item in added:
        assert all(math.isnan(r[_var(item)]) for r in by_wave[V1_WAVE]), item
        assert any(not math.isnan(r[_var(item)]) for r in by_wave[V2_WAVE]), item
    for item in ("rueckmeldungen-genutzt", "ablaeufe-vereinfachen"):  # retired and replaced in v2
        assert all(math.isnan(r[_var(item)]) for r in by_wave[V2_WAVE]), item
        assert any(not math.isnan(r[_var(item)]) for r in by_wave[V1_WAVE]), item
    for wave_rows in by_wave.values():
        assert any(not math.isnan(r["fachbereiche_ziehen_mit"]) for r in wave_rows)

    # And still the stored answers, per wave.
    numeric = [i for i in v1.item_ids + added if i != "kommentar"]
    assert _as_stored(rows, numeric, ["kommentar"]) == _stored_counter(
        await _stored([V1_WAVE, V2_WAVE]), numeric, ["kommentar"]
    )


def _aggregate_rows(export: ExportFile) -> list[dict[str, Any]]:
    if export.filename.endswith(".csv"):
        return _read_csv(export)[1]
    return _read_xlsx(export)[1]


async def test_aggregates_hide_what_the_reports_hide(db: str) -> None:
    await _demo()
    figures = await unit_figures("kjfs")
    exports = {fmt: await aggregate_export(fmt=fmt, unit="kjfs") for fmt in AGGREGATE_FORMATS}
    assert exports["csv"].filename == "leitbild-puls-kennzahlen-kjfs-staff-pulse.csv"
    csv_rows, xlsx_rows = _aggregate_rows(exports["csv"]), _aggregate_rows(exports["xlsx"])
    assert list(csv_rows[0]) == [
        "unit",
        "unit_name",
        "wave",
        "measure",
        "key",
        "label",
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "top_box",
        "hidden",
    ]
    # CSV and Excel: the same rows and numbers.
    assert len(csv_rows) == len(xlsx_rows)
    for a, b in zip(csv_rows, xlsx_rows, strict=True):
        for column in ("unit", "wave", "measure", "key", "hidden"):
            assert _text(a[column]) == _text(b[column])
        for column in ("n", "mean", "ci_low", "ci_high", "top_box"):
            assert _number(a[column]) == _number(b[column]), (a, column)

    rows = {(r["unit"], r["wave"], r["measure"], r["key"]): r for r in csv_rows}
    latest = figures.waves[-1].wave
    empty = ("n", "mean", "ci_low", "ci_high", "top_box")

    def check(row: dict[str, Any], figure: Score | HiddenFigure | None) -> None:
        if isinstance(figure, HiddenFigure):
            assert row["hidden"] == figure.reason
            assert all(row[c] == "" for c in empty), row
        elif isinstance(figure, Score):
            assert row["hidden"] == ""
            assert int(row["n"]) == figure.n
            assert float(row["mean"]) == pytest.approx(figure.mean, abs=0.05 + 1e-9)
            assert float(row["mean"]) == round(float(row["mean"]), 1)

    # The unit itself, every wave and value.
    for value in figures.values:
        for point in value.series:
            check(rows[("kjfs", point.wave, "value", value.value)], point.score)
    for item in figures.items:
        row = rows[("kjfs", latest, "item", item.item)]
        check(row, item.latest)
        if item.top_box is not None:
            assert float(row["top_box"]) == pytest.approx(item.top_box, abs=0.0005 + 1e-9)
    # Its child units: the smallest ones are hidden, with the reason and no figure.
    hidden_children = set()
    for child in figures.child_scores:
        for value, score in child.scores.items():
            check(rows[(child.unit, latest, "value", value)], score)
            if isinstance(score, HiddenFigure):
                hidden_children.add((child.unit, score.reason))
    reasons = {reason for _, reason in hidden_children}
    assert "below_k" in reasons, hidden_children
    for unit, _ in hidden_children:
        for row in (r for r in csv_rows if r["unit"] == unit):
            assert row["hidden"] and all(row[c] == "" for c in empty), row
    # Respondents of a hidden child: hidden too, although the database has them.
    small = next(unit for unit, reason in hidden_children if reason == "below_k")
    path = next(u.path for u in await list_units() if u.key == small)
    wave_id = (await WaveRow.select(WaveRow.id).where(WaveRow.key == latest).first().run())["id"]
    really = await ResponseRow.count().where(
        (ResponseRow.wave == wave_id) & ResponseRow.unit.path.like(path + "%")
    )
    assert 0 < really < figures.k
    assert rows[(small, latest, "respondents", "")]["n"] == ""
    assert rows[(small, latest, "respondents", "")]["hidden"] == "below_k"


async def test_bad_inputs_are_refused_with_what_to_do(db: str) -> None:
    with pytest.raises(NothingToExport, match="no waves yet"):
        await raw_export(fmt="csv")
    await _demo()
    with pytest.raises(
        NothingToExport, match="no wave with key `puls-1999`: `survey wave list` shows the keys"
    ):
        await raw_export(fmt="csv", waves=[V2_WAVE, "puls-1999"])
    with pytest.raises(
        NothingToExport, match="no unit with key `nirgendwo`: `survey org list` shows the keys"
    ):
        await raw_export(fmt="csv", waves=[V2_WAVE], unit="nirgendwo")
    with pytest.raises(ExportError, match="unknown export format `pdf`: choose one of csv, xlsx, sav"):
        await raw_export(fmt="pdf", waves=[V2_WAVE])
    with pytest.raises(NothingToExport, match="no wave of questionnaire `kantine`"):
        await raw_export(fmt="csv", questionnaire="kantine")
    with pytest.raises(ExportError, match=f"wave `{CITIZEN_WAVE}` is a wave of `citizen-contact`"):
        await raw_export(fmt="csv", waves=[CITIZEN_WAVE], questionnaire="staff-pulse")
    with pytest.raises(ExportError, match="no wave given"):
        await raw_export(fmt="csv", waves=[])
    # A unit no citizen answered in: nothing to export, and the message says where.
    points = {p.unit for p in await list_service_points()}
    units = await list_units()
    quiet = next(u.key for u in units if not any(v.key in points for v in units if v.path.startswith(u.path)))
    with pytest.raises(NothingToExport, match=f"no responses in `{CITIZEN_WAVE}` in unit `{quiet}`"):
        await raw_export(fmt="sav", waves=[CITIZEN_WAVE], unit=quiet)

    with pytest.raises(ExportError, match="format `sav`: SPSS files hold raw data"):
        await aggregate_export(fmt="sav", unit="kjfs")
    with pytest.raises(ExportError, match="unknown export format `xls`: choose one of csv, xlsx"):
        await aggregate_export(fmt="xls", unit="kjfs")
    with pytest.raises(NothingToExport, match="no unit with key `nirgendwo`"):
        await aggregate_export(fmt="csv", unit="nirgendwo")
    with pytest.raises(NothingToExport, match="no open or closed wave of questionnaire `kantine`"):
        await aggregate_export(fmt="csv", unit="kjfs", questionnaire="kantine")


async def test_raw_answers_cover_closed_waves_only_and_say_so(db: str, tmp_path: Path) -> None:
    """A wave that runs (or is a draft) shows nothing but its participation: its raw answers do not
    leave before it has closed. Named, it refuses the whole export; left out, it is skipped."""
    await _demo()
    await WaveRow.update({WaveRow.status: "open"}).where(WaveRow.key == V2_WAVE).run()
    await WaveRow.update({WaveRow.status: "draft"}).where(WaveRow.key == CITIZEN_WAVE).run()
    for fmt in RAW_FORMATS:
        for waves in ([V2_WAVE], [V1_WAVE, V2_WAVE], [CITIZEN_WAVE]):
            with pytest.raises(WaveNotClosed) as refused:
                await raw_export(fmt=fmt, waves=waves)
            message = refused.value.message
            running = V2_WAVE if V2_WAVE in waves else CITIZEN_WAVE
            assert message.template.startswith("not closed yet: %(waves)s. Raw answers are exported only")
            assert message.text() == (
                f"not closed yet: {running}. Raw answers are exported only once a wave has closed; "
                "while it runs, it shows nothing but its participation"
            )
            assert message.hint is None and "survey " not in str(refused.value)

    # Without waves named: the closed ones only, and the file says so.
    export = await raw_export(fmt="sav", questionnaire="staff-pulse")
    _, rows, meta = _read_sav(export, tmp_path)
    assert {row["wave"] for row in rows} == {V1_WAVE}
    assert meta.column_names_to_labels["wave"] == "Befragungsrunde (nur abgeschlossene)"
    notes = "\n".join(meta.notes) if isinstance(meta.notes, list) else str(meta.notes)
    assert "Nur abgeschlossene Befragungsrunden: laufende Runden und Entwürfe werden nicht" in notes
    assert f"{V1_WAVE}: staff-pulse v1, " in notes and V2_WAVE not in notes
    english = await raw_export(fmt="xlsx", lang="en")
    book = openpyxl.load_workbook(io.BytesIO(english.content), read_only=True)
    lines = [row[0] for row in book["Hinweise"].iter_rows(values_only=True)]
    assert lines[:3] == [
        "Leitbild-Puls: raw data, one row per response",
        "Closed waves only: waves still running and drafts are not exported",
        "Waves (all closed):",
    ]
    listed = {str(line).split(":")[0] for line in lines[3:] if str(line).startswith("demo-")}
    assert V1_WAVE in listed and V2_WAVE not in listed and CITIZEN_WAVE not in listed
    variables = {row[0]: row[2] for row in book["Variablen"].iter_rows(values_only=True)}
    assert variables["wave"] == "Survey wave (closed waves only)"

    # No closed wave at all: refused, naming the waves that are not closed yet.
    await WaveRow.update({WaveRow.status: "open"}).where(WaveRow.key == V1_WAVE).run()
    with pytest.raises(
        WaveNotClosed,
        match=f"no wave has closed yet \\(still running or in preparation: `{V1_WAVE}, {V2_WAVE}`\\)",
    ):
        await raw_export(fmt="csv", questionnaire="staff-pulse")
