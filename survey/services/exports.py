"""Data exports: raw responses for analysts and admins, suppressed aggregates for everyone else.

`raw_export` writes one row per response (CSV, Excel, SPSS) with the questionnaire's item texts
as variable labels and its scale labels as value labels; `aggregate_export` writes only the
figures `survey.services.figures.unit_figures` lets out, after suppression. Who may have which
export and the audit log entry are the web layer's business; this module decides what goes into
the file (which waves, which rows, which columns) and `survey.report.files` writes it.

Raw exports cover closed waves only: while a wave runs it shows nothing but its participation,
so its answers and free texts do not leave the database before it has closed (`WaveNotClosed`).
The file says so in its notes (SPSS document, the Excel sheet "Hinweise").

What a raw row leaves out on purpose: the stored response id (a running number stands in for it,
numbered in an order that says nothing about when anyone answered) and the submit day (timing
could single people out).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from survey.domain import QuestionnaireVersion
from survey.domain.figures import Score, UnitFigures
from survey.errors import N_, Code, SurveyError
from survey.report import files
from survey.report.files import (
    AGGREGATE_COLUMNS,
    HIDDEN_REASONS,
    MEASURES,
    MEDIA_TYPES,
    NOTES,
    RAW_COLUMNS,
    SPSS_LABEL_BYTES,
    THEME_LABEL,
    THEMES,
    Cell,
    Table,
    Variable,
    figure_cells,
    file_language,
    fit,
    respondent_cells,
    share,
    spss_name,
    text_in,
    value_labels,
)
from survey.services.comments import codes_of, wave_codebook
from survey.services.exports_common import ExportError, check_format, export_filename
from survey.services.figures import series_over, unit_figures
from survey.store import exports as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.catalog import load_leitbild, load_published_version
from survey.store.waves import Wave

__all__ = [
    "AGGREGATE_FORMATS",
    "MEDIA_TYPES",
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


class WaveNotClosed(ExportError):
    """Raw answers asked for of a wave that is still running or a draft: refused as a whole."""


class NothingToExport(ExportError):
    """No such wave, questionnaire or unit, or no responses there: nothing to export."""


@dataclass(frozen=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


# --- raw data ------------------------------------------------------------------------------------


def _keys(waves: list[Wave]) -> Code:
    return Code(", ".join(w.key for w in waves))


async def _chosen_waves(keys: list[str] | None, questionnaire: str | None) -> list[Wave]:
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


async def _versions(waves: list[Wave]) -> list[QuestionnaireVersion]:
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


def _item_variables(versions: list[QuestionnaireVersion], taken: set[str], lang: str) -> list[Variable]:
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
        label = fit(text_in(item.text, lang), SPSS_LABEL_BYTES - len(suffix.encode())) + suffix
        if scale.is_text:
            variables.append(Variable(name, label, "text", item_id))
            # the theme codes of the codebook (survey.services.comments), space-separated
            themes = spss_name(f"{item_id}_themen", taken)
            theme_label = THEME_LABEL[file_language(lang)] % {"item": item_id}
            variables.append(Variable(themes, theme_label, "text", item_id + THEMES))
            continue
        width = max((len(str(code)) for code in scale.codes), default=1)
        variables.append(
            Variable(
                name,
                label,
                "number",
                item_id,
                value_labels(scale, lang),
                "ordinal" if scale.type in ("likert-5", "scale-0-10") else "nominal",
                f"F{width}.0",
            )
        )
    return variables


async def _unit_ids(
    unit: str | None, chosen: list[Wave]
) -> tuple[dict[int, list[int]] | None, dict[str, str]]:
    """Per wave the ids of the units whose responses belong to the unit there (None: every
    unit), and every unit's path by key. A wave is read in the organisation it ran with, across a
    reorganisation as the unit's figures are: its subtree then, a merged unit's predecessors, a
    split successor's predecessor (survey.domain.lineage)."""
    units = await org_store.list_units(include_retired=True)
    paths = {u.key: u.path for u in units}
    if unit is None:
        return None, paths
    target = next((u for u in units if u.key == unit), None)
    if target is None:
        raise NothingToExport(
            N_("no unit with key %(unit)s"), unit=Code(unit), hint="`survey org list` shows the keys"
        )
    series = await series_over(target.id, chosen)
    return {w.id: sorted(series.of(w.id)) for w in chosen}, paths


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
    fmt = check_format(fmt, RAW_FORMATS, "raw")
    chosen = await _chosen_waves(waves, questionnaire)
    unit_ids, paths = await _unit_ids(unit, chosen)
    versions = await _versions(chosen)
    describing = _describing_variables(lang)
    items = _item_variables(versions, {c.lower() for c in RAW_COLUMNS}, lang)
    rows = await _raw_rows(chosen, unit, unit_ids, paths, len(describing), items)
    notes = NOTES[file_language(lang)]
    renamed = [f"{v.name} = {v.item}" for v in items if v.item and v.name != v.item]
    table = Table(
        [*describing, *items],
        rows,
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
    filename = export_filename("leitbild-puls-rohdaten", *scope, unit or "", fmt=fmt)
    content = await asyncio.to_thread(_write, table, fmt, lang)
    return ExportFile(filename, MEDIA_TYPES[fmt], content)


def _describing_variables(lang: str) -> list[Variable]:
    """The columns before the items: which response, wave, version, unit, service point, language."""
    label = {c: texts[file_language(lang)] for c, texts in RAW_COLUMNS.items()}
    return [
        Variable("response_no", label["response_no"], "number", measure="nominal", spss_format="F8.0"),
        Variable("wave", label["wave"], "text"),
        Variable("questionnaire", label["questionnaire"], "text"),
        Variable("version", label["version"], "number", measure="ordinal", spss_format="F3.0"),
        Variable("unit", label["unit"], "text"),
        Variable("service_point", label["service_point"], "text"),
        Variable("language", label["language"], "text"),
    ]


async def _raw_rows(
    chosen: list[Wave],
    unit: str | None,
    per_wave: dict[int, list[int]] | None,
    paths: dict[str, str],
    describing: int,
    items: list[Variable],
) -> list[list[Cell]]:
    """One row per response: `describing` columns, then the answers and texts to the items."""
    wave_ids = [w.id for w in chosen]
    if per_wave is None:
        unit_ids = None
        responses = await store.responses(wave_ids)
    else:
        unit_ids = sorted({i for ids in per_wave.values() for i in ids})
        responses = [
            r for w in chosen if per_wave[w.id] for r in await store.responses([w.id], per_wave[w.id])
        ]
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
    column = {v.item: describing + i for i, v in enumerate(items)}
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
    codebooks = {w.id: await wave_codebook(w.key) for w in chosen}
    language = {r.id: (r.language, r.wave) for r in responses}
    for text in await store.texts(wave_ids, unit_ids):
        if text.response in rows and text.item in column:
            rows[text.response][column[text.item]] = text.text
            if text.item + THEMES in column:
                spoken, wave_id = language[text.response]
                codes = codes_of(text.text, spoken, codebooks[wave_id])
                rows[text.response][column[text.item + THEMES]] = codes or None
    return list(rows.values())


# --- suppressed aggregates -----------------------------------------------------------------------


async def _aggregate_rows(figures: UnitFigures, lang: str) -> list[list[Cell]]:
    measures = MEASURES[file_language(lang)]
    newest = (
        await load_published_version(figures.questionnaire, figures.waves[-1].version)
        if figures.waves
        else None
    )
    leitbild = await load_leitbild(newest.leitbild) if newest else None
    value_names = {v.key: text_in(v.name, lang) for v in (leitbild.values if leitbild else [])}
    item_texts = {i.id: text_in(i.text, lang) for i in (newest.items if newest else [])}
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
                *respondent_cells(summary.respondents),
            ]
        )
    for value in figures.values:
        name = value_names.get(value.value, value.name)
        for point in value.series:
            if point.asked:  # a wave whose questionnaire does not ask the value has no row for it
                rows.append([*here, point.wave, "value", value.value, name, *figure_cells(point.score)])
    for item in figures.items:
        cells = figure_cells(item.latest)
        if isinstance(item.latest, Score):
            cells[4] = share(item.top_box)
        rows.append([*here, latest, "item", item.item, item_texts.get(item.item, item.text), *cells])
    # Child units: the latest wave only, as the unit's figures carry them (the heatmap).
    scores_of = {c.unit: c.scores for c in figures.child_scores}
    not_asked = {v.value for v in figures.values if v.series and not v.series[-1].asked}
    for child in figures.children:
        key, name = str(child["unit"]), str(child["name"])
        there = [key, name, latest]
        rows.append(
            [*there, "respondents", "", measures["respondents"], *respondent_cells(child["respondents"])]
        )
        for value, score in scores_of.get(key, {}).items():
            if value in not_asked:
                continue
            rows.append([*there, "value", value, value_names.get(value, value), *figure_cells(score)])
    return rows


async def aggregate_export(
    *, fmt: str, unit: str, questionnaire: str = "staff-pulse", lang: str = "de"
) -> ExportFile:
    """The unit's and its child units' figures as the reports show them, hidden ones with their
    reason: one row per unit, wave and value (and the items of the latest wave)."""
    fmt = check_format(fmt, AGGREGATE_FORMATS, "aggregate")
    try:
        figures = await unit_figures(unit, questionnaire)
    except SurveyError as exc:  # no such unit or questionnaire, or no wave with figures yet
        raise NothingToExport(exc.message) from exc
    language = file_language(lang)
    label = {c: texts[language] for c, texts in AGGREGATE_COLUMNS.items()}
    measures = MEASURES[language]
    variables = [
        Variable("unit", label["unit"], "text"),
        Variable("unit_name", label["unit_name"], "text"),
        Variable("wave", label["wave"], "text"),
        Variable("measure", label["measure"], "text", value_labels=dict(measures)),
        Variable("key", label["key"], "text"),
        Variable("label", label["label"], "text"),
        Variable("n", label["n"], "number", measure="scale", spss_format="F8.0"),
        Variable("mean", label["mean"], "number", measure="scale", spss_format="F5.1"),
        Variable("ci_low", label["ci_low"], "number", measure="scale", spss_format="F5.1"),
        Variable("ci_high", label["ci_high"], "number", measure="scale", spss_format="F5.1"),
        Variable("top_box", label["top_box"], "number", measure="scale", spss_format="F5.3"),
        Variable("hidden", label["hidden"], "text", value_labels=dict(HIDDEN_REASONS[language])),
    ]
    table = Table(variables, await _aggregate_rows(figures, lang), "Leitbild-Puls", [])
    filename = export_filename("leitbild-puls-kennzahlen", figures.unit, questionnaire, fmt=fmt)
    content = await asyncio.to_thread(_write, table, fmt, lang)
    return ExportFile(filename, MEDIA_TYPES[fmt], content)


# --- the file ------------------------------------------------------------------------------------


def _write(table: Table, fmt: str, lang: str) -> bytes:
    """The file, or an ExportError that says in the page's words why it cannot be written."""
    try:
        return files.write(table, fmt, lang)
    except files.TooManyRows as exc:
        raise ExportError(
            N_(
                "%(rows)s rows do not fit on one Excel sheet (%(most)s at most): export as CSV or "
                "SPSS, or fewer waves or a smaller unit"
            ),
            rows=f"{exc.rows:,}",
            most=f"{exc.most:,}",
        ) from None
    except files.WriterMissing as exc:  # pandas is what pyreadstat writes from
        raise ExportError(
            N_("SPSS export needs %(package)s, which is not installed: export as CSV"),
            package=exc.package,
            hint="install it (`pip install pandas pyreadstat`)",
        ) from exc
