"""The editor of a Leitbild draft: its name and description, and each value with its key, name and
description, in every declared language side by side; the form read back into the Leitbild's
data, and each problem of the checks placed at its field (as survey.web.manage._draft_view does
for a questionnaire)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from survey.domain import Leitbild
from survey.errors import N_, Message, Problem
from survey.web.i18n import LANGUAGES
from survey.web.manage._draft_form import (
    EditedDraft,
    FormData,
    form_count,
    form_texts,
    form_value,
    free_id,
    set_texts,
)
from survey.web.manage._draft_view import Field, Group, Placement, language_label, text_group

__all__ = ["LeitbildView", "apply_leitbild_form", "leitbild_editable", "leitbild_view"]


def leitbild_editable(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("values"), list)
        and all(isinstance(v, dict) for v in data["values"])
        and isinstance(data.get("languages"), list)
        and all(isinstance(x, str) for x in data["languages"])
    )


def apply_leitbild_form(base: dict[str, Any], form: FormData) -> EditedDraft:
    data = copy.deepcopy(base)
    problems: dict[str, Message] = {}
    action = form_value(form, "action") or "save"
    languages = [x for x in data.get("languages", []) if isinstance(x, str)]
    if action == "add-language":
        wanted = form_value(form, "new_language")
        if wanted in LANGUAGES and wanted not in languages:
            languages.append(wanted)
            data["languages"] = languages
        else:
            problems["new_language"] = Message(N_("choose a language the version does not have yet"))
    for key in ("name", "description"):
        set_texts(data, key, form_texts(data.get(key), form, key, languages))
    values = []
    for index, value in enumerate(data.get("values", [])[: form_count(form, "values.count")]):
        name = f"values.{index}"
        if form.get(f"{name}.drop") == "1":
            continue
        value["key"] = form_value(form, f"{name}.key")
        set_texts(value, "name", form_texts(value.get("name"), form, f"{name}.name", languages))
        set_texts(
            value, "description", form_texts(value.get("description"), form, f"{name}.description", languages)
        )
        values.append(value)
    data["values"] = values
    if action == "add-value":
        data["values"].append({"key": free_id("wert", {v.get("key") for v in values}), "name": {}})
    return EditedDraft(data, problems, action)


@dataclass
class LeitbildView:
    languages: list[str]
    name: Group
    description: Group
    values: list[tuple[Field, Group, Group, Group]]
    placement: Placement
    addable_languages: list[tuple[str, str]]


def leitbild_view(
    data: dict[str, Any],
    origin: Leitbild | None,
    problems: Iterable[Problem],
    lang: str,
    _: Callable[..., str],
    typed: dict[str, str] | None = None,
) -> LeitbildView:
    placement = Placement()
    languages = [x for x in data.get("languages", []) if isinstance(x, str)]
    placement.add(Group("languages", _("Languages")))
    placement.add(Group("new_language", _("Add a language")))
    before = {v.key: v for v in origin.values} if origin else {}
    values = []
    for index, value in enumerate(data.get("values", [])):
        name = f"values.{index}"
        old = before.get(value.get("key"))
        where = f"{_('Value %(number)s', number=index + 1)} ({value.get('key', '')})"
        key_field = Field(f"{name}.key", _("Key"), str(value.get("key", "")), where=f"{where}, {_('Key')}")
        values.append(
            (
                placement.add(key_field),
                text_group(
                    placement,
                    f"{name}.name",
                    _("Name"),
                    value.get("name"),
                    languages,
                    lang,
                    before=dict(old.name) if old else None,
                    where=where,
                ),
                text_group(
                    placement,
                    f"{name}.description",
                    _("Description (optional)"),
                    value.get("description"),
                    languages,
                    lang,
                    before=dict(old.description) if old else None,
                    optional=True,
                    where=where,
                ),
                placement.add(Group(name, _("Value %(number)s", number=index + 1), where=where)),
            )
        )
    view = LeitbildView(
        languages,
        text_group(
            placement,
            "name",
            _("Name of the Leitbild"),
            data.get("name"),
            languages,
            lang,
            before=dict(origin.name) if origin else None,
        ),
        text_group(
            placement,
            "description",
            _("Description (optional)"),
            data.get("description"),
            languages,
            lang,
            before=dict(origin.description) if origin else None,
            optional=True,
        ),
        values,
        placement,
        [(t, language_label(t, lang)) for t in LANGUAGES if t not in languages],
    )
    for name, text in (typed or {}).items():
        placement.put(name, "", text)
    placement.place(problems, lang)
    return view
