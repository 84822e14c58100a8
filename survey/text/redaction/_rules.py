"""The Kommune's redaction rules (`questionnaires/_redaction/rules.yaml`, or the office's own in the
browser): the patterns of its own case numbers, and words that are never names.

    keep:                      # words never taken for a name: the Kommune's and its places' names
      - Lindenau
    case_numbers:              # numbers of the Kommune's own, each replaced by [Aktenzeichen]
      - label: Kassenzeichen
        pattern: '\\d{2}\\.\\d{3}\\.\\d{3}\\.\\d'

Decoded strictly: an unknown key, a wrong type, a pattern that is no regular expression or that could
take minutes on one comment is a problem with its line and what to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument, read_yaml, read_yaml_text
from survey.errors import FileProblems, Problem
from survey.text.redaction._regex import pattern_problem
from survey.text.redaction._words import fold

__all__ = ["RULES_SCHEMA", "RedactionFileError", "Rules", "check_rules_text", "read_rules"]


class RedactionFileError(FileProblems):
    """Problems in the Kommune's redaction rules (questionnaires/_redaction/rules.yaml, the office's)."""


_PATTERN_HINT = "write a regular expression for the number, e.g. `KS-\\d{6}`"
RULES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "keep": {
            "type": "array",
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "x-hint": "write a word, e.g. Lindenau",
            },
            "x-hint": "list the words that are never names, e.g. [Lindenau, Rathausplatz]",
        },
        "case_numbers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "pattern"],
                "additionalProperties": False,
                "properties": {
                    "label": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 80,
                        "x-hint": "say what the number is, e.g. Kassenzeichen",
                    },
                    "pattern": {"type": "string", "minLength": 1, "x-hint": _PATTERN_HINT},
                },
                "x-hint": "give a label and a pattern, e.g. {label: Kassenzeichen, pattern: 'KS-\\d{6}'}",
            },
            "x-hint": "list the case numbers, each with a label and a pattern",
        },
    },
    "x-hint": "write a mapping with `keep:` and `case_numbers:` (see questionnaires/_redaction/rules.yaml)",
}

_GLOBAL_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


@dataclass(frozen=True)
class Rules:
    """What a Kommune adds: words never taken for names, and its case-number patterns."""

    keep: frozenset[str] = frozenset()
    #: (label, compiled pattern, matched as a whole word)
    case_numbers: tuple[tuple[str, re.Pattern[str]], ...] = ()


def _whole_word(pattern: str) -> re.Pattern[str]:
    flags = _GLOBAL_FLAGS.match(pattern)
    head = flags.group() if flags else ""
    return re.compile(rf"{head}(?<![\w-])(?:{pattern[len(head) :]})(?![\w-])")


def _is_blank(text: str) -> bool:
    """Only comments and blank lines: no rules at all, which is allowed."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _check(doc: YamlDocument) -> tuple[Rules | None, list[Problem]]:
    if doc.problems:
        return None, doc.problems
    found = schema_problems(doc, RULES_SCHEMA)
    data = doc.data if isinstance(doc.data, dict) else {}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    entries = data.get("case_numbers") if isinstance(data.get("case_numbers"), list) else []
    for index, entry in enumerate(entries):
        pattern = entry.get("pattern") if isinstance(entry, dict) else None
        if not isinstance(pattern, str) or not pattern:
            continue
        message = pattern_problem(pattern)
        if message:
            found.append(doc.problem(["case_numbers", index, "pattern"], message))
        elif isinstance(entry.get("label"), str):
            patterns.append((entry["label"], _whole_word(pattern)))
    if found:
        return None, sorted(set(found), key=lambda p: (p.line or 0, p.path, p.message))
    keep = data.get("keep") or []
    words = frozenset(fold(word) for entry in keep for word in re.findall(r"[^\W\d_][\w'’-]*", entry))
    return Rules(words, tuple(patterns)), []


def check_rules_text(text: str, file: str) -> list[Problem]:
    """Every problem of a rules text (an upload, the browser editor's draft), named `file`."""
    if _is_blank(text):
        return []
    return _check(read_yaml_text(text, file))[1]


def read_rules(path: Path | None = None, text: str | None = None) -> Rules:
    """The rules of a file or a text (neither: none); problems raise RedactionFileError."""
    if path is None and (text is None or _is_blank(text)):
        return Rules()
    if path is not None:
        doc = read_yaml(path)
        if [p.message[:17] for p in doc.problems] == ["the file is empty"]:
            return Rules()  # only comments: no rules, which is allowed
    else:
        doc = read_yaml_text(text or "", "redaction rules")
    rules, problems = _check(doc)
    if problems or rules is None:
        raise RedactionFileError(problems)
    return rules
