"""Check one person's answers against the questionnaire version of the wave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from survey.domain.questionnaire import QuestionnaireVersion

__all__ = ["NO_ANSWER", "AnswerProblem", "CheckedAnswers", "ProblemCode", "check_answers"]

#: what a form sends for "keine Angabe"; the JSON API sends null
NO_ANSWER = "na"

ProblemCode = Literal["required", "outside_scale", "not_a_number", "too_long", "unknown_item"]


@dataclass(frozen=True)
class AnswerProblem:
    item: str
    code: ProblemCode
    #: for `outside_scale`: the allowed codes; for `too_long`: the maximum length
    detail: str = ""


@dataclass
class CheckedAnswers:
    #: item id → answer code, None for "keine Angabe"; skipped items are absent
    codes: dict[str, int | None] = field(default_factory=dict)
    #: item id → free text (stripped, not empty)
    texts: dict[str, str] = field(default_factory=dict)
    problems: list[AnswerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def empty(self) -> bool:
        """Nothing chosen and nothing written: not a response, whatever the form says is optional.
        ("keine Angabe" is a choice, and counts.)"""
        return not self.codes and not self.texts


def check_answers(version: QuestionnaireVersion, raw: Mapping[str, object]) -> CheckedAnswers:
    """Clean answers, or every problem (one per item), in the order of the questionnaire.

    `raw` maps item ids to what a form or the JSON API sent: an answer code (int or digits),
    `"na"` or None for "keine Angabe", a text for free-text items; a missing or empty value
    means the item was skipped.
    """
    result = CheckedAnswers()
    known = set(version.item_ids)
    for item in version.items:
        scale = version.scale_of(item)
        value = raw.get(item.id)
        if isinstance(value, str):
            # No keyboard types NUL and PostgreSQL cannot store it in a text: the web layer
            # refuses it already; this keeps every other caller from failing on it.
            value = value.replace("\x00", "").strip()
        if value is None and item.id in raw and not scale.is_text:
            result.codes[item.id] = None  # JSON null: "keine Angabe"
            continue
        if value is None or value == "":
            if item.required:
                result.problems.append(AnswerProblem(item.id, "required"))
            continue
        if scale.is_text:
            if not isinstance(value, str):
                result.problems.append(AnswerProblem(item.id, "not_a_number", "text"))
            elif len(value) > scale.max_length:
                result.problems.append(AnswerProblem(item.id, "too_long", str(scale.max_length)))
            else:
                result.texts[item.id] = value
            continue
        if value == NO_ANSWER:
            result.codes[item.id] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            result.problems.append(AnswerProblem(item.id, "not_a_number"))
            continue
        if isinstance(value, str):
            if not value.lstrip("-").isdecimal() or len(value) > 6:
                result.problems.append(AnswerProblem(item.id, "not_a_number"))
                continue
            value = int(value)
        if value not in scale.codes:
            allowed = ", ".join(str(c) for c in scale.codes)
            result.problems.append(AnswerProblem(item.id, "outside_scale", allowed))
            continue
        result.codes[item.id] = value
    for key in raw:
        if key not in known:
            result.problems.append(AnswerProblem(str(key)[:64], "unknown_item"))
    return result
