"""Turn JSON Schema violations into problems a person can act on."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem

__all__ = ["schema_problems"]

_TYPE_WORDS = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "nothing",
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing (an empty value)"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _hint(error: ValidationError) -> str:
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    return f": {hint}" if hint else ""


def _messages(error: ValidationError) -> list[tuple[list[str | int], str]]:
    path = list(error.absolute_path)
    value = error.instance
    match error.validator:
        case "required":
            present = value if isinstance(value, dict) else {}
            return [
                ([*path, key], f"`{key}` is missing: add it")
                for key in error.validator_value
                if key not in present
            ]
        case "additionalProperties":
            allowed = sorted((error.schema.get("properties") or {}).keys())
            extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
            return [
                (
                    [*path, key],
                    f"unknown key `{key}`: remove it or fix the spelling "
                    f"(allowed here: {', '.join(allowed)})",
                )
                for key in extra
            ]
        case "type":
            expected = error.validator_value
            words = " or ".join(
                _TYPE_WORDS.get(t, t) for t in (expected if isinstance(expected, list) else [expected])
            )
            return [(path, f"expected {words}, found {_kind(value)}{_hint(error)}")]
        case "enum":
            options = ", ".join(str(o) for o in error.validator_value)
            return [(path, f"`{_show(value)}` is not allowed here: use one of {options}")]
        case "pattern":
            return [(path, f"`{_show(value)}` is not valid here{_hint(error)}")]
        case "minLength":
            return [(path, f"the text is empty{_hint(error)}")]
        case "minItems" | "maxItems":
            return [(path, f"has {len(value)} entries{_hint(error)}")]
        case "minProperties":
            return [(path, f"is empty{_hint(error)}")]
        case "minimum" | "maximum":
            return [(path, f"{_show(value)} is out of range{_hint(error)}")]
        case "uniqueItems":
            seen: set[str] = set()
            twice = [str(v) for v in value if str(v) in seen or seen.add(str(v))]
            return [(path, f"lists `{twice[0] if twice else '?'}` more than once: remove the duplicate")]
        case "propertyNames":
            return [(path, f"`{_show(value)}` is not a valid key here{_hint(error)}")]
    return [(path, f"{error.message}{_hint(error)}")]


def schema_problems(doc: YamlDocument, schema: dict[str, Any]) -> list[Problem]:
    """Every structural problem of `doc.data` against `schema`, in file order."""
    validator = Draft202012Validator(schema)
    problems: set[Problem] = set()
    for error in validator.iter_errors(doc.data):
        if error.validator == "propertyNames":
            # The key itself is wrong: point at the key, not at the mapping holding it.
            for sub in error.context or [error]:
                path = [*error.absolute_path, sub.instance]
                problems.add(
                    doc.problem(path, f"`{_show(sub.instance)}` is not a valid key here{_hint(sub)}")
                )
            continue
        for path, message in _messages(error):
            problems.add(doc.problem(path, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.path, p.message))
