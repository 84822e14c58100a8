"""The checks of a Leitbild file: schema, languages, complete texts, one key per value."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import msgspec

from survey.domain.catalog._texts import check_complete, declared_languages
from survey.domain.questionnaire import Leitbild
from survey.domain.schemas import LEITBILD_SCHEMA
from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument, read_yaml
from survey.errors import Problem


def read_leitbild(path: Path, problems: list[Problem]) -> tuple[YamlDocument, Leitbild | None]:
    """The file's document, and its Leitbild unless it has problems (added to `problems`)."""
    doc = read_yaml(path)
    if path.suffix == ".yml":
        problems.append(Problem(doc.file, "", "the file ends in .yml: rename it to end in .yaml"))
        return doc, None
    return doc, check_leitbild(doc, problems)


def check_leitbild(doc: YamlDocument, problems: list[Problem]) -> Leitbild | None:
    """The document's Leitbild unless it has problems (added to `problems`): of a file, or of a
    text (a draft kept in the database, an upload)."""
    if doc.problems:
        problems.extend(doc.problems)
        return None
    found = schema_problems(doc, LEITBILD_SCHEMA)
    data = doc.data if isinstance(doc.data, dict) else {}
    languages = declared_languages(doc, data, found)
    values = data.get("values") if isinstance(data.get("values"), list) else []
    for text_path in (["name"], ["description"]):
        check_complete(doc, data, text_path, languages, found)
    keys: Counter[str] = Counter()
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("key"), str):
            keys[value["key"]] += 1
            if keys[value["key"]] == 2:
                found.append(
                    doc.problem(
                        ["values", index, "key"],
                        f"the value key `{value['key']}` appears twice: give each value its own key",
                    )
                )
        for text in ("name", "description"):
            check_complete(doc, data, ["values", index, text], languages, found)
    problems.extend(found)
    if found:
        return None
    return msgspec.convert(data, Leitbild)
