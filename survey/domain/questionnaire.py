"""Leitbild, questionnaire versions, items and scales as immutable values."""

from __future__ import annotations

import hashlib
from typing import Literal

import msgspec

__all__ = [
    "Audience",
    "Item",
    "Leitbild",
    "LeitbildValue",
    "Option",
    "QuestionnaireVersion",
    "Scale",
    "ScaleType",
    "Section",
    "Texts",
    "content_hash",
]

Texts = dict[str, str]
Audience = Literal["staff", "citizen"]
ScaleType = Literal["likert-5", "scale-0-10", "yes-no", "single-choice", "text"]


def content_hash(struct: msgspec.Struct) -> str:
    """SHA-256 of the canonical JSON form: comments and layout of the file do not count."""
    return hashlib.sha256(msgspec.json.encode(struct, order="sorted")).hexdigest()


class LeitbildValue(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    name: Texts
    description: Texts = {}


class Leitbild(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: str = msgspec.field(name="leitbild")
    languages: list[str] = []
    name: Texts = {}
    description: Texts = {}
    values: list[LeitbildValue] = []

    def value(self, key: str) -> LeitbildValue:
        return next(v for v in self.values if v.key == key)

    @property
    def value_keys(self) -> list[str]:
        return [v.key for v in self.values]


class Option(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: int
    label: Texts


class Scale(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    type: ScaleType
    labels: dict[str, list[str]] = {}
    anchors: dict[str, list[str]] = {}
    options: list[Option] = []
    no_answer: Texts = {}
    max_length: int = 2000

    @property
    def is_text(self) -> bool:
        return self.type == "text"

    @property
    def codes(self) -> tuple[int, ...]:
        """The stored answer codes; "keine Angabe" is stored as NULL, free text elsewhere."""
        match self.type:
            case "likert-5":
                return (1, 2, 3, 4, 5)
            case "scale-0-10":
                return tuple(range(11))
            case "yes-no":
                return (0, 1)
            case "single-choice":
                return tuple(o.code for o in self.options)
        return ()

    @property
    def shape(self) -> tuple[str, tuple[int, ...]]:
        """What must stay equal for answers to be comparable across versions."""
        return (self.type, self.codes)


class Item(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    id: str
    text: Texts
    scale: str
    values: list[str] = []
    help: Texts = {}
    required: bool = False
    reverse: bool = False
    change: Literal["editorial"] | None = None
    replaces: str | None = None
    section: str | None = None


class Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """A heading over the items that name it; presentation only (not part of comparability)."""

    id: str
    title: Texts
    intro: Texts = {}


class QuestionnaireVersion(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    questionnaire: str
    version: int
    audience: Audience
    leitbild: str
    languages: list[str]
    title: Texts
    scales: dict[str, Scale]
    items: list[Item]
    intro: Texts = {}
    sections: list[Section] = []

    @property
    def content_hash(self) -> str:
        return content_hash(self)

    @property
    def label(self) -> str:
        return f"{self.questionnaire} v{self.version}"

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def scale_of(self, item: Item) -> Scale:
        return self.scales[item.scale]

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]
