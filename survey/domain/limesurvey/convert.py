"""A LimeSurvey survey as a questionnaire version of ours, with a report of what did not fit.

What becomes what:

| LimeSurvey | here |
| --- | --- |
| question group | a section (heading) over its items |
| short, long, huge free text (S, T, U) | a free-text item |
| multiple short text (Q) | one free-text item per row |
| 5 point choice (5), array 5 point (A) | likert-5 items (one per row) |
| array (F), by column (H), dual scale (1) | one item per row (and scale): likert-5 for five options |
|  | (in their order, lowest first), single choice otherwise |
| list radio, dropdown, with comment (L, !, O) | a single-choice item |
| array 10 point (B), yes/uncertain/no (C), increase/same/decrease (E), gender (G) | single-choice items |
| yes/no (Y) | a yes-no item |
| multiple choice (M, P) | one yes-no item per option (ticked = yes) |
| numbers, dates, ranking, arrays of numbers or texts, uploads, | left out, listed in the report |
| equations, text display, language switch |  |

Answer codes: LimeSurvey's codes are kept where they are whole numbers from 0 to 999, else
numbered 1, 2, … in LimeSurvey's order; the link file remembers the translation for the
response import. Items are kept only where the mapping names their Leitbild values (free-text
items need none); every question left out is listed in the report with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from survey.domain.catalog import valid_language
from survey.domain.limesurvey.lss import LsQuestion, LsSurvey
from survey.domain.limesurvey.mapping import ImportMapping
from survey.domain.limesurvey.questions import LEFT_OUT, TEXT_TYPES, ItemBuilder, Note
from survey.domain.questionnaire import Leitbild
from survey.errors import ImportFileError, Problem

__all__ = [
    "LEFT_OUT",
    "LINK_FORMAT",
    "TEXT_TYPES",
    "Conversion",
    "Note",
    "convert_survey",
    "map_languages",
    "mapping_template",
]

LINK_FORMAT = 1


@dataclass
class Conversion:
    data: dict[str, Any]  # the version file's content, in file order
    link: dict[str, Any]  # what the response import needs: LimeSurvey field → item and codes
    notes: list[Note] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.data["items"])


def map_languages(codes: list[str]) -> tuple[dict[str, str], list[Note]]:
    """LimeSurvey language codes → our tags: `de-informal` is `de` where the survey has no
    plain `de`, `de-easy` is Leichte Sprache (`de-x-ls`), regions stay (`pt-br`)."""
    tags: dict[str, str] = {}
    notes: list[Note] = []
    lower = [c.lower() for c in codes]
    for code in codes:
        tag = code.lower()
        base, _, variant = tag.partition("-")
        if tag == "de-easy":
            tag = "de-x-ls"
        elif variant == "informal" and base not in lower:
            tag = base
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", tag) or not valid_language(tag):
            notes.append(
                Note("", "left out", f"the language `{code}` is not one we can name: its texts are left out")
            )
            continue
        if tag in tags.values():
            notes.append(Note("", "left out", f"the language `{code}` is a second `{tag}`: left out"))
            continue
        if tag != code:
            notes.append(Note("", "changed", f"the language `{code}` is `{tag}` here"))
        tags[code] = tag
    return tags, notes


def convert_survey(
    survey: LsSurvey,
    *,
    questionnaire: str,
    version: int,
    audience: str,
    leitbild: Leitbild,
    mapping: ImportMapping,
) -> Conversion:
    """The version file's content for `survey`, or ImportFileError for a mapping that does not fit."""
    _check_mapping(survey, mapping, leitbild)
    tags, notes = map_languages(survey.languages)
    if not tags:
        raise ImportFileError(
            [Problem(survey.file, "", "none of the survey's languages can be named here: nothing to import")]
        )
    builder = ItemBuilder(survey, mapping, leitbild, tags, notes)
    sections = _sections(builder)
    _note_what_changed(builder)
    data: dict[str, Any] = {
        "questionnaire": questionnaire,
        "version": version,
        "audience": audience,
        "leitbild": leitbild.key,
        "languages": list(tags.values()),
        "title": builder.texts(survey.titles, "title"),
    }
    intro = builder.texts(survey.descriptions, "intro", required=False)
    if intro:
        data["intro"] = intro
    if sections:
        data["sections"] = sections
    data["scales"] = builder.scales
    data["items"] = builder.items
    link = _link(survey, tags, builder)
    if not builder.items:
        raise ImportFileError(
            [
                Problem(
                    mapping.file or survey.file,
                    "",
                    "no question would become an item: name Leitbild values for the rated "
                    "questions in the mapping file (`values:`)",
                )
            ]
        )
    return Conversion(data, link, builder.notes)


def _sections(builder: ItemBuilder) -> list[dict[str, Any]]:
    """Each question group with an item as a section, its questions as items under it."""
    survey = builder.survey
    sections: list[dict[str, Any]] = []
    by_group: dict[str, list[LsQuestion]] = {}
    for question in survey.questions:
        by_group.setdefault(question.gid, []).append(question)
    for index, group in enumerate(survey.groups):
        section_id = f"group-{index + 1}"
        before = len(builder.items)
        for question in by_group.pop(group.gid, []):
            builder.question(question, section_id)
        if len(builder.items) > before:
            section: dict[str, Any] = {"id": section_id, "title": builder.texts(group.names, section_id)}
            intro = builder.texts(group.descriptions, section_id, required=False)
            if intro:
                section["intro"] = intro
            sections.append(section)
    for questions in by_group.values():  # questions of a group the file does not list
        for question in questions:
            builder.notes.append(
                Note(question.code, "left out", "its question group is missing from the file")
            )
    return sections


def _note_what_changed(builder: ItemBuilder) -> None:
    """The report's notes on the survey as a whole: fallback texts, removed scripts, expressions."""
    survey = builder.survey
    if builder.english_fallback:
        languages = ", ".join(sorted(builder.english_fallback))
        builder.notes.append(
            Note(
                "",
                "changed",
                f"LimeSurvey's fixed labels (yes, no, no answer, …) are in English for {languages}: "
                "translate them in the file",
            )
        )
    if builder.filled:
        sample = ", ".join(sorted({f"{where} ({code})" for where, code in builder.filled})[:5])
        builder.notes.append(
            Note(
                "",
                "changed",
                f"{len(builder.filled)} text(s) missing in a language took the base language's text, "
                f"e.g. {sample}",
            )
        )
    if survey.scripts_removed:
        builder.notes.append(
            Note(
                "",
                "changed",
                f"{survey.scripts_removed} script, style or embedded object element(s) "
                "removed from the texts",
            )
        )
    if any("{" in t for item in builder.items for t in item["text"].values()):
        builder.notes.append(
            Note(
                "",
                "changed",
                "some texts hold LimeSurvey expressions in braces ({TOKEN:…}, {if(…)}): "
                "they are kept as written; rewrite them",
            )
        )


def _link(survey: LsSurvey, tags: dict[str, str], builder: ItemBuilder) -> dict[str, Any]:
    """What the response import needs: LimeSurvey field → item and answer codes."""
    return {
        "format": LINK_FORMAT,
        "source": survey.file.rsplit("/", 1)[-1],
        "survey_id": survey.sid,
        "anonymized": survey.anonymized,
        "languages": tags,
        # every question, mapped or not: the unit question of the response import may be one
        # that became no item
        "questions": {q.code: {"qid": q.qid, "gid": q.gid, "type": q.type} for q in survey.questions},
        "items": builder.links,
    }


def _check_mapping(survey: LsSurvey, mapping: ImportMapping, leitbild: Leitbild) -> None:
    problems: list[Problem] = []
    codes = {q.code: q for q in survey.questions}
    for key, values in mapping.values.items():
        question_code, _, rest = key.partition("[")
        question = codes.get(question_code)
        if question is None:
            known = ", ".join(sorted(codes)[:20])
            problems.append(
                mapping.problem(
                    ["values", key], f"the survey has no question `{question_code}`: use one of {known}"
                )
            )
            continue
        row = rest.rstrip("]")
        if row and row not in {r.code for r in question.rows}:
            rows = ", ".join(r.code for r in question.rows) or "none"
            problems.append(
                mapping.problem(["values", key], f"`{question_code}` has no row `{row}` (rows: {rows})")
            )
        for index, value in enumerate(values):
            if value not in leitbild.value_keys:
                problems.append(
                    mapping.problem(
                        ["values", key, index],
                        f"`{value}` is not a value of the Leitbild `{leitbild.key}`: "
                        f"use one of {', '.join(leitbild.value_keys)}",
                    )
                )
    if problems:
        raise ImportFileError(problems)


def mapping_template(survey: LsSurvey, leitbild: Leitbild, text_of: Callable[[dict[str, str]], str]) -> str:
    """A mapping file listing every rated question, each with its text and rows as comments."""
    lines = [
        f"# Leitbild values per LimeSurvey question of {survey.file.rsplit('/', 1)[-1]}",
        f"# values of the Leitbild `{leitbild.key}`: {', '.join(leitbild.value_keys)}",
        "# Write the values each question measures, e.g. `F: [gemeinsam]`, or one row of an array",
        "# on its own, e.g. `F[SQ02]: [vertrauen]`. `[]` (or no line) leaves the question out;",
        "# free-text questions come along without values.",
        "values:",
    ]
    for question in survey.questions:
        if question.type in LEFT_OUT or question.type in TEXT_TYPES or question.type == "Q":
            continue
        lines.append(f"  # {question.type}: {_comment(text_of(question.texts))}")
        for row in question.rows:
            lines.append(f"  #   [{row.code}] {_comment(text_of(row.texts))}")
        lines.append(f"  {question.code}: []")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 90 else flat[:87] + "..."
