"""Export files: CSV, Excel and SPSS written from a table of variables and rows, in German or English.

What goes into a file (which waves, which rows, who may have it) is `survey.services.exports`;
this module only writes it. Every writer keeps free text from running as a formula where the file
is opened (CSV injection, OWASP), and an SPSS file keeps SPSS's limits (names, label lengths).
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from survey.domain.figures import HiddenFigure, Score
from survey.domain.questionnaire import Scale, Texts

__all__ = [
    "AGGREGATE_COLUMNS",
    "DATA_SHEET",
    "HIDDEN_REASONS",
    "MEASURES",
    "MEDIA_TYPES",
    "NOTES",
    "NOTES_SHEET",
    "RAW_COLUMNS",
    "SPSS_LABEL_BYTES",
    "THEMES",
    "THEME_LABEL",
    "VARIABLES_SHEET",
    "XLSX_MAX_ROWS",
    "Cell",
    "FileNotWritable",
    "Table",
    "TooManyRows",
    "Variable",
    "WriterMissing",
    "figure_cells",
    "file_language",
    "fit",
    "note_lines",
    "one_decimal",
    "respondent_cells",
    "share",
    "spss_name",
    "text_in",
    "value_labels",
    "write",
]

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
}
#: rows one Excel sheet holds below its header
XLSX_MAX_ROWS = 1_048_575
#: SPSS limits, in bytes of UTF-8
SPSS_NAME_BYTES = 64
SPSS_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
SPSS_NOTE_BYTES = 80
#: SPSS keywords that cannot be variable names
SPSS_RESERVED = frozenset({"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"})


class FileNotWritable(Exception):
    """The table cannot be written in the format asked for; the services say why, in words."""


class TooManyRows(FileNotWritable):
    def __init__(self, rows: int, most: int) -> None:
        super().__init__(f"{rows} rows, {most} at most")
        self.rows, self.most = rows, most


class WriterMissing(FileNotWritable):
    """A package the format needs (pyreadstat, pandas) is not installed."""

    def __init__(self, package: str) -> None:
        super().__init__(f"{package} is not installed")
        self.package = package


Cell = int | float | str | None


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: Literal["number", "text"]
    #: the questionnaire item behind the column; None for the describing columns
    item: str | None = None
    value_labels: dict[int, str] | dict[str, str] = field(default_factory=dict)
    #: SPSS level of measurement: nominal, ordinal or scale
    measure: str = "nominal"
    #: SPSS print format of a number, e.g. F2.0
    spss_format: str | None = None


@dataclass(frozen=True)
class Table:
    variables: list[Variable]
    rows: list[list[Cell]]
    #: SPSS file label (64 bytes at most)
    title: str
    #: SPSS document lines: what the file holds, and which variable is which item
    note: list[str]


# --- the files' own words, in German or English ------------------------------------------------

#: the sheets of an Excel export: the data, what each column means, and (raw data) what the file holds
DATA_SHEET, VARIABLES_SHEET, NOTES_SHEET = "Daten", "Variablen", "Hinweise"
VARIABLES_HEADER = {
    "de": ("Variable", "Item", "Beschriftung", "Wertelabels"),
    "en": ("Variable", "Item", "Label", "Value labels"),
}
RAW_COLUMNS: dict[str, dict[str, str]] = {
    "response_no": {
        "de": "Laufende Nummer der Antwort (keine Kennung)",
        "en": "Running number of the response (not an identifier)",
    },
    "wave": {"de": "Befragungsrunde (nur abgeschlossene)", "en": "Survey wave (closed waves only)"},
    "questionnaire": {"de": "Fragebogen", "en": "Questionnaire"},
    "version": {"de": "Version des Fragebogens", "en": "Questionnaire version"},
    "unit": {"de": "Organisationseinheit", "en": "Organisational unit"},
    "service_point": {
        "de": "Servicestelle (nur Bürgerbefragungen)",
        "en": "Service point (citizen surveys only)",
    },
    "language": {"de": "Sprache der Antwort", "en": "Language of the response"},
}
#: the column of a free-text item's theme codes (the codebook's theme keys, space-separated)
THEMES = ":themes"
THEME_LABEL = {"de": "Themen-Codes zu %(item)s (Codebuch)", "en": "Theme codes of %(item)s (codebook)"}
AGGREGATE_COLUMNS: dict[str, dict[str, str]] = {
    "unit": {"de": "Organisationseinheit", "en": "Organisational unit"},
    "unit_name": {"de": "Name der Organisationseinheit", "en": "Name of the organisational unit"},
    "wave": {"de": "Befragungsrunde", "en": "Survey wave"},
    "measure": {"de": "Kennzahl", "en": "Measure"},
    "key": {"de": "Wert oder Item", "en": "Value or item"},
    "label": {"de": "Bezeichnung", "en": "Name"},
    "n": {"de": "Anzahl Antwortende", "en": "Number of respondents"},
    "mean": {"de": "Mittelwert (0–100)", "en": "Mean score (0–100)"},
    "ci_low": {"de": "95-%-Intervall, untere Grenze", "en": "95 % interval, lower bound"},
    "ci_high": {"de": "95-%-Intervall, obere Grenze", "en": "95 % interval, upper bound"},
    "top_box": {"de": "Anteil Zustimmung (Top-Box, 0–1)", "en": "Top-box share (0–1)"},
    "hidden": {"de": "Verborgen, Grund", "en": "Hidden, reason"},
}
MEASURES = {
    "de": {
        "respondents": "Antwortende",
        "value": "Wert des Leitbilds",
        "item": "Item (letzte Befragungsrunde)",
    },
    "en": {
        "respondents": "Respondents",
        "value": "Value of the mission statement",
        "item": "Item (latest wave)",
    },
}
HIDDEN_REASONS = {
    "de": {
        "below_k": "weniger Antwortende als die Mindestgröße der Gruppe",
        "secondary": (
            "verborgen, damit sich eine kleinere Gruppe nicht durch Differenzbildung erschließen lässt"
        ),
        "other_side_hidden": "eine der verglichenen Gruppen ist verborgen",
        "wave_open": "die Befragungsrunde läuft noch: Ergebnisse erscheinen nach ihrem Ende",
        "few_changed": "zu wenige Antwortende mehr oder weniger als in der zuletzt gezeigten Runde",
    },
    "en": {
        "below_k": "fewer respondents than the smallest group shown",
        "secondary": "hidden so that a smaller group cannot be worked out by difference",
        "other_side_hidden": "one of the compared groups is hidden",
        "wave_open": "the wave is still open: its results are shown once it has closed",
        "few_changed": "too few respondents more or fewer than in the last wave shown",
    },
}
NOTES = {
    "de": {
        "raw": "Leitbild-Puls: Rohdaten, eine Zeile je Antwort",
        "closed": (
            "Nur abgeschlossene Befragungsrunden: laufende Runden und Entwürfe werden nicht exportiert"
        ),
        "waves": "Befragungsrunden (alle abgeschlossen):",
        "missing": "Fehlend: keine Angabe oder in der Version dieser Runde nicht gefragt",
        "names": "Variable = Item-ID:",
    },
    "en": {
        "raw": "Leitbild-Puls: raw data, one row per response",
        "closed": "Closed waves only: waves still running and drafts are not exported",
        "waves": "Waves (all closed):",
        "missing": "Missing: no answer, or not asked in the version of that wave",
        "names": "Variable = item id:",
    },
}


def file_language(lang: str) -> str:
    """The language of the export's own words: German or English (German for any other)."""
    return lang if lang in ("de", "en") else "de"


def text_in(texts: Texts, lang: str) -> str:
    """The text in `lang`, else German, else any language the file has."""
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")


def texts_in(texts: dict[str, list[str]], lang: str) -> list[str]:
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), [])


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes of UTF-8 at a character boundary, marked with an ellipsis."""
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - len("…".encode())].decode(errors="ignore")
    return cut.rstrip() + "…"


def note_lines(lines: list[str]) -> list[str]:
    """SPSS document lines hold 80 bytes each: longer lines go on over the next ones."""
    out = []
    for line in lines:
        while len(line.encode()) > SPSS_NOTE_BYTES:
            head = line.encode()[:SPSS_NOTE_BYTES].decode(errors="ignore")
            out.append(head)
            line = line[len(head) :]
        out.append(line)
    return out


def spss_name(item_id: str, taken: set[str]) -> str:
    """A valid SPSS variable name for `item_id`, unique (ignoring case) among `taken`.

    Item ids are lowercase words joined by hyphens: the hyphens become underscores; a leading
    digit gets a `v` in front; keywords such as `to` or `with` and clashes get a number.
    """
    name = re.sub(r"[^A-Za-z0-9_.]", "_", item_id)
    if not name or not name[0].isalpha():
        name = "v" + name
    name = name[:SPSS_NAME_BYTES].rstrip("._") or "v"
    candidate, number = name, 1
    while candidate.upper() in SPSS_RESERVED or candidate.lower() in taken:
        number += 1
        suffix = f"_{number}"
        candidate = name[: SPSS_NAME_BYTES - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def value_labels(scale: Scale, lang: str) -> dict[int, str]:
    """The answer codes' labels; on 0–10 only the two ends carry one."""
    labels: dict[int, str] = {}
    match scale.type:
        case "likert-5" | "yes-no":
            labels = dict(zip(scale.codes, texts_in(scale.labels, lang), strict=False))
        case "scale-0-10":
            anchors = texts_in(scale.anchors, lang)
            if anchors:
                labels = {0: anchors[0], 10: anchors[-1]}
        case "single-choice":
            labels = {option.code: text_in(option.label, lang) for option in scale.options}
    return {code: fit(label, SPSS_VALUE_LABEL_BYTES) for code, label in labels.items()}


# --- figures as cells ------------------------------------------------------------------------------


def one_decimal(x: float | None) -> float | None:
    """Scores as the reports print them: one decimal, half up (survey.report.format.number)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def share(x: float | None) -> float | None:
    """A share 0–1 as the reports print its percent: `53,8 %` is 0.538."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(Decimal(str(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def figure_cells(figure: Score | HiddenFigure | None) -> list[Cell]:
    """n, mean, low, high, top-box (left to the caller) and the hidden reason."""
    if isinstance(figure, HiddenFigure):
        return [None, None, None, None, None, figure.reason]
    if figure is None:
        return [None, None, None, None, None, None]
    return [
        figure.n,
        one_decimal(figure.mean),
        one_decimal(figure.low),
        one_decimal(figure.high),
        None,
        None,
    ]


def respondent_cells(respondents: object) -> list[Cell]:
    if isinstance(respondents, HiddenFigure):
        return [None, None, None, None, None, respondents.reason]
    if isinstance(respondents, dict) and respondents.get("hidden"):
        return [None, None, None, None, None, str(respondents.get("reason", ""))]
    if isinstance(respondents, int):
        return [respondents, None, None, None, None, None]
    return [None, None, None, None, None, None]


# --- writers -------------------------------------------------------------------------------------


def write(table: Table, fmt: str, lang: str) -> bytes:
    if fmt == "csv":
        return _csv(table)
    if fmt == "xlsx":
        return _xlsx(table, lang)
    return _sav(table)


#: a spreadsheet reads a cell starting with one of these as a formula (CSV injection, OWASP)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # A free text written by anyone must not run as a formula where the file is opened: the
        # leading apostrophe makes it text in Excel and LibreOffice; the rest stays as typed.
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def _csv(table: Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([v.name for v in table.variables])
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def _labels_text(labels: dict[int, str] | dict[str, str]) -> str:
    return "; ".join(f"{code} = {label}" for code, label in labels.items())


def _xlsx(table: Table, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if len(table.rows) > XLSX_MAX_ROWS:
        raise TooManyRows(len(table.rows), XLSX_MAX_ROWS)
    book = Workbook(write_only=True)
    data: WriteOnlyWorksheet = book.create_sheet(DATA_SHEET)
    data.freeze_panes = "A2"
    sheet = book.create_sheet(VARIABLES_SHEET)
    sheet.freeze_panes = "A2"

    def cell(value: Cell, on: WriteOnlyWorksheet) -> object:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value:
            return None
        if value.startswith(_FORMULA_START):
            # Kept as the very text it is, never as a formula: a text cell marked with Excel's own
            # leading apostrophe (quotePrefix), so that editing the cell does not turn it into one.
            text = WriteOnlyCell(on, value=value)
            text.data_type = "s"
            text.quotePrefix = True
            return text
        return value

    data.append([v.name for v in table.variables])
    for row in table.rows:
        data.append([cell(c, data) for c in row])
    sheet.append(list(VARIABLES_HEADER[file_language(lang)]))
    for v in table.variables:
        described = (v.name, v.item, v.label, _labels_text(v.value_labels) or None)
        sheet.append([cell(c, sheet) for c in described])
    if table.note:
        # the notes SPSS keeps as its document: which waves, closed waves only, what is missing
        notes: WriteOnlyWorksheet = book.create_sheet(NOTES_SHEET)
        for line in table.note:
            notes.append([cell(line, notes)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sav(table: Table) -> bytes:
    try:
        import numpy as np
        import pandas as pd
        import pyreadstat
    except ImportError as exc:  # pandas is what pyreadstat writes from
        raise WriterMissing(exc.name or "pyreadstat") from exc

    columns: dict[str, object] = {}
    for index, variable in enumerate(table.variables):
        values: Sequence[Cell] = [row[index] for row in table.rows]
        if variable.kind == "text":
            # SPSS strings have no system-missing value: an empty string stands for none
            columns[variable.name] = pd.Series(["" if v is None else str(v) for v in values], dtype=object)
        else:
            columns[variable.name] = pd.Series(
                [np.nan if v is None else float(v) for v in values], dtype="float64"
            )
    frame = pd.DataFrame(columns)
    with tempfile.TemporaryDirectory(prefix="leitbild-puls-") as folder:
        path = Path(folder) / "export.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=fit(table.title, 64),
            column_labels={v.name: v.label for v in table.variables},
            note=note_lines(table.note) or None,
            variable_value_labels={
                v.name: dict(v.value_labels) for v in table.variables if v.value_labels and v.kind == "number"
            },
            variable_measure={v.name: v.measure for v in table.variables},
            variable_format={v.name: v.spss_format for v in table.variables if v.spss_format},
        )
        return path.read_bytes()
