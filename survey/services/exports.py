"""Data exports: raw responses for analysts and admins, suppressed aggregates for everyone else.

`raw_export` writes one row per response (CSV, Excel, SPSS) with the questionnaire's item texts
as variable labels and its scale labels as value labels; `aggregate_export` writes only the
figures `survey.services.figures.unit_figures` lets out, after suppression. Who may have which
export and the audit log entry are the web layer's business; this module only builds the file.

Raw exports cover closed waves only: while a wave runs it shows nothing but its participation,
so its answers and free texts do not leave the database before it has closed (`WaveNotClosed`).
The file says so in its notes (SPSS document, the Excel sheet "Hinweise").

What a raw row leaves out on purpose: the stored response id (a running number stands in for it,
numbered in an order that says nothing about when anyone answered) and the submit day (timing
could single people out).
"""

from __future__ import annotations

import asyncio
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

from survey.domain import QuestionnaireVersion
from survey.domain.figures import HiddenFigure, Score, UnitFigures
from survey.domain.questionnaire import Scale, Texts
from survey.errors import N_, Code, SurveyError
from survey.services.figures import unit_figures
from survey.store import exports as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.catalog import load_leitbild, load_published_version
from survey.store.waves import StoredWave

__all__ = [
    "AGGREGATE_FORMATS",
    "RAW_FORMATS",
    "ExportError",
    "ExportFile",
    "NothingToExport",
    "WaveNotClosed",
    "aggregate_export",
    "raw_export",
    "spss_name",
]

RAW_FORMATS = ("csv", "xlsx", "sav")
AGGREGATE_FORMATS = ("csv", "xlsx")
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


class ExportError(SurveyError):
    """An export cannot be made as asked; the message names the value and what to do."""


class WaveNotClosed(ExportError):
    """Raw answers asked for of a wave that is still running or a draft: refused as a whole."""


class NothingToExport(ExportError):
    """No such wave, questionnaire or unit, or no responses there: nothing to export."""


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


Cell = int | float | str | None


@dataclass(frozen=True)
class _Variable:
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
class _Table:
    variables: list[_Variable]
    rows: list[list[Cell]]
    #: SPSS file label (64 bytes at most)
    title: str
    #: SPSS document lines: what the file holds, and which variable is which item
    note: list[str]


# --- texts in the requested language ---------------------------------------------------------------

#: the sheets of an Excel export: the data, what each column means, and (raw data) what the file holds
DATA_SHEET, VARIABLES_SHEET, NOTES_SHEET = "Daten", "Variablen", "Hinweise"
_VARIABLES_HEADER = {
    "de": ("Variable", "Item", "Beschriftung", "Wertelabels"),
    "en": ("Variable", "Item", "Label", "Value labels"),
}
_RAW_COLUMNS: dict[str, dict[str, str]] = {
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
_AGGREGATE_COLUMNS: dict[str, dict[str, str]] = {
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
_MEASURES = {
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
_REASONS = {
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
_NOTES = {
    "de": {
        "raw": "Leitbild-Puls: Rohdaten, eine Zeile je Antwort",
        "closed": (
            "Nur abgeschlossene Befragungsrunden: laufende Runden und Entwürfe werden nicht exportiert"
        ),
        "waves": "Befragungsrunden (alle abgeschlossen):",
        "missing": "Fehlend: keine Angabe oder in der Version dieser Welle nicht gefragt",
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


def _lang(lang: str) -> str:
    """The language of the export's own words: German or English (German for any other)."""
    return lang if lang in ("de", "en") else "de"


def _text(texts: Texts, lang: str) -> str:
    """The text in `lang`, else German, else any language the file has."""
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")


def _texts(texts: dict[str, list[str]], lang: str) -> list[str]:
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), [])


def _fit(text: str, limit: int) -> str:
    """`text` cut to `limit` bytes of UTF-8 at a character boundary, marked with an ellipsis."""
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - len("…".encode())].decode(errors="ignore")
    return cut.rstrip() + "…"


def _note_lines(lines: list[str]) -> list[str]:
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


def _value_labels(scale: Scale, lang: str) -> dict[int, str]:
    """The answer codes' labels; on 0–10 only the two ends carry one."""
    labels: dict[int, str] = {}
    match scale.type:
        case "likert-5" | "yes-no":
            labels = dict(zip(scale.codes, _texts(scale.labels, lang), strict=False))
        case "scale-0-10":
            anchors = _texts(scale.anchors, lang)
            if anchors:
                labels = {0: anchors[0], 10: anchors[-1]}
        case "single-choice":
            labels = {option.code: _text(option.label, lang) for option in scale.options}
    return {code: _fit(label, SPSS_VALUE_LABEL_BYTES) for code, label in labels.items()}


def _check_format(fmt: str, allowed: tuple[str, ...], what: str) -> str:
    normal = fmt.strip().lower().lstrip(".")
    if normal in allowed:
        return normal
    formats = ", ".join(allowed)
    if what == "aggregate" and normal == "sav":
        raise ExportError(
            N_(
                "format %(format)s: SPSS files hold raw data, which only analysts and admins export; "
                "aggregates come as %(formats)s"
            ),
            format=Code("sav"),
            formats=formats,
        )
    raise ExportError(
        N_("unknown export format %(format)s: choose one of %(formats)s"), format=Code(fmt), formats=formats
    )


def _filename(*parts: str, fmt: str) -> str:
    stem = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts if p)
    return f"{stem}.{fmt}"


# --- raw data ------------------------------------------------------------------------------------


def _keys(waves: list[StoredWave]) -> Code:
    return Code(", ".join(w.key for w in waves))


async def _chosen_waves(keys: list[str] | None, questionnaire: str | None) -> list[StoredWave]:
    """The closed waves asked for; every closed one (of `questionnaire`) for None."""
    every = await wave_store.list_waves()
    if keys is None:
        candidates = [w for w in every if questionnaire is None or w.questionnaire == questionnaire]
        if not candidates and questionnaire is None:
            raise NothingToExport(
                N_("no waves yet: nothing to export"), hint="create one with `survey wave create`"
            )
        if not candidates:
            known = ", ".join(sorted({w.questionnaire for w in every})) or "–"
            raise NothingToExport(
                N_(
                    "no wave of questionnaire %(questionnaire)s (questionnaires with waves: %(known)s): "
                    "check the name, or leave the questionnaire out"
                ),
                questionnaire=Code(questionnaire),
                known=known,
            )
        closed = [w for w in candidates if w.status == "closed"]
        if not closed:
            raise WaveNotClosed(
                N_(
                    "no wave has closed yet (still running or in preparation: %(waves)s): raw "
                    "answers are exported once a wave has closed; while it runs, it shows nothing "
                    "but its participation"
                ),
                waves=_keys(candidates),
            )
        return closed
    if not keys:
        raise ExportError(N_("no wave given: name at least one wave, or none for every closed wave"))
    by_key = {w.key: w for w in every}
    for key in keys:
        if key not in by_key:
            raise NothingToExport(
                N_("no wave with key %(wave)s"), wave=Code(key), hint="`survey wave list` shows the keys"
            )
        found = by_key[key]
        if questionnaire is not None and found.questionnaire != questionnaire:
            raise ExportError(
                N_(
                    "wave %(wave)s is a wave of %(questionnaire)s, not of %(asked)s: "
                    "leave the wave or the questionnaire out"
                ),
                wave=Code(key),
                questionnaire=Code(found.questionnaire),
                asked=Code(questionnaire),
            )
    wanted = set(keys)
    chosen = [w for w in every if w.key in wanted]
    running = [w for w in chosen if w.status != "closed"]
    if running:
        # Refused as a whole: a file without the open wave would look complete, and nothing of
        # a running wave (answers, free text, even its number of rows per unit) leaves early.
        raise WaveNotClosed(
            N_(
                "not closed yet: %(waves)s. Raw answers are exported only once a wave has closed; "
                "while it runs, it shows nothing but its participation"
            ),
            waves=_keys(running),
        )
    return chosen


async def _versions(waves: list[StoredWave]) -> list[QuestionnaireVersion]:
    """The waves' versions in a stable order: questionnaires as their first wave comes, each
    questionnaire's versions by number."""
    first_seen: dict[str, int] = {}
    for index, wave in enumerate(waves):
        first_seen.setdefault(wave.questionnaire, index)
    pairs = sorted({(w.questionnaire, w.version) for w in waves}, key=lambda p: (first_seen[p[0]], p[1]))
    versions = []
    for questionnaire, number in pairs:
        version = await load_published_version(questionnaire, number)
        if version is None:
            raise ExportError(
                N_("%(questionnaire)s v%(number)d is not published although a wave uses it"),
                questionnaire=Code(questionnaire),
                number=number,
                hint="run `survey questionnaires publish` and try again",
            )
        versions.append(version)
    return versions


def _item_variables(versions: list[QuestionnaireVersion], taken: set[str], lang: str) -> list[_Variable]:
    """One column per item id across the versions, in order of first appearance; texts and
    labels from the newest version that has the item (an editorial change keeps the id)."""
    order: list[str] = []
    newest: dict[str, QuestionnaireVersion] = {}
    for version in versions:
        for item in version.items:
            if item.id not in newest:
                order.append(item.id)
            else:
                before = newest[item.id]
                if before.scale_of(before.item(item.id)).is_text != version.scale_of(item).is_text:
                    raise ExportError(
                        N_(
                            "item %(item)s is free text in one of %(first)s, %(second)s and an answer "
                            "scale in the other: export these questionnaires one at a time"
                        ),
                        item=Code(item.id),
                        first=before.label,
                        second=version.label,
                    )
            newest[item.id] = version
    variables = []
    for item_id in order:
        version = newest[item_id]
        item = version.item(item_id)
        scale = version.scale_of(item)
        name = spss_name(item_id, taken)
        suffix = "" if name == item_id else f" [{item_id}]"
        label = _fit(_text(item.text, lang), SPSS_LABEL_BYTES - len(suffix.encode())) + suffix
        if scale.is_text:
            variables.append(_Variable(name, label, "text", item_id))
            continue
        width = max((len(str(code)) for code in scale.codes), default=1)
        variables.append(
            _Variable(
                name,
                label,
                "number",
                item_id,
                _value_labels(scale, lang),
                "ordinal" if scale.type in ("likert-5", "scale-0-10") else "nominal",
                f"F{width}.0",
            )
        )
    return variables


async def _unit_ids(unit: str | None) -> tuple[list[int] | None, dict[str, str]]:
    """Ids of the unit's subtree (None: every unit) and every unit's path by key."""
    units = await org_store.list_units(include_retired=True)
    paths = {u.key: u.path for u in units}
    if unit is None:
        return None, paths
    target = next((u for u in units if u.key == unit), None)
    if target is None:
        raise NothingToExport(
            N_("no unit with key %(unit)s"), unit=Code(unit), hint="`survey org list` shows the keys"
        )
    return [u.id for u in units if u.path.startswith(target.path)], paths


async def raw_export(
    *,
    fmt: str,
    waves: list[str] | None = None,
    questionnaire: str | None = None,
    unit: str | None = None,
    lang: str = "de",
) -> ExportFile:
    """Every response of the waves (None: every closed wave, of `questionnaire` if given) in the
    unit's subtree (None: everywhere), one row each, as CSV, Excel or SPSS.

    Closed waves only: naming a wave that is not closed refuses the whole export (`WaveNotClosed`).
    """
    fmt = _check_format(fmt, RAW_FORMATS, "raw")
    chosen = await _chosen_waves(waves, questionnaire)
    unit_ids, paths = await _unit_ids(unit)
    versions = await _versions(chosen)
    lang_columns = {c: texts[_lang(lang)] for c, texts in _RAW_COLUMNS.items()}
    taken = {c.lower() for c in _RAW_COLUMNS}
    describing = [
        _Variable(
            "response_no", lang_columns["response_no"], "number", measure="nominal", spss_format="F8.0"
        ),
        _Variable("wave", lang_columns["wave"], "text"),
        _Variable("questionnaire", lang_columns["questionnaire"], "text"),
        _Variable("version", lang_columns["version"], "number", measure="ordinal", spss_format="F3.0"),
        _Variable("unit", lang_columns["unit"], "text"),
        _Variable("service_point", lang_columns["service_point"], "text"),
        _Variable("language", lang_columns["language"], "text"),
    ]
    items = _item_variables(versions, taken, lang)

    wave_ids = [w.id for w in chosen]
    responses = await store.responses(wave_ids, unit_ids)
    if not responses:
        hint = "`survey wave list` shows which waves have responses"
        if unit:
            raise NothingToExport(
                N_("no responses in %(waves)s in unit %(unit)s and below: nothing to export"),
                waves=_keys(chosen),
                unit=Code(unit),
                hint=hint,
            )
        raise NothingToExport(
            N_("no responses in %(waves)s: nothing to export"), waves=_keys(chosen), hint=hint
        )
    wave_of = {w.id: (index, w) for index, w in enumerate(chosen)}
    # Random ids sort in no meaningful order: the running numbers tell nothing about timing.
    responses.sort(key=lambda r: (wave_of[r.wave][0], paths.get(r.unit, ""), r.service_point or "", r.id))
    column = {v.item: len(describing) + i for i, v in enumerate(items)}
    rows: dict[str, list[Cell]] = {}
    for number, response in enumerate(responses, start=1):
        wave = wave_of[response.wave][1]
        rows[response.id] = [
            number,
            wave.key,
            wave.questionnaire,
            wave.version,
            response.unit,
            response.service_point or "",
            response.language,
            *([None] * len(items)),
        ]
    for answer in await store.answers(wave_ids, unit_ids):
        # An item outside the published versions cannot have been asked: nothing to show.
        if answer.response in rows and answer.item in column:
            rows[answer.response][column[answer.item]] = answer.value
    for text in await store.texts(wave_ids, unit_ids):
        if text.response in rows and text.item in column:
            rows[text.response][column[text.item]] = text.text

    notes = _NOTES[_lang(lang)]
    renamed = [f"{v.name} = {v.item}" for v in items if v.item and v.name != v.item]
    table = _Table(
        [*describing, *items],
        list(rows.values()),
        "Leitbild-Puls",
        [
            notes["raw"],
            notes["closed"],
            notes["waves"],
            *(f"{w.key}: {w.questionnaire} v{w.version}, {w.opens_on} – {w.closes_on}" for w in chosen),
            notes["missing"],
            *([notes["names"], *renamed] if renamed else []),
        ],
    )
    if waves is None:
        scope = [questionnaire or "alle-frageboegen", "alle-wellen"]
    elif len(chosen) == 1:
        scope = [chosen[0].key]
    else:
        scope = [chosen[0].key, "bis", chosen[-1].key]
    filename = _filename("leitbild-puls-rohdaten", *scope, unit or "", fmt=fmt)
    content = await asyncio.to_thread(_write, table, fmt, lang)
    return ExportFile(filename, MEDIA_TYPES[fmt], content)


# --- suppressed aggregates -----------------------------------------------------------------------


def _one_decimal(x: float | None) -> float | None:
    """Scores as the reports print them: one decimal, half up (survey.report.format.number)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(Decimal(str(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _share(x: float | None) -> float | None:
    """A share 0–1 as the reports print its percent: `53,8 %` is 0.538."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(Decimal(str(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def _figure_cells(figure: Score | HiddenFigure | None) -> list[Cell]:
    """n, mean, low, high, top-box (left to the caller) and the hidden reason."""
    if isinstance(figure, HiddenFigure):
        return [None, None, None, None, None, figure.reason]
    if figure is None:
        return [None, None, None, None, None, None]
    return [
        figure.n,
        _one_decimal(figure.mean),
        _one_decimal(figure.low),
        _one_decimal(figure.high),
        None,
        None,
    ]


def _respondent_cells(respondents: object) -> list[Cell]:
    if isinstance(respondents, HiddenFigure):
        return [None, None, None, None, None, respondents.reason]
    if isinstance(respondents, dict) and respondents.get("hidden"):
        return [None, None, None, None, None, str(respondents.get("reason", ""))]
    if isinstance(respondents, int):
        return [respondents, None, None, None, None, None]
    return [None, None, None, None, None, None]


async def _aggregate_rows(figures: UnitFigures, lang: str) -> list[list[Cell]]:
    measures = _MEASURES[_lang(lang)]
    newest = (
        await load_published_version(figures.questionnaire, figures.waves[-1].version)
        if figures.waves
        else None
    )
    leitbild = await load_leitbild(newest.leitbild) if newest else None
    value_names = {v.key: _text(v.name, lang) for v in (leitbild.values if leitbild else [])}
    item_texts = {i.id: _text(i.text, lang) for i in (newest.items if newest else [])}
    latest = figures.waves[-1].wave if figures.waves else ""
    here = [figures.unit, figures.name]
    rows: list[list[Cell]] = []
    for summary in figures.waves:
        rows.append(
            [
                *here,
                summary.wave,
                "respondents",
                "",
                measures["respondents"],
                *_respondent_cells(summary.respondents),
            ]
        )
    for value in figures.values:
        name = value_names.get(value.value, value.name)
        for point in value.series:
            if point.asked:  # a wave whose questionnaire does not ask the value has no row for it
                rows.append([*here, point.wave, "value", value.value, name, *_figure_cells(point.score)])
    for item in figures.items:
        cells = _figure_cells(item.latest)
        if isinstance(item.latest, Score):
            cells[4] = _share(item.top_box)
        rows.append([*here, latest, "item", item.item, item_texts.get(item.item, item.text), *cells])
    # Child units: the latest wave only, as the unit's figures carry them (the heatmap).
    scores_of = {c.unit: c.scores for c in figures.child_scores}
    not_asked = {v.value for v in figures.values if v.series and not v.series[-1].asked}
    for child in figures.children:
        key, name = str(child["unit"]), str(child["name"])
        there = [key, name, latest]
        rows.append(
            [*there, "respondents", "", measures["respondents"], *_respondent_cells(child["respondents"])]
        )
        for value, score in scores_of.get(key, {}).items():
            if value in not_asked:
                continue
            rows.append([*there, "value", value, value_names.get(value, value), *_figure_cells(score)])
    return rows


async def aggregate_export(
    *, fmt: str, unit: str, questionnaire: str = "staff-pulse", lang: str = "de"
) -> ExportFile:
    """The unit's and its child units' figures as the reports show them, hidden ones with their
    reason: one row per unit, wave and value (and the items of the latest wave)."""
    fmt = _check_format(fmt, AGGREGATE_FORMATS, "aggregate")
    try:
        figures = await unit_figures(unit, questionnaire)
    except SurveyError as exc:  # no such unit or questionnaire, or no wave with figures yet
        raise NothingToExport(exc.message) from exc
    language = _lang(lang)
    label = {c: texts[language] for c, texts in _AGGREGATE_COLUMNS.items()}
    measures = _MEASURES[language]
    variables = [
        _Variable("unit", label["unit"], "text"),
        _Variable("unit_name", label["unit_name"], "text"),
        _Variable("wave", label["wave"], "text"),
        _Variable("measure", label["measure"], "text", value_labels=dict(measures)),
        _Variable("key", label["key"], "text"),
        _Variable("label", label["label"], "text"),
        _Variable("n", label["n"], "number", measure="scale", spss_format="F8.0"),
        _Variable("mean", label["mean"], "number", measure="scale", spss_format="F5.1"),
        _Variable("ci_low", label["ci_low"], "number", measure="scale", spss_format="F5.1"),
        _Variable("ci_high", label["ci_high"], "number", measure="scale", spss_format="F5.1"),
        _Variable("top_box", label["top_box"], "number", measure="scale", spss_format="F5.3"),
        _Variable("hidden", label["hidden"], "text", value_labels=dict(_REASONS[language])),
    ]
    table = _Table(variables, await _aggregate_rows(figures, lang), "Leitbild-Puls", [])
    filename = _filename("leitbild-puls-kennzahlen", figures.unit, questionnaire, fmt=fmt)
    content = await asyncio.to_thread(_write, table, fmt, lang)
    return ExportFile(filename, MEDIA_TYPES[fmt], content)


# --- writers -------------------------------------------------------------------------------------


def _write(table: _Table, fmt: str, lang: str) -> bytes:
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


def _csv(table: _Table) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([v.name for v in table.variables])
    writer.writerows([_csv_cell(c) for c in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


def _labels_text(labels: dict[int, str] | dict[str, str]) -> str:
    return "; ".join(f"{code} = {label}" for code, label in labels.items())


def _xlsx(table: _Table, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if len(table.rows) > XLSX_MAX_ROWS:
        raise ExportError(
            N_(
                "%(rows)s rows do not fit on one Excel sheet (%(most)s at most): export as CSV or "
                "SPSS, or fewer waves or a smaller unit"
            ),
            rows=f"{len(table.rows):,}",
            most=f"{XLSX_MAX_ROWS:,}",
        )
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
    sheet.append(list(_VARIABLES_HEADER[_lang(lang)]))
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


def _sav(table: _Table) -> bytes:
    try:
        import numpy as np
        import pandas as pd
        import pyreadstat
    except ImportError as exc:  # pandas is what pyreadstat writes from
        raise ExportError(
            N_("SPSS export needs %(package)s, which is not installed: export as CSV"),
            package=exc.name or "pyreadstat",
            hint="install it (`pip install pandas pyreadstat`)",
        ) from exc

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
            file_label=_fit(table.title, 64),
            column_labels={v.name: v.label for v in table.variables},
            note=_note_lines(table.note) or None,
            variable_value_labels={
                v.name: dict(v.value_labels) for v in table.variables if v.value_labels and v.kind == "number"
            },
            variable_measure={v.name: v.measure for v in table.variables},
            variable_format={v.name: v.spss_format for v in table.variables if v.spss_format},
        )
        return path.read_bytes()
