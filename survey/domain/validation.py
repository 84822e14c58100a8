"""Turn JSON Schema violations into problems a person can act on."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, validators
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


# JSON Schema counts 12.0 as an integer; the decoded structs (msgspec) do not, and a
# headcount or version of 12.0 is a slip anyway: only whole numbers written as such pass.
_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


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
        case "minimum" | "maximum" | "exclusiveMinimum":
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
    validator = _Validator(schema)
    problems: set[Problem] = set()
    for error in validator.iter_errors(doc.data):
        if list(error.schema_path)[-2:-1] == ["propertyNames"]:
            # jsonschema reports a wrong key as an error of the key's own schema (`pattern`,
            # `type`) at the mapping holding it: point at the key itself instead.
            path = [*error.absolute_path, error.instance]
            problems.add(
                doc.problem(path, f"`{_show(error.instance)}` is not a valid key here{_hint(error)}")
            )
            continue
        for path, message in _messages(error):
            problems.add(doc.problem(path, message))
    return sorted(problems, key=lambda p: (p.line or 0, p.path, p.message))
