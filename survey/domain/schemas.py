"""JSON Schemas of the files a survey office edits.

Structure is checked by jsonschema, which reports every violation at once; the rules that
need more than one place of a file (ids unique, languages complete, changes between
versions) are checked in Python afterwards. `x-hint` tells a person what to write.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEITBILD_SCHEMA", "ORG_SCHEMA", "SCALE_TYPES", "UNIT_KINDS", "VERSION_SCHEMA"]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
LANG_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$"

SCALE_TYPES = ("likert-5", "scale-0-10", "yes-no", "single-choice", "text")
UNIT_KINDS = ("Verwaltung", "Dezernat", "Fachbereich", "Abteilung", "Team")

ID: dict[str, Any] = {
    "type": "string",
    "pattern": ID_PATTERN,
    "x-hint": "use lower-case letters, digits and single hyphens, e.g. `team-spirit-1`",
}
LANGUAGE: dict[str, Any] = {
    "type": "string",
    "pattern": LANG_PATTERN,
    "x-hint": "use a language tag such as de, en, tr, ar, uk, ru or de-x-ls (Leichte Sprache)",
}
LANGUAGES: dict[str, Any] = {
    "type": "array",
    "items": LANGUAGE,
    "minItems": 1,
    "uniqueItems": True,
    "x-hint": "list the languages of the texts, e.g. [de, en]",
}
TEXT: dict[str, Any] = {
    "type": "object",
    "propertyNames": LANGUAGE,
    "additionalProperties": {"type": "string", "minLength": 1, "x-hint": "write the text"},
    "minProperties": 1,
    "x-hint": "give one text per language, e.g. {de: ..., en: ...}",
}


def _labels(count: int, what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "propertyNames": LANGUAGE,
        "additionalProperties": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "x-hint": "write the label"},
            "minItems": count,
            "maxItems": count,
            "x-hint": f"give exactly {count} {what} per language",
        },
        "minProperties": 1,
        "x-hint": f"give {count} {what} per language, e.g. de: [...]",
    }


def _scale(kind: str, required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
        "then": {
            "required": required,
            "properties": {"type": {}, **properties},
            "additionalProperties": False,
        },
    }


SCALE: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"enum": list(SCALE_TYPES)},
    },
    "allOf": [
        _scale(
            "likert-5",
            ["labels", "no_answer"],
            {"labels": _labels(5, "labels from the lowest to the highest"), "no_answer": TEXT},
        ),
        _scale(
            "scale-0-10",
            ["anchors", "no_answer"],
            {"anchors": _labels(2, "anchor labels (for 0 and for 10)"), "no_answer": TEXT},
        ),
        _scale(
            "yes-no", ["labels", "no_answer"], {"labels": _labels(2, "labels (no, yes)"), "no_answer": TEXT}
        ),
        _scale(
            "single-choice",
            ["options", "no_answer"],
            {
                "options": {
                    "type": "array",
                    "minItems": 2,
                    "x-hint": "list at least two options, each with `code` and `label`",
                    "items": {
                        "type": "object",
                        "x-hint": "write each option as `code: ...` and `label: {...}`",
                        "required": ["code", "label"],
                        "additionalProperties": False,
                        "properties": {
                            "code": {
                                "type": "integer",
                                "minimum": 0,
                                "maximum": 999,
                                "x-hint": "use a whole number from 0 to 999",
                            },
                            "label": TEXT,
                        },
                    },
                },
                "no_answer": TEXT,
            },
        ),
        _scale(
            "text",
            [],
            {
                "max_length": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 10000,
                    "x-hint": "use a whole number from 1 to 10000",
                },
            },
        ),
    ],
    "x-hint": "give the scale a `type` and the fields that type needs",
}

ITEM: dict[str, Any] = {
    "type": "object",
    "x-hint": "write each item with `id`, `text`, `scale` and `values`",
    "required": ["id", "text", "scale"],
    "additionalProperties": False,
    "properties": {
        "id": ID,
        "text": TEXT,
        "help": TEXT,
        "scale": {**ID, "x-hint": "name one of the scales defined under `scales`"},
        "values": {
            "type": "array",
            "items": {**ID, "x-hint": "name a value key of the Leitbild"},
            "minItems": 1,
            "uniqueItems": True,
            "x-hint": "list the Leitbild values the item measures, e.g. [vertrauen]",
        },
        "required": {"type": "boolean", "x-hint": "write true or false"},
        "reverse": {"type": "boolean", "x-hint": "write true or false"},
        "change": {
            "enum": ["editorial"],
            "x-hint": "only `change: editorial` is allowed (wording changed, still comparable)",
        },
        "replaces": {**ID, "x-hint": "name the id of the item of the previous version it replaces"},
        "section": {**ID, "x-hint": "name the id of one of the sections listed under `sections`"},
    },
}

#: a heading over the items that name it (a LimeSurvey question group, say); only what the form
#: shows, never what a figure means
SECTION: dict[str, Any] = {
    "type": "object",
    "x-hint": "write each section with `id` and `title` (and optionally `intro`)",
    "required": ["id", "title"],
    "additionalProperties": False,
    "properties": {"id": ID, "title": TEXT, "intro": TEXT},
}

VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-hint": "write a questionnaire version: `questionnaire: ...`, `version: ...`, ... (see the README)",
    "required": ["questionnaire", "version", "audience", "leitbild", "languages", "title", "scales", "items"],
    "additionalProperties": False,
    "properties": {
        "questionnaire": ID,
        "version": {"type": "integer", "minimum": 1, "x-hint": "use 1, 2, 3, ..."},
        "audience": {"enum": ["staff", "citizen"]},
        "leitbild": {**ID, "x-hint": "name the key of a Leitbild file"},
        "languages": LANGUAGES,
        "title": TEXT,
        "intro": TEXT,
        "sections": {
            "type": "array",
            "items": SECTION,
            "x-hint": "list the sections, each with `id` and `title`",
        },
        "scales": {
            "type": "object",
            "propertyNames": {**ID, "x-hint": "name scales with lower-case letters, digits and hyphens"},
            "additionalProperties": SCALE,
            "minProperties": 1,
            "x-hint": "define at least one scale, e.g. agree5: {type: likert-5, ...}",
        },
        "items": {"type": "array", "items": ITEM, "minItems": 1, "x-hint": "list at least one item"},
    },
}

LEITBILD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-hint": "write a Leitbild: `leitbild: ...`, `languages: ...`, `name: ...`, ... (see the README)",
    "required": ["leitbild", "languages", "name", "values"],
    "additionalProperties": False,
    "properties": {
        "leitbild": ID,
        "languages": LANGUAGES,
        "name": TEXT,
        "description": TEXT,
        "values": {
            "type": "array",
            "minItems": 1,
            "x-hint": "list the values of the Leitbild, each with `key` and `name`",
            "items": {
                "type": "object",
                "x-hint": "write each value with `key` and `name`",
                "required": ["key", "name"],
                "additionalProperties": False,
                "properties": {"key": ID, "name": TEXT, "description": TEXT},
            },
        },
    },
}

#: one unit key, or a list of them
_UNIT_KEYS: dict[str, Any] = {
    "type": ["string", "array"],
    "pattern": ID_PATTERN,
    "items": {**ID, "x-hint": "name a unit by its key"},
    "uniqueItems": True,
    "x-hint": "name a unit by its key, or several as a list, e.g. [buergerbuero-nord, buergerbuero-sued]",
}

ORG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-hint": "write an organisation: `kommune: ...`, `units: ...`, `service_points: ...` (see the README)",
    "required": ["kommune", "units"],
    "additionalProperties": False,
    "properties": {
        "kommune": {"type": "string", "minLength": 1, "x-hint": "write the name of the Kommune"},
        "units": {
            "type": "array",
            "minItems": 1,
            "x-hint": "list the org units, each with key, name, kind and headcount",
            "items": {
                "type": "object",
                "x-hint": "write each unit with key, name, kind, headcount and (below the top) parent",
                "required": ["key", "name", "kind", "headcount"],
                "additionalProperties": False,
                "properties": {
                    "key": ID,
                    "name": {"type": "string", "minLength": 1, "x-hint": "write the unit's name"},
                    "kind": {"enum": list(UNIT_KINDS)},
                    "parent": {**ID, "x-hint": "name the key of the parent unit"},
                    "headcount": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 1_000_000,
                        "x-hint": "give the number of staff as a whole number, 0 or more",
                    },
                },
            },
        },
        "valid_from": {"x-hint": "write the day the organisation takes effect as YYYY-MM-DD"},
        "changes": {
            "type": "array",
            "x-hint": "list the changes since the organisation stored now, e.g. "
            "`- {kind: merged, from: [a, b], to: c}` (see docs/reorganisations.md)",
            "items": {
                "type": "object",
                "x-hint": "write each change with `kind`, `from` and `to` (a split also `shares`)",
                "required": ["kind"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": ["renamed", "moved", "merged", "split", "dissolved", "new"]},
                    "from": _UNIT_KEYS,
                    "to": _UNIT_KEYS,
                    "shares": {
                        "type": "object",
                        "x-hint": "give each unit of `to` its share of the staff in percent, "
                        "e.g. {schulverwaltung: 70, sportamt: 30}",
                        "propertyNames": ID,
                        "additionalProperties": {
                            "type": "number",
                            "exclusiveMinimum": 0,
                            "maximum": 100,
                            "x-hint": "give the share in percent, more than 0 and at most 100",
                        },
                    },
                },
            },
        },
        "service_points": {
            "type": "array",
            "x-hint": "list the service points, each with key, name and unit",
            "items": {
                "type": "object",
                "x-hint": "write each service point with key, name and unit",
                "required": ["key", "name", "unit"],
                "additionalProperties": False,
                "properties": {
                    "key": ID,
                    "name": {"type": "string", "minLength": 1, "x-hint": "write the name"},
                    "unit": {**ID, "x-hint": "name the key of the unit it belongs to"},
                },
            },
        },
    },
}
