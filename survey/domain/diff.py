"""What changed between two versions of a questionnaire, and which trends stay comparable."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.domain.catalog import Catalog
from survey.domain.questionnaire import QuestionnaireVersion
from survey.errors import UnknownVersion

__all__ = ["ValueTrend", "VersionDiff", "diff_versions"]


@dataclass(frozen=True)
class ValueTrend:
    """Whether a value's trend joins from A to B, and over which common items."""

    value: str
    comparable: bool
    common_items: tuple[str, ...]


@dataclass(frozen=True)
class VersionDiff:
    questionnaire: str
    a: int
    b: int
    identical: list[str] = field(default_factory=list)
    editorial: list[str] = field(default_factory=list)
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (old id in A, new id in B)
    added: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    values: list[ValueTrend] = field(default_factory=list)

    @property
    def comparable_items(self) -> list[str]:
        return self.identical + self.editorial


def diff_versions(catalog: Catalog, questionnaire: str, a: int, b: int) -> VersionDiff:
    """Compare version `a` with version `b` (any two, in either order of publication)."""
    if a == b:
        raise UnknownVersion(f"compare two different versions of {questionnaire}, not {a} with {b}")
    old, new = catalog.version(questionnaire, a), catalog.version(questionnaire, b)
    # Follow `replaces` through the versions in between (v2 replaces x by y, v3 y by z: x → z).
    low, high = min(a, b), max(a, b)
    replaces: dict[str, str] = {}
    # Only ids asked in every version from A to B were checked pairwise for comparability; an id
    # dropped and later asked again may have changed in between, so it counts as retired and added.
    continuous: set[str] = set(old.item_ids) & set(new.item_ids)
    for version in catalog.versions_of(questionnaire):
        if low < version.version <= high:
            replaces.update({i.id: i.replaces for i in version.items if i.replaces})
        if low <= version.version <= high:
            continuous &= set(version.item_ids)
    if a > b:
        old, new = new, old
    diff = _compare(old, new, replaces, continuous)
    if a > b:
        diff = VersionDiff(
            questionnaire,
            a,
            b,
            diff.identical,
            diff.editorial,
            [(n, o) for o, n in diff.replaced],
            diff.retired,
            diff.added,
            diff.values,
        )
    return diff


def _compare(
    old: QuestionnaireVersion, new: QuestionnaireVersion, replaces: dict[str, str], continuous: set[str]
) -> VersionDiff:
    diff = VersionDiff(old.questionnaire, old.version, new.version)
    old_ids = set(old.item_ids)
    replaced_old: set[str] = set()
    for item in new.items:
        if item.id in continuous:
            before = old.item(item.id)
            (diff.identical if before.text == item.text else diff.editorial).append(item.id)
            continue
        origin = replaces.get(item.id)
        seen = {item.id}
        while origin is not None and origin not in old_ids and origin not in seen:
            seen.add(origin)
            origin = replaces.get(origin)
        if origin in old_ids:
            diff.replaced.append((origin, item.id))
            replaced_old.add(origin)
        else:
            diff.added.append(item.id)
    diff.retired.extend(i for i in old.item_ids if i not in continuous and i not in replaced_old)
    comparable = set(diff.comparable_items)
    values = list(dict.fromkeys(v for i in old.items + new.items for v in i.values))
    for value in values:
        common = tuple(i.id for i in new.items if i.id in comparable and value in i.values)
        diff.values.append(ValueTrend(value, bool(common), common))
    return diff
