"""What each LimeSurvey question becomes here: items of ours, on scales of ours.

The table of question types is in `convert`'s docstring. `ItemBuilder` collects, question by
question, the version file's scales and items, the link of each item back to its LimeSurvey
field (with the answer-code translation), and a note for everything that did not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from survey.domain.limesurvey.labels import fixed_label
from survey.domain.limesurvey.lss import LsAnswer, LsQuestion, LsSurvey
from survey.domain.limesurvey.mapping import ImportMapping, row_key
from survey.domain.questionnaire import Leitbild

__all__ = ["LEFT_OUT", "TEXT_TYPES", "ItemBuilder", "Note", "slug"]

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


def slug(code: str) -> str:
    """A LimeSurvey code as a part of an item id or scale name here."""
    out = re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    return out or "q"


@dataclass
class ItemBuilder:
    """The version file's scales and items, built question by question, with the notes."""

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
        base = "-".join(slug(p) for p in parts)
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
        """The question's items, or a note why it is left out."""
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
        self._add_by_type(question, section)

    def _add_by_type(self, question: LsQuestion, section: str) -> None:
        """The items of one question that the mapping keeps, as its type has them."""
        kind = question.type
        code = question.code
        rows = question.rows
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
            scale, codes = self.choice_scale(question, answers, slug(code))
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
                name = slug(code) + ("" if dual is None else f"-{dual + 1}")
                scales.append((dual, *self.choice_scale(question, answers, name)))
            for row in rows:  # row by row, both scales of a dual-scale row together
                for dual, scale, codes in scales:
                    self.add(question, scale, codes, row=row, dual=dual, section=section)
        else:
            self.notes.append(Note(code, "left out", f"the question type `{kind}` is not known here"))
