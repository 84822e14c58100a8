"""The checks of one version file on its own: its names, scales, sections and items.

The rules between two versions of a questionnaire are in `_changes`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from survey.domain.catalog._texts import Path_, check_complete, declared_languages, items_of
from survey.domain.questionnaire import Leitbild
from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem


def check_version(
    doc: YamlDocument,
    data: dict[str, Any],
    folder: str,
    number: int,
    leitbilder: dict[str, Leitbild],
    broken: dict[str, str],
    found: list[Problem],
) -> None:
    """Every problem of version file `folder/v<number>.yaml` on its own, added to `found`."""
    leitbild = _check_names(doc, data, folder, number, leitbilder, broken, found)
    languages = declared_languages(doc, data, found)
    for text_path in (["title"], ["intro"]):
        check_complete(doc, data, text_path, languages, found)
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    _check_scales(doc, data, scales, languages, found)
    section_ids = _check_sections(doc, data, languages, found)
    _check_items(doc, data, scales, section_ids, leitbild, languages, found)


def _check_names(
    doc: YamlDocument,
    data: dict[str, Any],
    folder: str,
    number: int,
    leitbilder: dict[str, Leitbild],
    broken: dict[str, str],
    found: list[Problem],
) -> Leitbild | None:
    """Questionnaire and version as folder and file name say, and a Leitbild that loads."""
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
    leitbild = leitbilder.get(leitbild_key) if isinstance(leitbild_key, str) else None
    if isinstance(leitbild_key, str) and leitbild_key in broken:
        found.append(
            doc.problem(
                ["leitbild"],
                f"the Leitbild `{leitbild_key}` cannot be loaded because "
                f"{broken[leitbild_key]} has problems: fix those first",
            )
        )
    elif isinstance(leitbild_key, str) and leitbild is None:
        known = ", ".join(leitbilder) or "none loaded"
        found.append(
            doc.problem(
                ["leitbild"],
                f"no Leitbild with key `{leitbild_key}` "
                f"(known: {known}): fix the key or add the Leitbild file",
            )
        )
    return leitbild


def _check_scales(
    doc: YamlDocument, data: dict[str, Any], scales: dict, languages: list[str], found: list[Problem]
) -> None:
    """Complete labels, and one code per option."""
    for name, scale in scales.items():
        if not isinstance(scale, dict):
            continue
        for key in ("labels", "anchors", "no_answer"):
            check_complete(doc, data, ["scales", name, key], languages, found)
        codes: Counter[int] = Counter()
        options = scale.get("options")
        for index, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):
                check_complete(doc, data, ["scales", name, "options", index, "label"], languages, found)
                if isinstance(option.get("code"), int):
                    codes[option["code"]] += 1
                    if codes[option["code"]] == 2:
                        found.append(
                            doc.problem(
                                ["scales", name, "options", index, "code"],
                                f"the code {option['code']} is used twice: give each option its own code",
                            )
                        )


def _check_sections(
    doc: YamlDocument, data: dict[str, Any], languages: list[str], found: list[Problem]
) -> Counter[str]:
    """Complete titles, and one id per section; returns the section ids."""
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    section_ids: Counter[str] = Counter()
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        for key in ("title", "intro"):
            check_complete(doc, data, ["sections", index, key], languages, found)
        if isinstance(section.get("id"), str):
            section_ids[section["id"]] += 1
            if section_ids[section["id"]] == 2:
                found.append(
                    doc.problem(
                        ["sections", index, "id"],
                        f"the section id `{section['id']}` appears twice: give each section its own id",
                    )
                )
    return section_ids


def _check_items(
    doc: YamlDocument,
    data: dict[str, Any],
    scales: dict,
    section_ids: Counter[str],
    leitbild: Leitbild | None,
    languages: list[str],
    found: list[Problem],
) -> None:
    """Each item in a known section, with its own id, complete texts, and a scale and values."""
    ids: Counter[str] = Counter()
    for index, item in items_of(data):
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
            check_complete(doc, data, [*here, key], languages, found)
        _check_item_scale(doc, item, here, scales, leitbild, found)


def _check_item_scale(
    doc: YamlDocument,
    item: dict[str, Any],
    here: Path_,
    scales: dict,
    leitbild: Leitbild | None,
    found: list[Problem],
) -> None:
    """A defined scale, values of the Leitbild for a rated item, no reversed free text."""
    scale_name = item.get("scale")
    scale = scales.get(scale_name) if isinstance(scale_name, str) else None
    if isinstance(scale_name, str) and scale is None:
        known = ", ".join(scales) or "none defined"
        found.append(
            doc.problem(
                [*here, "scale"],
                f"no scale named `{scale_name}` (defined: {known}): fix the name or define it under `scales`",
            )
        )
    is_text = isinstance(scale, dict) and scale.get("type") == "text"
    values = item.get("values")
    if values is None and scale is not None and not is_text:
        found.append(
            doc.problem(
                [*here, "values"],
                "`values` is missing: list the Leitbild values this item measures, e.g. values: [vertrauen]",
            )
        )
    if item.get("reverse") and is_text:
        found.append(doc.problem([*here, "reverse"], "a free-text item cannot be reversed: remove `reverse`"))
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
