"""Languages and text maps: every text of a file holds exactly the languages the file declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from babel import Locale, UnknownLocaleError

from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem

#: a place in a file's data, as `YamlDocument.problem` takes it
Path_ = list[str | int]


def valid_language(tag: str) -> bool:
    """`de`, `en`, `tr` … anything babel knows; `de-x-ls` is German Leichte Sprache."""
    if tag == "de-x-ls":
        return True
    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def declared_languages(doc: YamlDocument, data: dict[str, Any], found: list[Problem]) -> list[str]:
    """The tags under `languages`; an unknown tag is a problem (reported here, once)."""
    languages = data.get("languages")
    if not isinstance(languages, list):
        return []
    good = []
    for index, tag in enumerate(languages):
        if isinstance(tag, str) and not valid_language(tag):
            found.append(
                doc.problem(
                    ["languages", index],
                    f"`{tag}` is not a known language: use tags such as de, en, tr, ar, uk, ru or de-x-ls",
                )
            )
        if isinstance(tag, str):
            good.append(tag)
    return good


def items_of(data: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The items of a version file that are mappings, with their index."""
    items = data.get("items")
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def check_complete(
    doc: YamlDocument, data: dict[str, Any], path: Path_, languages: list[str], found: list[Problem]
) -> None:
    """A text map must hold exactly the declared languages."""
    texts = _get(data, path)
    if not isinstance(texts, dict) or not languages:
        return
    declared = ", ".join(languages)
    for language in languages:
        # An unknown tag is reported once, at `languages`, not again at every text.
        if language not in texts and valid_language(language):
            found.append(
                doc.problem(
                    path,
                    f"no text for `{language}`: add `{language}: ...` "
                    f"(the file declares the languages {declared})",
                )
            )
    for language in texts:
        if isinstance(language, str) and language not in languages:
            found.append(
                doc.problem(
                    [*path, language],
                    f"text in `{language}`, which the file "
                    f"does not declare: add it to `languages` or remove it",
                )
            )
