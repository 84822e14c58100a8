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
from survey.domain.limesurvey.labels import fixed_label
from survey.domain.limesurvey.lss import LsAnswer, LsQuestion, LsSurvey
from survey.domain.limesurvey.mapping import ImportMapping, row_key
from survey.domain.questionnaire import Leitbild
from survey.errors import ImportFileError, Problem

__all__ = ["LINK_FORMAT", "Conversion", "Note", "convert_survey", "map_languages"]

LINK_FORMAT = 1

TEXT_TYPES = {"S": "short free text", "T": "long free text", "U": "huge free text"}
LEFT_OUT = {
    "N": "numerical input: numbers have no scale here",
    "K": "multiple numerical input: numbers have no scale here",
    "D": "date: dates are not asked here (they could identify a person)",
    "R": "ranking: rankings have no scale here",
    ";": "array of texts: a grid of free texts has no place here",
    ":": "array of numbers: numbers have no scale here",
    "|": "file upload: files are not taken (they could identify a person)",
    "*": "equation: computed, nothing a person answers",
    "X": "text display: no question (its text is not carried over)",
    "I": "language switch: the form offers the languages itself",
}


@dataclass(frozen=True)
class Note:
    """One line of the import report."""

    question: str  # LimeSurvey question code ("" for the survey as a whole)
    kind: str  # left out | not mapped | changed
    message: str


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


def _slug(code: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    return slug or "q"


@dataclass
class _Builder:
    survey: LsSurvey
    mapping: ImportMapping
    leitbild: Leitbild
    tags: dict[str, str]  # LimeSurvey code → our tag
    notes: list[Note] = field(default_factory=list)
    scales: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)
    english_fallback: set[str] = field(default_factory=set)
    filled: set[tuple[str, str]] = field(default_factory=set)

    @property
    def base(self) -> str:
        return self.survey.languages[0]

    def texts(self, source: dict[str, str], where: str, *, required: bool = True) -> dict[str, str]:
        """One text per language; a missing one takes the base language's (and is reported)."""
        fallback = source.get(self.base) or next((t for t in source.values() if t), "")
        if not fallback and not required:
            return {}
        out: dict[str, str] = {}
        for code, tag in self.tags.items():
            text = source.get(code) or ""
            if not text:
                text = fallback or where
                self.filled.add((where, code))
            out[tag] = text
        return out

    def fixed(self, key: str) -> dict[str, str]:
        out = {}
        for code, tag in self.tags.items():
            text, english = fixed_label(key, tag)
            if english:
                self.english_fallback.add(code)
            out[tag] = text
        return out

    def scale(self, preferred: str, scale: dict[str, Any]) -> str:
        for name, existing in self.scales.items():
            if existing == scale:
                return name
        name = preferred
        number = 2
        while name in self.scales:
            name, number = f"{preferred}-{number}", number + 1
        self.scales[name] = scale
        return name

    def item_id(self, *parts: str) -> str:
        base = "-".join(_slug(p) for p in parts)
        candidate, number = base, 2
        while candidate in self.used_ids:
            candidate, number = f"{base}-{number}", number + 1
        self.used_ids.add(candidate)
        return candidate

    # --- scales ---------------------------------------------------------------------------

    def choice_scale(self, question: LsQuestion, answers: list[LsAnswer], name: str) -> tuple[str, dict]:
        """likert-5 for five ordered options, single choice otherwise; with the code translation."""
        if len(answers) == 5 and question.type in ("F", "H", "1"):
            labels = {tag: [] for tag in self.tags.values()}
            for answer in answers:
                for tag, text in self.texts(answer.texts, f"{question.code}: {answer.code}").items():
                    labels[tag].append(text)
            scale = {"type": "likert-5", "labels": labels, "no_answer": self.fixed("no_answer")}
            return self.scale(name, scale), {a.code: index + 1 for index, a in enumerate(answers)}
        numeric = all(a.code.isdigit() and int(a.code) <= 999 for a in answers)
        unique = len({int(a.code) for a in answers}) == len(answers) if numeric else False
        codes = {a.code: int(a.code) if numeric and unique else index + 1 for index, a in enumerate(answers)}
        options = [
            {"code": codes[a.code], "label": self.texts(a.texts, f"{question.code}: {a.code}")}
            for a in answers
        ]
        scale = {"type": "single-choice", "options": options, "no_answer": self.fixed("no_answer")}
        return self.scale(name, scale), codes

    def fixed_choice(self, name: str, keys: list[tuple[str, str]]) -> tuple[str, dict]:
        options = [{"code": index + 1, "label": self.fixed(key)} for index, (_, key) in enumerate(keys)]
        scale = {"type": "single-choice", "options": options, "no_answer": self.fixed("no_answer")}
        return self.scale(name, scale), {code: index + 1 for index, (code, _) in enumerate(keys)}

    def points(self, count: int) -> tuple[str, dict]:
        labels = {tag: [str(n) for n in range(1, count + 1)] for tag in self.tags.values()}
        if count == 5:
            scale = {"type": "likert-5", "labels": labels, "no_answer": self.fixed("no_answer")}
        else:
            options = [
                {"code": n, "label": {tag: str(n) for tag in self.tags.values()}} for n in range(1, count + 1)
            ]
            scale = {"type": "single-choice", "options": options, "no_answer": self.fixed("no_answer")}
        return self.scale(f"points-{count}", scale), {str(n): n for n in range(1, count + 1)}

    def yes_no(self) -> tuple[str, dict]:
        scale = {
            "type": "yes-no",
            "labels": {tag: [self.fixed("no")[tag], self.fixed("yes")[tag]] for tag in self.tags.values()},
            "no_answer": self.fixed("no_answer"),
        }
        return self.scale("yes-no", scale), {"N": 0, "Y": 1}

    def text_scale(self) -> str:
        return self.scale("text", {"type": "text", "max_length": 10000})

    # --- items ----------------------------------------------------------------------------

    def add(
        self,
        question: LsQuestion,
        scale: str,
        codes: dict[str, int] | None,
        *,
        row: Any = None,
        dual: int | None = None,
        section: str,
    ) -> None:
        is_text = self.scales[scale]["type"] == "text"
        values = self.mapping.values_of(question.code, row.code if row is not None else None)
        if not is_text and not values:
            if dual != 1:  # a dual-scale row is reported once
                where = row_key(question.code, row.code) if row is not None else question.code
                self.notes.append(Note(where, "not mapped", "no Leitbild value for this row: left out"))
            return
        parts = (
            [question.code]
            + ([row.code] if row is not None else [])
            + ([str(dual + 1)] if dual is not None else [])
        )
        item_id = self.item_id(*parts)
        where = question.code if row is None else row_key(question.code, row.code)
        text = self.texts(question.texts, where)
        if row is not None:
            row_text = self.texts(row.texts, where)
            text = {
                tag: f"{text[tag]} – {row_text[tag]}" if text[tag] != row_text[tag] else text[tag]
                for tag in text
            }
        if dual is not None:
            text = {tag: f"{value} ({dual + 1})" for tag, value in text.items()}
        item: dict[str, Any] = {"id": item_id, "section": section, "text": text}
        help_texts = self.texts(question.help, where, required=False)
        if help_texts:
            item["help"] = help_texts
        item["scale"] = scale
        if values:
            item["values"] = list(values)
        self.items.append(item)
        self.links[item_id] = {
            "question": question.code,
            "row": row.code if row is not None else None,
            "row_qid": row.qid if row is not None else None,
            "scale": dual,
            "codes": codes,
        }

    def question(self, question: LsQuestion, section: str) -> None:
        kind = question.type
        code = question.code
        rows = question.rows
        if kind in LEFT_OUT:
            self.notes.append(Note(code, "left out", LEFT_OUT[kind]))
            return
        rated = kind not in TEXT_TYPES and kind != "Q"
        targets = [r.code for r in rows] or [None]
        if rated and not any(self.mapping.values_of(code, target) for target in targets):
            mentioned = code in self.mapping.values or any(
                row_key(code, r.code) in self.mapping.values for r in rows
            )
            self.notes.append(
                Note(code, "left out", "the mapping leaves it out (`[]`)")
                if mentioned
                else Note(code, "not mapped", "no Leitbild value named for it in the mapping: left out")
            )
            return
        if question.other and kind in ("L", "!", "M", "P"):
            self.notes.append(Note(code, "changed", 'its "other" option and text are not carried over'))
        if kind in ("O", "P"):
            self.notes.append(Note(code, "changed", "its comment fields are not carried over"))
        if kind in TEXT_TYPES:
            self.add(question, self.text_scale(), None, section=section)
        elif kind == "Q":
            for row in rows:
                self.add(question, self.text_scale(), None, row=row, section=section)
        elif kind == "5":
            scale, codes = self.points(5)
            self.add(question, scale, codes, section=section)
        elif kind in ("A", "B"):
            scale, codes = self.points(5 if kind == "A" else 10)
            for row in rows:
                self.add(question, scale, codes, row=row, section=section)
        elif kind == "Y":
            scale, codes = self.yes_no()
            self.add(question, scale, codes, section=section)
        elif kind in ("M", "P"):
            scale, codes = self.yes_no()
            for row in rows:
                self.add(question, scale, codes, row=row, section=section)
            self.notes.append(
                Note(code, "changed", "each option is a yes/no item; an unticked box counts as no answer")
            )
        elif kind == "G":
            scale, codes = self.fixed_choice("gender", [("F", "female"), ("M", "male")])
            self.add(question, scale, codes, section=section)
        elif kind == "C":
            scale, codes = self.fixed_choice(
                "yes-uncertain-no", [("Y", "yes"), ("U", "uncertain"), ("N", "no")]
            )
            for row in rows:
                self.add(question, scale, codes, row=row, section=section)
        elif kind == "E":
            scale, codes = self.fixed_choice(
                "increase-same-decrease", [("I", "increase"), ("S", "same"), ("D", "decrease")]
            )
            for row in rows:
                self.add(question, scale, codes, row=row, section=section)
        elif kind in ("L", "!", "O"):
            answers = question.answers_of(0)
            if len(answers) < 2:
                self.notes.append(Note(code, "left out", "a list with fewer than two options"))
                return
            scale, codes = self.choice_scale(question, answers, _slug(code))
            self.add(question, scale, codes, section=section)
        elif kind in ("F", "H", "1"):
            scales: list[tuple[int | None, str, dict[str, int]]] = []
            for dual in (0, 1) if kind == "1" else (None,):
                answers = question.answers_of(dual or 0)
                if len(answers) < 2:
                    self.notes.append(
                        Note(code, "left out", f"scale {(dual or 0) + 1} has fewer than two options")
                    )
                    continue
                name = _slug(code) + ("" if dual is None else f"-{dual + 1}")
                scales.append((dual, *self.choice_scale(question, answers, name)))
            for row in rows:  # row by row, both scales of a dual-scale row together
                for dual, scale, codes in scales:
                    self.add(question, scale, codes, row=row, dual=dual, section=section)
        else:
            self.notes.append(Note(code, "left out", f"the question type `{kind}` is not known here"))


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
    builder = _Builder(survey, mapping, leitbild, tags, notes)
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
    link = {
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
