"""The small mapping file of a LimeSurvey import: which Leitbild values each question measures,
and which org unit each answer of a LimeSurvey question (or token attribute) stands for.

    values:                   # survey import limesurvey
      F: [gemeinsam]          # every row of the array F
      F[SQ02]: [vertrauen]    # one row on its own
      L: []                   # leave the question out
    units:                    # survey import limesurvey-responses
      from: G0Q1              # question code, or a token attribute such as attribute_1
      codes:
        A1: jugendamt
        A2: bauamt
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.domain.schemas import ID
from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument, read_yaml
from survey.errors import ImportFileError, Problem

__all__ = ["ImportMapping", "read_mapping", "row_key"]

_CODE = r"^[A-Za-z0-9_]{1,64}(\[[A-Za-z0-9_#]{1,64}\])?$"

MAPPING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-hint": "write `values:` and/or `units:` (see the README, LimeSurvey import)",
    "additionalProperties": False,
    "properties": {
        "values": {
            "type": "object",
            "x-hint": "map LimeSurvey question codes to lists of value keys, e.g. F: [gemeinsam]",
            "propertyNames": {
                "type": "string",
                "pattern": _CODE,
                "x-hint": "write a question code (F) or one row of an array (F[SQ02])",
            },
            "additionalProperties": {
                "type": "array",
                "items": {**ID, "x-hint": "name a value key of the Leitbild"},
                "uniqueItems": True,
                "x-hint": "list value keys, e.g. [vertrauen]; [] leaves the question out",
            },
        },
        "units": {
            "type": "object",
            "required": ["from", "codes"],
            "additionalProperties": False,
            "x-hint": "write `from: QUESTION` and `codes: {ANSWER: unit-key, ...}`",
            "properties": {
                "from": {
                    "type": "string",
                    "pattern": r"^[A-Za-z0-9_\[\]#]{1,80}$",
                    "x-hint": "name the LimeSurvey question code or token attribute (attribute_1)",
                },
                "codes": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"maxLength": 200},
                    "additionalProperties": {**ID, "x-hint": "name a unit key (`survey org list`)"},
                    "x-hint": "map each answer code to a unit key, e.g. A1: jugendamt",
                },
            },
        },
    },
}


@dataclass
class ImportMapping:
    file: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)
    unit_from: str | None = None
    unit_codes: dict[str, str] = field(default_factory=dict)
    doc: YamlDocument | None = None

    def problem(self, path: list[str | int], message: str) -> Problem:
        if self.doc is None:
            return Problem(self.file, "", message)
        return self.doc.problem(path, message)

    def values_of(self, question: str, row: str | None) -> list[str] | None:
        """The mapped values of a row (its own entry first, else its question's); None if unmapped."""
        if row is not None and row_key(question, row) in self.values:
            return self.values[row_key(question, row)]
        return self.values.get(question)


def row_key(question: str, row: str) -> str:
    return f"{question}[{row}]"


def read_mapping(path: Path) -> ImportMapping:
    doc = read_yaml(path)
    if doc.problems:
        raise ImportFileError(doc.problems)
    problems = schema_problems(doc, MAPPING_SCHEMA)
    if problems:
        raise ImportFileError(problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    units = data.get("units") or {}
    codes = {str(k): v for k, v in (units.get("codes") or {}).items()}
    return ImportMapping(doc.file, dict(data.get("values") or {}), units.get("from"), codes, doc)
