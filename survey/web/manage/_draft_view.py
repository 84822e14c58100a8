"""The editor of a draft as the page shows it: every field with its name (its place in the data),
its value in each declared language side by side, a missing translation marked, the wording of the
version before beside it, and each problem of the checks at the field it belongs to.

A problem's path (`items[3].text`) leads to its field: the text in the language it names, the
field itself, the first field inside it, or the nearest group around it; a problem about the kind
of change (a rewording not declared) goes to the question's choice of kind. The summary at the top
lists every problem with a link to its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from survey.domain import Leitbild, QuestionnaireVersion
from survey.errors import Problem
from survey.web.i18n import LANGUAGES
from survey.web.manage._catalog_problems import catalog_problem_text, language_label
from survey.web.manage._draft_form import item_kind

__all__ = [
    "EditorView",
    "Field",
    "Group",
    "Placement",
    "editor_view",
    "field_id",
    "language_label",
    "text_group",
]

_TEXT_MISSING = re.compile(r"no text for `([^`]+)`")
#: problems whose fix is the kind of change of the question, not its text
_ABOUT_KIND = (
    "the wording differs from",
    "the text is the same as in",
    "there is no item `",
    "the item keeps the id",
)
_INDEX = re.compile(r"\[(\d+)\]")


def field_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name.replace(".", "-"))


@dataclass
class Field:
    """One input: its form name, id, label, value and the problems placed at it."""

    name: str
    label: str
    value: str = ""
    lang: str | None = None
    missing: bool = False
    #: the wording of the version before, where it differs
    before: str | None = None
    multiline: bool = False
    errors: list[str] = field(default_factory=list)
    #: where it is, for the summary at the top ("Frage 3 (wissen-geteilt), Frage – Englisch (en)")
    where: str = ""

    @property
    def id(self) -> str:
        return field_id(self.name)


@dataclass
class Group:
    """Fields that belong together (a text in every language, a question, the values), with the
    problems placed at the group itself."""

    name: str
    label: str
    fields: list[Field] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    where: str = ""

    @property
    def id(self) -> str:
        return field_id(self.name)

    @property
    def missing(self) -> bool:
        return any(f.missing for f in self.fields)


T = TypeVar("T", "Field", "Group")


@dataclass
class Placement:
    """Which field each problem goes to; what goes nowhere stays at the top."""

    targets: dict[str, Field | Group] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def add(self, target: T) -> T:
        self.targets[target.name] = target
        return target

    def _target(self, path: str, message: str) -> Field | Group | None:
        dotted = _INDEX.sub(r".\1", path)
        parts = dotted.split(".") if dotted else []
        if len(parts) >= 2 and parts[0] == "items" and message.startswith(_ABOUT_KIND):
            return self.targets.get(f"items.{parts[1]}.kind")
        if len(parts) == 3 and parts[0] == "items" and parts[2] in ("change", "replaces"):
            return self.targets.get(f"items.{parts[1]}.kind")
        missing = _TEXT_MISSING.match(message)
        if missing:
            wanted = f"{dotted}.{missing.group(1)}"
            found = self.targets.get(wanted) or next(
                (t for n, t in self.targets.items() if n.startswith(wanted + ".")), None
            )
            if found is not None:
                return found
        while parts:
            name = ".".join(parts)
            if name in self.targets:
                return self.targets[name]
            inside = next((t for n, t in self.targets.items() if n.startswith(name + ".")), None)
            if inside is not None:
                return inside
            parts = parts[:-1]
        return None

    def place(self, problems: Iterable[Problem], lang: str) -> None:
        for problem in problems:
            self.put(problem.path, problem.message, catalog_problem_text(problem.message, lang))

    def put(self, path: str, message: str, text: str) -> None:
        target = self._target(path, message)
        if target is None:
            self.general.append(text)
            self.summary.append(("editor-top", text))
        else:
            target.errors.append(text)
            self.summary.append((target.id, f"{target.where}: {text}" if target.where else text))


@dataclass
class ItemView:
    index: int
    id: Field
    kind: str
    origin: str | None
    kinds: Group
    text: Group
    help: Group
    scale: Field
    values: Group
    #: the value keys the question measures now
    chosen: list[str]
    section: Field
    reverse: bool
    required: bool
    group: Group


@dataclass
class EditorView:
    languages: list[str]
    title: Group
    intro: Group
    sections: list[tuple[Field, Group, Group]]
    scales: list[tuple[str, str, list[Group]]]
    items: list[ItemView]
    #: questions of the version before that this draft no longer asks (nor replaces)
    retired: list[tuple[str, str]]
    placement: Placement
    scale_names: list[str]
    section_ids: list[str]
    value_keys: list[tuple[str, str]]
    addable_languages: list[tuple[str, str]]


def _text(value: Any) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def text_group(
    placement: Placement,
    name: str,
    label: str,
    texts: Any,
    languages: list[str],
    lang: str,
    *,
    before: dict[str, str] | None = None,
    optional: bool = False,
    where: str = "",
) -> Group:
    values = _text(texts)
    group = Group(name, label, where=f"{where}, {label}" if where else label)
    for tag in languages:
        value = values.get(tag, "")
        old = (before or {}).get(tag)
        group.fields.append(
            placement.add(
                Field(
                    f"{name}.{tag}",
                    language_label(tag, lang),
                    value,
                    lang=tag,
                    missing=not value and (bool(values) or not optional),
                    before=old if old is not None and old != value else None,
                    multiline=True,
                    where=f"{group.where} – {language_label(tag, lang)}",
                )
            )
        )
    placement.add(group)
    return group


def _scale_groups(
    placement: Placement,
    name: str,
    scale: dict[str, Any],
    languages: list[str],
    lang: str,
    _: Callable[..., str],
) -> list[Group]:
    groups = []
    kind = scale.get("type")
    lists = {"likert-5": ("labels", 5), "yes-no": ("labels", 2), "scale-0-10": ("anchors", 2)}
    if kind in lists:
        key, count = lists[kind]
        found = scale.get(key) if isinstance(scale.get(key), dict) else {}
        for n in range(count):
            texts = {
                t: v[n]
                for t, v in found.items()
                if isinstance(v, list) and n < len(v) and isinstance(v[n], str)
            }
            if kind == "scale-0-10":
                label = _("Label of 0") if n == 0 else _("Label of 10")
            elif kind == "yes-no":
                label = _("“No”") if n == 0 else _("“Yes”")
            else:
                label = _("Answer %(number)s of 5", number=n + 1)
            where = f"{_('Scale %(name)s', name=name)}, {label}"
            group = Group(f"scales.{name}.{key}.{n}", label, where=where)
            for tag in languages:
                value = texts.get(tag, "")
                group.fields.append(
                    placement.add(
                        Field(
                            f"scales.{name}.{key}.{tag}.{n}",
                            language_label(tag, lang),
                            value,
                            tag,
                            not value,
                            where=f"{where} – {language_label(tag, lang)}",
                        )
                    )
                )
            groups.append(group)
    for index, option in enumerate(scale.get("options") or []):
        if isinstance(option, dict):
            label = _("Option %(code)s", code=option.get("code"))
            groups.append(
                text_group(
                    placement,
                    f"scales.{name}.options.{index}.label",
                    label,
                    option.get("label"),
                    languages,
                    lang,
                    where=_("Scale %(name)s", name=name),
                )
            )
    if kind != "text":
        groups.append(
            text_group(
                placement,
                f"scales.{name}.no_answer",
                _("“No answer”"),
                scale.get("no_answer"),
                languages,
                lang,
                where=_("Scale %(name)s", name=name),
            )
        )
    return groups


def _item_view(
    placement: Placement,
    index: int,
    item: dict[str, Any],
    languages: list[str],
    previous: QuestionnaireVersion | None,
    lang: str,
    _: Callable[..., str],
) -> ItemView:
    name = f"items.{index}"
    kind, origin = item_kind(item, previous)
    before = (
        dict(previous.item(origin).text) if previous is not None and origin in previous.item_ids else None
    )
    before_help = (
        dict(previous.item(origin).help) if previous is not None and origin in previous.item_ids else None
    )
    values = item.get("values") if isinstance(item.get("values"), list) else []
    where = f"{_('Question %(number)s', number=index + 1)} ({item.get('id', '')})"
    return ItemView(
        index=index,
        id=placement.add(Field(f"{name}.id", _("Id"), str(item.get("id", "")), where=f"{where}, {_('Id')}")),
        kind=kind,
        origin=origin,
        kinds=placement.add(
            Group(f"{name}.kind", _("Kind of change"), where=f"{where}, {_('Kind of change')}")
        ),
        text=text_group(
            placement,
            f"{name}.text",
            _("Question"),
            item.get("text"),
            languages,
            lang,
            before=before,
            where=where,
        ),
        help=text_group(
            placement,
            f"{name}.help",
            _("Help text (optional)"),
            item.get("help"),
            languages,
            lang,
            before=before_help,
            optional=True,
            where=where,
        ),
        scale=placement.add(
            Field(
                f"{name}.scale",
                _("Answer scale"),
                str(item.get("scale", "")),
                where=f"{where}, {_('Answer scale')}",
            )
        ),
        values=placement.add(
            Group(
                f"{name}.values", _("Leitbild values it measures"), where=f"{where}, {_('Leitbild values')}"
            )
        ),
        chosen=[str(v) for v in values],
        section=placement.add(
            Field(
                f"{name}.section",
                _("Section"),
                str(item.get("section") or ""),
                where=f"{where}, {_('Section')}",
            )
        ),
        reverse=bool(item.get("reverse")),
        required=bool(item.get("required")),
        group=placement.add(Group(name, _("Question %(number)s", number=index + 1), where=where)),
    )


def _retired(data: dict[str, Any], previous: QuestionnaireVersion | None, lang: str) -> list[tuple[str, str]]:
    if previous is None:
        return []
    items = [i for i in data.get("items", []) if isinstance(i, dict)]
    kept = {i.get("id") for i in items} | {i.get("replaces") for i in items}
    return [
        (i.id, i.text.get(lang) or i.text.get("de") or next(iter(i.text.values()), ""))
        for i in previous.items
        if i.id not in kept
    ]


def _section_views(
    placement: Placement, data: dict[str, Any], languages: list[str], lang: str, _: Callable[..., str]
) -> list[tuple[Field, Group, Group]]:
    sections = []
    for index, section in enumerate(data.get("sections") or []):
        name = f"sections.{index}"
        where = _("Section %(number)s", number=index + 1)
        sections.append(
            (
                placement.add(
                    Field(f"{name}.id", _("Id"), str(section.get("id", "")), where=f"{where}, {_('Id')}")
                ),
                text_group(
                    placement,
                    f"{name}.title",
                    _("Heading"),
                    section.get("title"),
                    languages,
                    lang,
                    where=where,
                ),
                text_group(
                    placement,
                    f"{name}.intro",
                    _("Introduction (optional)"),
                    section.get("intro"),
                    languages,
                    lang,
                    optional=True,
                    where=where,
                ),
            )
        )
        placement.add(Group(name, where, where=where))
    return sections


def editor_view(
    data: dict[str, Any],
    previous: QuestionnaireVersion | None,
    leitbild: Leitbild | None,
    problems: Iterable[Problem],
    lang: str,
    _: Callable[..., str],
    typed: dict[str, str] | None = None,
) -> EditorView:
    """The editor of `data` (editable, see _draft_form), with each problem at its field; `typed`
    are the form's own refusals (field name → text)."""
    placement = Placement()
    languages = [x for x in data.get("languages", []) if isinstance(x, str)]
    placement.add(Group("languages", _("Languages"), where=_("Languages")))
    placement.add(Group("new_language", _("Add a language"), where=_("Languages")))
    sections = _section_views(placement, data, languages, lang, _)
    scales = []
    for name, scale in (data.get("scales") or {}).items():
        scales.append(
            (name, str(scale.get("type", "")), _scale_groups(placement, name, scale, languages, lang, _))
        )
        placement.add(Group(f"scales.{name}", name, where=_("Scale %(name)s", name=name)))
    view = EditorView(
        languages=languages,
        title=text_group(placement, "title", _("Title"), data.get("title"), languages, lang),
        intro=text_group(
            placement,
            "intro",
            _("Introduction (optional)"),
            data.get("intro"),
            languages,
            lang,
            optional=True,
        ),
        sections=sections,
        scales=scales,
        items=[
            _item_view(placement, index, item, languages, previous, lang, _)
            for index, item in enumerate(data.get("items") or [])
        ],
        retired=_retired(data, previous, lang),
        placement=placement,
        scale_names=list(data.get("scales") or {}),
        section_ids=[str(s.get("id", "")) for s in data.get("sections") or []],
        value_keys=[(v.key, v.name.get(lang) or v.name.get("de") or v.key) for v in leitbild.values]
        if leitbild
        else [],
        addable_languages=[(t, language_label(t, lang)) for t in LANGUAGES if t not in languages],
    )
    for name, text in (typed or {}).items():
        placement.put(name, "", text)
    placement.place(problems, lang)
    return view
