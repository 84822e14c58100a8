"""Check one person's answers against the questionnaire version of the wave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

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


class _Rule(NamedTuple):
    """What one item takes, read once per questionnaire version."""

    item: str
    required: bool
    is_text: bool
    max_length: int
    codes: frozenset[int]
    allowed: str


#: the rules of recently checked versions, by the version object's id (the entry holds the object,
#: so its id is not reused while it is kept)
_RULES: dict[int, tuple[QuestionnaireVersion, tuple[_Rule, ...], frozenset[str]]] = {}
_RULES_KEPT = 64


def _rules(version: QuestionnaireVersion) -> tuple[tuple[_Rule, ...], frozenset[str]]:
    kept = _RULES.get(id(version))
    if kept is None or kept[0] is not version:
        rules = []
        for item in version.items:
            scale = version.scale_of(item)
            codes = scale.codes
            rules.append(
                _Rule(
                    item.id,
                    item.required,
                    scale.is_text,
                    scale.max_length,
                    frozenset(codes),
                    ", ".join(str(c) for c in codes),
                )
            )
        if len(_RULES) >= _RULES_KEPT:
            _RULES.clear()
        kept = _RULES[id(version)] = (version, tuple(rules), frozenset(version.item_ids))
    return kept[1], kept[2]


def check_answers(version: QuestionnaireVersion, raw: Mapping[str, object]) -> CheckedAnswers:
    """Clean answers, or every problem (one per item), in the order of the questionnaire.

    `raw` maps item ids to what a form or the JSON API sent: an answer code (int or digits),
    `"na"` or None for "keine Angabe", a text for free-text items; a missing or empty value
    means the item was skipped.
    """
    result = CheckedAnswers()
    rules, known = _rules(version)
    for rule in rules:
        item = rule.item
        value = raw.get(item)
        if type(value) is int and value in rule.codes:  # the common case: a code of the item's scale
            result.codes[item] = value
            continue
        if isinstance(value, str):
            # No keyboard types NUL and PostgreSQL cannot store it in a text: the web layer
            # refuses it already; this keeps every other caller from failing on it.
            value = value.replace("\x00", "").strip()
        if value is None and item in raw and not rule.is_text:
            result.codes[item] = None  # JSON null: "keine Angabe"
            continue
        if value is None or value == "":
            if rule.required:
                result.problems.append(AnswerProblem(item, "required"))
            continue
        if rule.is_text:
            if not isinstance(value, str):
                result.problems.append(AnswerProblem(item, "not_a_number", "text"))
            elif len(value) > rule.max_length:
                result.problems.append(AnswerProblem(item, "too_long", str(rule.max_length)))
            else:
                result.texts[item] = value
            continue
        if value == NO_ANSWER:
            result.codes[item] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            result.problems.append(AnswerProblem(item, "not_a_number"))
            continue
        if isinstance(value, str):
            if not value.lstrip("-").isdecimal() or len(value) > 6:
                result.problems.append(AnswerProblem(item, "not_a_number"))
                continue
            value = int(value)
        if value not in rule.codes:
            result.problems.append(AnswerProblem(item, "outside_scale", rule.allowed))
            continue
        result.codes[item] = value
    for key in raw:
        if key not in known:
            result.problems.append(AnswerProblem(str(key)[:64], "unknown_item"))
    return result
