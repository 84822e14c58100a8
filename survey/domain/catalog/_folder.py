"""The folder walk: Leitbild files at the top, one folder of version files per questionnaire.

Every file is read and checked before anything is refused, so all problems come in one list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from survey.domain.catalog._document import check_version_document
from survey.domain.catalog._leitbild import read_leitbild
from survey.domain.catalog._model import Catalog
from survey.domain.catalog._texts import items_of
from survey.domain.questionnaire import Leitbild, QuestionnaireVersion
from survey.domain.yamlfile import YamlDocument, read_yaml
from survey.errors import Problem, QuestionnaireFileError

_VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.yaml$")


def load_catalog(root: Path) -> Catalog:
    """The catalog, or QuestionnaireFileError listing every problem."""
    catalog, problems = check_catalog(root)
    if problems:
        raise QuestionnaireFileError(problems)
    return catalog


def check_catalog(root: Path) -> tuple[Catalog, list[Problem]]:
    catalog = Catalog(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return catalog, [
            Problem(
                str(root),
                "",
                "no such folder: set SURVEY_QUESTIONNAIRES or "
                "run the command where the `questionnaires` folder is",
            )
        ]
    leitbild_docs: list[tuple[YamlDocument, Leitbild]] = []
    broken: dict[str, str] = {}  # Leitbild key → file, for Leitbild files that have problems
    for path in sorted(root.iterdir()):
        if path.suffix in (".yaml", ".yml") and not path.is_dir():
            if not path.is_file():
                problems.append(_not_a_file(path))
                continue
            doc, leitbild = read_leitbild(path, problems)
            if leitbild is None:
                key = doc.data.get("leitbild") if isinstance(doc.data, dict) else None
                if isinstance(key, str):
                    broken.setdefault(key, doc.file)
                continue
            if leitbild.key in catalog.leitbilder:
                problems.append(
                    doc.problem(
                        ["leitbild"],
                        f"the Leitbild key `{leitbild.key}` is "
                        "used by another file too: give each Leitbild its own key",
                    )
                )
                continue
            catalog.leitbilder[leitbild.key] = leitbild
            leitbild_docs.append((doc, leitbild))
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        _load_questionnaire(folder, catalog, broken, problems)
    if not catalog.leitbilder and not problems:
        problems.append(
            Problem(
                str(root), "", f"no Leitbild file found: add one, e.g. {root}/leitbild.yaml (see the README)"
            )
        )
    return catalog, problems


def _not_a_file(path: Path) -> Problem:
    """A .yaml name that is no file: a pipe (reading one waits for ever), a device, a socket, or a
    link that leads nowhere or round in a loop. Nothing is read from it."""
    return Problem(
        str(path),
        "",
        "not a regular file (a pipe, a device, or a link that leads nowhere or in a loop): "
        "put the file itself here, or remove the name",
    )


def _version_documents(folder: Path, problems: list[Problem]) -> tuple[dict[int, YamlDocument], set[int]]:
    """The readable version files of a questionnaire folder by number, and every number on disk
    (also of the versions whose file cannot be read)."""
    docs: dict[int, YamlDocument] = {}
    on_disk: set[int] = set()
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.suffix not in (".yaml", ".yml"):
            continue
        if not path.is_file():
            problems.append(_not_a_file(path))
            continue
        match = _VERSION_FILE.match(path.name)
        if not match:
            problems.append(
                Problem(str(path), "", "a version file is named v1.yaml, v2.yaml, ...: rename it")
            )
            continue
        on_disk.add(int(match.group(1)))
        doc = read_yaml(path)
        if doc.problems:
            problems.extend(doc.problems)
            continue
        docs[int(match.group(1))] = doc
    return docs, on_disk


def _load_questionnaire(
    folder: Path, catalog: Catalog, broken: dict[str, str], problems: list[Problem]
) -> None:
    docs, on_disk = _version_documents(folder, problems)
    previous_data: dict[str, Any] | None = None
    previous_broken: set[str] = set()
    for number in sorted(docs):
        doc = docs[number]
        data = doc.data if isinstance(doc.data, dict) else {}
        before = previous_data if isinstance(previous_data, dict) and number - 1 in docs else None
        found = check_version_document(
            doc, folder.name, number, catalog.leitbilder, broken, before, previous_broken
        )
        if number > 1 and number - 1 not in on_disk:
            found.insert(
                0,
                Problem(
                    doc.file, "", f"there is no v{number - 1}.yaml in {folder}: number versions without gaps"
                ),
            )
        previous_data = data
        previous_broken = _broken_items(data, found)
        problems.extend(found)
        if not found:
            version = msgspec.convert(data, QuestionnaireVersion)
            catalog.versions[(version.questionnaire, version.version)] = version
            catalog.files[(version.questionnaire, version.version)] = doc.file


def _broken_items(data: dict[str, Any], found: list[Problem]) -> set[str]:
    """Ids of items with problems of their own; the next version is not compared with them,
    or each difference would be reported twice while the fix belongs here."""
    broken = set()
    for index, item in items_of(data):
        if isinstance(item.get("id"), str) and any(
            p.path == f"items[{index}]" or p.path.startswith((f"items[{index}].", f"items[{index}]["))
            for p in found
        ):
            broken.add(item["id"])
    return broken
