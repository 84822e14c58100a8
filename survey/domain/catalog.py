"""Load and check the questionnaire folder: Leitbild files and questionnaire versions.

Layout (DESIGN §4): `questionnaires/<leitbild>.yaml` for each Leitbild, and
`questionnaires/<questionnaire>/v<N>.yaml` for each version. Every problem in every file is
collected before anything is refused, so one run of `survey questionnaires check` lists them all.

A version names its Leitbild by key (`leitbild: lindenau`), never by a path: the schema lets only
an id through (`leitbild: ../../etc/passwd` is a problem of the file), and the key is looked up
among the Leitbild files read from this folder. Nothing else in a file refers to another file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from babel import Locale, UnknownLocaleError

from survey.domain.questionnaire import Leitbild, QuestionnaireVersion
from survey.domain.schemas import LEITBILD_SCHEMA, VERSION_SCHEMA
from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument, read_yaml
from survey.errors import Problem, QuestionnaireFileError, UnknownVersion

__all__ = ["Catalog", "check_catalog", "load_catalog", "valid_language"]

_VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.yaml$")
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


@dataclass
class Catalog:
    """The checked content of a questionnaire folder."""

    root: Path
    leitbilder: dict[str, Leitbild] = field(default_factory=dict)
    versions: dict[tuple[str, int], QuestionnaireVersion] = field(default_factory=dict)
    files: dict[tuple[str, int], str] = field(default_factory=dict)

    def questionnaires(self) -> list[str]:
        return sorted({q for q, _ in self.versions})

    def versions_of(self, questionnaire: str) -> list[QuestionnaireVersion]:
        return [self.versions[k] for k in sorted(self.versions) if k[0] == questionnaire]

    def version(self, questionnaire: str, number: int) -> QuestionnaireVersion:
        try:
            return self.versions[(questionnaire, number)]
        except KeyError:
            known = ", ".join(f"v{v.version}" for v in self.versions_of(questionnaire))
            if not known:
                names = ", ".join(self.questionnaires()) or "none"
                raise UnknownVersion(
                    f"there is no questionnaire `{questionnaire}` in {self.root} (questionnaires: {names})"
                ) from None
            raise UnknownVersion(
                f"{questionnaire} has no version {number} in {self.root} (versions: {known})"
            ) from None


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
            doc, leitbild = _load_leitbild(path, problems)
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


def _load_leitbild(path: Path, problems: list[Problem]) -> tuple[YamlDocument, Leitbild | None]:
    doc = read_yaml(path)
    if path.suffix == ".yml":
        problems.append(Problem(doc.file, "", "the file ends in .yml: rename it to end in .yaml"))
        return doc, None
    if doc.problems:
        problems.extend(doc.problems)
        return doc, None
    found = schema_problems(doc, LEITBILD_SCHEMA)
    data = doc.data if isinstance(doc.data, dict) else {}
    languages = _languages(doc, data, found)
    values = data.get("values") if isinstance(data.get("values"), list) else []
    for text_path in (["name"], ["description"]):
        _complete(doc, data, text_path, languages, found)
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
            _complete(doc, data, ["values", index, text], languages, found)
    problems.extend(found)
    if found:
        return doc, None
    return doc, msgspec.convert(data, Leitbild)


def _load_questionnaire(
    folder: Path, catalog: Catalog, broken: dict[str, str], problems: list[Problem]
) -> None:
    docs: dict[int, YamlDocument] = {}
    on_disk: set[int] = set()  # also the versions whose file cannot be read
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
    previous_data: dict[str, Any] | None = None
    previous_broken: set[str] = set()
    for number in sorted(docs):
        doc = docs[number]
        found = schema_problems(doc, VERSION_SCHEMA)
        if number > 1 and number - 1 not in on_disk:
            found.insert(
                0,
                Problem(
                    doc.file, "", f"there is no v{number - 1}.yaml in {folder}: number versions without gaps"
                ),
            )
        data = doc.data if isinstance(doc.data, dict) else {}
        _check_version(doc, data, folder.name, number, catalog, broken, found)
        if isinstance(previous_data, dict) and number - 1 in docs:
            _check_changes(doc, data, previous_data, number - 1, found, previous_broken)
        elif number == 1:
            # Where v(N-1) is missing or unreadable, that is reported already; the fix is
            # there, not in removing `change`/`replaces` here.
            for index, item in _items(data):
                for key in ("change", "replaces"):
                    if key in item:
                        found.append(
                            doc.problem(
                                ["items", index, key],
                                f"`{key}` needs a previous version to refer to: remove it",
                            )
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
    for index, item in _items(data):
        if isinstance(item.get("id"), str) and any(
            p.path == f"items[{index}]" or p.path.startswith((f"items[{index}].", f"items[{index}]["))
            for p in found
        ):
            broken.add(item["id"])
    return broken


def _items(data: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get("items")
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _languages(doc: YamlDocument, data: dict[str, Any], found: list[Problem]) -> list[str]:
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


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _complete(
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


def _check_version(
    doc: YamlDocument,
    data: dict[str, Any],
    folder: str,
    number: int,
    catalog: Catalog,
    broken: dict[str, str],
    found: list[Problem],
) -> None:
    if isinstance(data.get("questionnaire"), str) and data["questionnaire"] != folder:
        found.append(
            doc.problem(
                ["questionnaire"],
                f"is `{data['questionnaire']}` but the folder is `{folder}`: they must be equal",
            )
        )
    if isinstance(data.get("version"), int) and data["version"] != number:
        found.append(
            doc.problem(
                ["version"], f"is {data['version']} but the file is v{number}.yaml: they must be equal"
            )
        )
    leitbild_key = data.get("leitbild")
    leitbild = catalog.leitbilder.get(leitbild_key) if isinstance(leitbild_key, str) else None
    if isinstance(leitbild_key, str) and leitbild_key in broken:
        found.append(
            doc.problem(
                ["leitbild"],
                f"the Leitbild `{leitbild_key}` cannot be loaded because "
                f"{broken[leitbild_key]} has problems: fix those first",
            )
        )
    elif isinstance(leitbild_key, str) and leitbild is None:
        known = ", ".join(catalog.leitbilder) or "none loaded"
        found.append(
            doc.problem(
                ["leitbild"],
                f"no Leitbild with key `{leitbild_key}` "
                f"(known: {known}): fix the key or add the Leitbild file",
            )
        )
    languages = _languages(doc, data, found)
    for text_path in (["title"], ["intro"]):
        _complete(doc, data, text_path, languages, found)

    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    for name, scale in scales.items():
        if not isinstance(scale, dict):
            continue
        for key in ("labels", "anchors", "no_answer"):
            _complete(doc, data, ["scales", name, key], languages, found)
        codes: Counter[int] = Counter()
        options = scale.get("options")
        for index, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):
                _complete(doc, data, ["scales", name, "options", index, "label"], languages, found)
                if isinstance(option.get("code"), int):
                    codes[option["code"]] += 1
                    if codes[option["code"]] == 2:
                        found.append(
                            doc.problem(
                                ["scales", name, "options", index, "code"],
                                f"the code {option['code']} is used twice: give each option its own code",
                            )
                        )

    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    section_ids: Counter[str] = Counter()
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        for key in ("title", "intro"):
            _complete(doc, data, ["sections", index, key], languages, found)
        if isinstance(section.get("id"), str):
            section_ids[section["id"]] += 1
            if section_ids[section["id"]] == 2:
                found.append(
                    doc.problem(
                        ["sections", index, "id"],
                        f"the section id `{section['id']}` appears twice: give each section its own id",
                    )
                )

    ids: Counter[str] = Counter()
    for index, item in _items(data):
        here: Path_ = ["items", index]
        section_id = item.get("section")
        if isinstance(section_id, str) and section_id not in section_ids:
            known = ", ".join(section_ids) or "none defined"
            found.append(
                doc.problem(
                    [*here, "section"],
                    f"no section with id `{section_id}` (defined: {known}): "
                    "fix the id or add the section under `sections`",
                )
            )
        if isinstance(item.get("id"), str):
            ids[item["id"]] += 1
            if ids[item["id"]] == 2:
                found.append(
                    doc.problem(
                        [*here, "id"],
                        f"the item id `{item['id']}` appears twice "
                        "in this version: give each item its own id",
                    )
                )
        for key in ("text", "help"):
            _complete(doc, data, [*here, key], languages, found)
        scale_name = item.get("scale")
        scale = scales.get(scale_name) if isinstance(scale_name, str) else None
        if isinstance(scale_name, str) and scale is None:
            known = ", ".join(scales) or "none defined"
            found.append(
                doc.problem(
                    [*here, "scale"],
                    f"no scale named `{scale_name}` (defined: "
                    f"{known}): fix the name or define it under `scales`",
                )
            )
        is_text = isinstance(scale, dict) and scale.get("type") == "text"
        values = item.get("values")
        if values is None and scale is not None and not is_text:
            found.append(
                doc.problem(
                    [*here, "values"],
                    "`values` is missing: list the Leitbild values this "
                    "item measures, e.g. values: [vertrauen]",
                )
            )
        if item.get("reverse") and is_text:
            found.append(
                doc.problem([*here, "reverse"], "a free-text item cannot be reversed: remove `reverse`")
            )
        if leitbild is not None and isinstance(values, list):
            for vindex, value in enumerate(values):
                if isinstance(value, str) and value not in leitbild.value_keys:
                    found.append(
                        doc.problem(
                            [*here, "values", vindex],
                            f"`{value}` is not a value "
                            f"of the Leitbild `{leitbild.key}`: use one of "
                            f"{', '.join(leitbild.value_keys)}",
                        )
                    )


def _check_changes(
    doc: YamlDocument,
    data: dict[str, Any],
    previous: dict[str, Any],
    number: int,
    found: list[Problem],
    broken: set[str],
) -> None:
    """Rules between v(N-1) and vN: every change is declared, and only comparable ones keep an id."""
    before = {item.get("id"): item for _, item in _items(previous) if isinstance(item.get("id"), str)}
    current_ids = {item.get("id") for _, item in _items(data) if isinstance(item.get("id"), str)}
    prev_scales = previous.get("scales") if isinstance(previous.get("scales"), dict) else {}
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    for key in ("audience", "leitbild"):
        if previous.get(key) != data.get(key) and data.get(key) is not None:
            found.append(
                doc.problem(
                    [key],
                    f"differs from v{number} ({previous.get(key)}): a "
                    "questionnaire keeps its audience and Leitbild; start a new "
                    "questionnaire instead",
                )
            )
    replaced: dict[str, int] = {}
    for index, item in _items(data):
        here: Path_ = ["items", index]
        item_id = item.get("id")
        old = before.get(item_id) if isinstance(item_id, str) else None
        if old is not None:
            if item_id in broken:
                continue
            if item.get("replaces") is not None:
                found.append(
                    doc.problem(
                        [*here, "replaces"],
                        f"the item keeps the id `{item_id}` "
                        f"of v{number}, so it replaces nothing: remove `replaces` "
                        "or give the item a new id",
                    )
                )
            if _shape(_named(scales, item.get("scale"))) != _shape(_named(prev_scales, old.get("scale"))):
                found.append(
                    doc.problem(
                        [*here, "scale"],
                        f"the answer scale differs from v{number}"
                        ": that is a substantive change, so give the item a new id"
                        f" and `replaces: {item_id}`",
                    )
                )
            if _value_keys(item) != _value_keys(old):
                found.append(
                    doc.problem(
                        [*here, "values"],
                        f"the values differ from v{number}: "
                        "that changes what the item measures, so give the item a "
                        f"new id and `replaces: {item_id}`",
                    )
                )
            if bool(item.get("reverse")) != bool(old.get("reverse")):
                found.append(
                    doc.problem(
                        [*here, "reverse"],
                        f"`reverse` differs from v{number}: give the item a new id and `replaces: {item_id}`",
                    )
                )
            reworded = item.get("text") != old.get("text")
            if reworded and item.get("change") != "editorial":
                found.append(
                    doc.problem(
                        [*here, "text"],
                        f"the wording differs from v{number} but "
                        "the id stays: add `change: editorial` if it still measures"
                        " the same thing, or give it a new id with "
                        f"`replaces: {item_id}` if it does not",
                    )
                )
            if not reworded and item.get("change") == "editorial":
                found.append(
                    doc.problem(
                        [*here, "change"], f"the text is the same as in v{number}: remove `change: editorial`"
                    )
                )
        elif item.get("change") == "editorial" and isinstance(item_id, str):
            found.append(
                doc.problem(
                    [*here, "change"],
                    f"there is no item `{item_id}` in v{number}"
                    " to reword: remove `change` (a new item) or use the old id",
                )
            )
        target = item.get("replaces")
        if isinstance(target, str) and old is None:
            if target not in before:
                found.append(
                    doc.problem(
                        [*here, "replaces"],
                        f"there is no item `{target}` in v{number}: name an item id of v{number}",
                    )
                )
            elif target in current_ids:
                found.append(
                    doc.problem(
                        [*here, "replaces"],
                        f"`{target}` is still in this version: remove it from the items or remove `replaces`",
                    )
                )
            elif target in replaced:
                found.append(
                    doc.problem(
                        [*here, "replaces"],
                        f"`{target}` is already replaced by "
                        f"items[{replaced[target]}]: one item replaces one item",
                    )
                )
            replaced.setdefault(target, index)


def _named(scales: dict[str, Any], name: Any) -> Any:
    return scales.get(name) if isinstance(name, str) else None


def _value_keys(item: dict[str, Any]) -> Any:
    values = item.get("values") or []
    return sorted(values, key=str) if isinstance(values, list) else values


def _shape(scale: Any) -> Any:
    if not isinstance(scale, dict):
        return None
    options = scale.get("options")
    codes = [o.get("code") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    return (scale.get("type"), sorted(c for c in codes if isinstance(c, int)))
