"""The editor's form, read back into a version's data: each field's name is its place in the data
(`items.3.text.de`, `scales.agree5.labels.en.4`), so that a problem of the checks (`items[3].text`)
finds its field again.

What the form does not show is kept from the draft as saved (a scale's type and codes, a text in
a language the version does not declare). Each question from the version before says what kind of
change it is: unchanged and editorial keep the id, substantive takes a new id that `replaces` the
old one, retired drops it. What the form itself refuses (a new id for an editorial change, an
unknown language) is not saved: the form comes back with what was typed and the problem at its
field. Everything else is saved, problems and all, and the checks say what to fix.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

from survey.domain import QuestionnaireVersion
from survey.errors import N_, Message
from survey.web.i18n import LANGUAGES

__all__ = [
    "KINDS",
    "EditedDraft",
    "FormData",
    "apply_form",
    "editable",
    "form_count",
    "form_texts",
    "form_value",
    "free_id",
    "item_kind",
    "set_texts",
]

#: the kinds of change of a question that was in the version before
KINDS = ("unchanged", "editorial", "substantive", "retired")
#: the most items, sections or options a form is read for (a questionnaire has a few dozen)
_MOST = 500
_ACTION = re.compile(r"^(up|down|restore|save|add-item|add-section|add-language)(?::(.{1,80}))?$")


class FormData(Protocol):
    """The form as litestar gives it (FormMultiDict): one value, or all values of a name."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getall(self, key: str, default: Any = None) -> list[Any]: ...


@dataclass
class EditedDraft:
    """The data the form makes of the draft, what the form itself refuses (field name → message),
    and the action asked for (`save`, `add-item`, …)."""

    data: dict[str, Any]
    problems: dict[str, Message] = field(default_factory=dict)
    action: str = "save"


def editable(data: Any) -> bool:
    """Whether the form can show the draft without losing anything: a mapping whose items,
    sections and scales have the shape of a version (else only its text can be edited)."""
    if not isinstance(data, dict):
        return False
    items, sections, scales, languages = (
        data.get("items"),
        data.get("sections", []),
        data.get("scales"),
        data.get("languages"),
    )
    return (
        isinstance(items, list)
        and all(isinstance(i, dict) and isinstance(i.get("text", {}), dict) for i in items)
        and isinstance(sections, list)
        and all(isinstance(s, dict) for s in sections)
        and isinstance(scales, dict)
        and all(isinstance(s, dict) for s in scales.values())
        and isinstance(languages, list)
        and all(isinstance(x, str) for x in languages)
    )


def item_kind(item: Mapping[str, Any], previous: QuestionnaireVersion | None) -> tuple[str, str | None]:
    """(kind, origin) of an item as saved: the kind of change, and the id of the question of the
    version before it stands for (None for a new question)."""
    replaces = item.get("replaces")
    if isinstance(replaces, str):
        return "substantive", replaces
    item_id = item.get("id")
    if previous is not None and isinstance(item_id, str) and item_id in previous.item_ids:
        return ("editorial" if item.get("change") == "editorial" else "unchanged"), item_id
    return "new", None


def form_value(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_count(form: FormData, name: str) -> int:
    value = form_value(form, name)
    return min(int(value), _MOST) if value.isdigit() else 0


def form_texts(base: Any, form: FormData, name: str, languages: list[str]) -> dict[str, str]:
    """A text map: the form's text in each declared language (an empty field leaves it out), and
    the texts in undeclared languages as they were (the checks name those)."""
    texts = {k: v for k, v in base.items() if k not in languages} if isinstance(base, dict) else {}
    for language in languages:
        value = form.get(f"{name}.{language}")
        value = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
        if value:
            texts[language] = value
    return texts


def set_texts(target: dict[str, Any], key: str, texts: dict[str, str]) -> None:
    if texts:
        target[key] = texts
    else:
        target.pop(key, None)


def _labels(base: Any, form: FormData, name: str, languages: list[str], count: int) -> dict[str, list[str]]:
    labels = {k: v for k, v in base.items() if k not in languages} if isinstance(base, dict) else {}
    for language in languages:
        typed = [form_value(form, f"{name}.{language}.{n}") for n in range(count)]
        if any(typed):
            labels[language] = typed
    return labels


def _scale(base: dict[str, Any], form: FormData, name: str, languages: list[str]) -> dict[str, Any]:
    scale = copy.deepcopy(base)
    kind = scale.get("type")
    if kind in ("likert-5", "yes-no"):
        count = 5 if kind == "likert-5" else 2
        set_texts(scale, "labels", _labels(scale.get("labels"), form, f"{name}.labels", languages, count))  # type: ignore[arg-type]
    elif kind == "scale-0-10":
        set_texts(scale, "anchors", _labels(scale.get("anchors"), form, f"{name}.anchors", languages, 2))  # type: ignore[arg-type]
    elif kind == "single-choice" and isinstance(scale.get("options"), list):
        for index, option in enumerate(scale["options"][:_MOST]):
            if isinstance(option, dict):
                set_texts(
                    option,
                    "label",
                    form_texts(option.get("label"), form, f"{name}.options.{index}.label", languages),
                )
    if kind != "text":
        set_texts(
            scale, "no_answer", form_texts(scale.get("no_answer"), form, f"{name}.no_answer", languages)
        )
    return scale


def _item(
    base: dict[str, Any], form: FormData, index: int, languages: list[str], problems: dict[str, Message]
) -> dict[str, Any] | None:
    """Item `index` as the form has it; None where it is retired."""
    name = f"items.{index}"
    item = copy.deepcopy(base)
    kind, origin = form_value(form, f"{name}.kind") or "new", form_value(form, f"{name}.origin") or None
    if kind == "retired" and origin:
        return None
    typed_id = form_value(form, f"{name}.id")
    item["id"] = typed_id
    for key in ("change", "replaces"):
        item.pop(key, None)
    if origin and kind in ("unchanged", "editorial") and typed_id != origin:
        problems[f"{name}.id"] = Message(
            N_("a new id fits a substantive change only: choose “substantive”, or keep the id %(origin)s"),
            {"origin": origin},
        )
    elif origin and kind == "substantive":
        if typed_id == origin:
            problems[f"{name}.id"] = Message(
                N_("a substantive change needs a new id: the question it replaces keeps %(origin)s"),
                {"origin": origin},
            )
        item["replaces"] = origin
    if origin and kind == "editorial":
        item["change"] = "editorial"
    set_texts(item, "text", form_texts(item.get("text"), form, f"{name}.text", languages))
    set_texts(item, "help", form_texts(item.get("help"), form, f"{name}.help", languages))
    item["scale"] = form_value(form, f"{name}.scale") or item.get("scale", "")
    values = [v.strip() for v in form.getall(f"{name}.values", []) if isinstance(v, str) and v.strip()]
    listed = form_value(form, f"{name}.values_listed")
    if listed:  # without a published Leitbild: the keys typed, separated by commas
        values = [v.strip() for v in listed.split(",") if v.strip()]
    item["values"] = list(dict.fromkeys(values))
    section = form_value(form, f"{name}.section")
    if section:
        item["section"] = section
    else:
        item.pop("section", None)
    for flag in ("reverse", "required"):
        if form.get(f"{name}.{flag}") == "1":
            item[flag] = True
        else:
            item.pop(flag, None)
    return item


def _action(form: FormData) -> tuple[str, str | None]:
    found = _ACTION.match(form_value(form, "action") or "save")
    return (found.group(1), found.group(2)) if found else ("save", None)


def _moved(items: list[Any], action: str, argument: str | None) -> list[Any]:
    if argument is None or not argument.isdigit():
        return items
    index = int(argument)
    other = index - 1 if action == "up" else index + 1
    if 0 <= index < len(items) and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


def free_id(prefix: str, taken: set[str]) -> str:
    number = 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def _added(
    data: dict[str, Any], action: str, argument: str | None, previous: QuestionnaireVersion | None
) -> None:
    items: list[Any] = data["items"]
    if action == "add-item":
        taken = {i.get("id") for i in items if isinstance(i, dict)}
        scales = list(data.get("scales") or {})
        items.append(
            {"id": free_id("frage", taken), "text": {}, "scale": scales[0] if scales else "", "values": []}
        )  # type: ignore[arg-type]
    elif action == "add-section":
        sections = data.setdefault("sections", [])
        taken = {s.get("id") for s in sections if isinstance(s, dict)}
        sections.append({"id": free_id("abschnitt", taken), "title": {}})  # type: ignore[arg-type]
    elif action == "restore" and previous is not None and argument in previous.item_ids:
        old = msgspec.to_builtins(previous.item(argument))
        old.pop("change", None)
        old.pop("replaces", None)
        items.append(old)


def apply_form(base: dict[str, Any], form: FormData, previous: QuestionnaireVersion | None) -> EditedDraft:
    """The draft's data as the form has it (see the module's docstring)."""
    data = copy.deepcopy(base)
    problems: dict[str, Message] = {}
    action, argument = _action(form)
    languages = [x for x in data.get("languages", []) if isinstance(x, str)]
    if action == "add-language":
        wanted = form_value(form, "new_language")
        if wanted in LANGUAGES and wanted not in languages:
            languages.append(wanted)
            data["languages"] = languages
        else:
            problems["new_language"] = Message(N_("choose a language the version does not have yet"))
    for key in ("title", "intro"):
        set_texts(data, key, form_texts(data.get(key), form, key, languages))
    sections = data.get("sections") if isinstance(data.get("sections"), list) else []
    for index, section in enumerate(sections[: form_count(form, "sections.count")]):
        name = f"sections.{index}"
        section["id"] = form_value(form, f"{name}.id")
        set_texts(section, "title", form_texts(section.get("title"), form, f"{name}.title", languages))
        set_texts(section, "intro", form_texts(section.get("intro"), form, f"{name}.intro", languages))
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    data["scales"] = {n: _scale(s, form, f"scales.{n}", languages) for n, s in scales.items()}
    old_items = data.get("items") if isinstance(data.get("items"), list) else []
    # by the form's numbering (a move names a question by it), retired ones left out after moving
    built = [
        _item(old_items[index] if index < len(old_items) else {}, form, index, languages, problems)
        for index in range(form_count(form, "items.count"))
    ]
    if action in ("up", "down"):
        built = _moved(built, action, argument)
    data["items"] = [item for item in built if item is not None]
    _added(data, action, argument, previous)
    return EditedDraft(data, problems, action)
