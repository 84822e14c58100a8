"""The organisation: a tree of org units and the service points where citizens are served."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from survey.domain.org_changes import (
    StoredUnit,
    UnitChange,
    change_problems,
    normalise_changes,
    stored_change_problems,
)
from survey.domain.schemas import ORG_SCHEMA, UNIT_KINDS
from survey.domain.validation import schema_problems
from survey.domain.yamlfile import YamlDocument, read_yaml
from survey.errors import OrgFileError, Problem

__all__ = [
    "KIND_RANK",
    "OrgUnit",
    "Organisation",
    "ServicePoint",
    "StoredOrganisation",
    "check_org",
    "load_org",
]

KIND_RANK = {kind: rank for rank, kind in enumerate(UNIT_KINDS)}


class OrgUnit(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    key: str
    name: str
    kind: str
    headcount: int
    parent: str | None = None


class ServicePoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key: str
    name: str
    unit: str


class Organisation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    kommune: str
    units: list[OrgUnit]
    service_points: list[ServicePoint] = []
    #: the day this organisation takes effect (None: the day it is applied)
    valid_from: dt.date | None = None
    #: how its units follow from the organisation stored before (survey.domain.org_changes)
    changes: list[UnitChange] = []

    def unit(self, key: str) -> OrgUnit:
        return next(u for u in self.units if u.key == key)

    def children(self, key: str | None) -> list[OrgUnit]:
        return [u for u in self.units if u.parent == key]

    @property
    def root(self) -> OrgUnit:
        return next(u for u in self.units if u.parent is None)

    def path(self, key: str) -> list[str]:
        """Keys from the root down to `key`."""
        by_key = {u.key: u for u in self.units}
        keys = [key]
        while by_key[keys[-1]].parent is not None:
            keys.append(by_key[keys[-1]].parent)  # type: ignore[arg-type]
        return keys[::-1]

    def subtree(self, key: str) -> list[OrgUnit]:
        """The unit and everything below it, parents before children."""
        out = [self.unit(key)]
        for unit in out:
            out.extend(self.children(unit.key))
        return out

    def ordered(self) -> list[OrgUnit]:
        return self.subtree(self.root.key)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _rank(kind: object, unknown: int) -> int:
    return KIND_RANK.get(kind, unknown) if isinstance(kind, str) else unknown


@dataclass(frozen=True)
class StoredOrganisation:
    """What an organisation file is checked against besides itself: the units stored now (retired
    ones included), the day the organisation stored now took effect, and today."""

    units: Sequence[StoredUnit]
    valid_from: dt.date | None
    today: dt.date


def load_org(path: Path, stored: StoredOrganisation | None = None) -> Organisation:
    organisation, problems = check_org(path, stored)
    if problems or organisation is None:
        raise OrgFileError(problems)
    return organisation


def check_org(
    path: Path, stored: StoredOrganisation | None = None
) -> tuple[Organisation | None, list[Problem]]:
    """Every problem of an organisation file: structure, keys, parents, cycles, kinds, and its
    `changes:`; with `stored` also whether the changes fit the organisation they start from and
    whether `valid_from` lies between that organisation's day and today."""
    doc = read_yaml(path)
    if doc.problems:
        return None, doc.problems
    found = schema_problems(doc, ORG_SCHEMA)
    data = doc.data if isinstance(doc.data, dict) else {}
    units = [(i, u) for i, u in enumerate(_list(data.get("units"))) if isinstance(u, dict)]
    points = [(i, p) for i, p in enumerate(_list(data.get("service_points"))) if isinstance(p, dict)]
    by_key, index_of = _units_by_key(doc, units, found)
    _check_parents(doc, by_key, index_of, found)
    _check_cycles(doc, by_key, index_of, found)
    _check_service_points(doc, points, by_key, found)
    if "valid_from" in data and not _is_day(data["valid_from"]):
        found.append(
            doc.problem(["valid_from"], "expected a day such as 2027-01-01: write it as YYYY-MM-DD, unquoted")
        )
    if not found:
        found.extend(change_problems(doc, by_key))
    if found:
        return None, _sorted(found)
    organisation = msgspec.convert({**data, "changes": normalise_changes(data)}, Organisation)
    if stored is not None:
        found = stored_change_problems(doc, organisation.changes, by_key, stored.units)
        found.extend(_day_problems(doc, organisation.valid_from, stored))
        if found:
            return None, _sorted(found)
    return organisation, []


def _day_problems(doc: YamlDocument, day: dt.date | None, stored: StoredOrganisation) -> list[Problem]:
    if day is None:
        return []
    if day > stored.today:
        return [
            doc.problem(
                ["valid_from"],
                f"{day.isoformat()} lies ahead: apply the file on that day or later (an organisation "
                "takes effect when it is applied, or on an earlier day)",
            )
        ]
    if stored.valid_from is not None and day < stored.valid_from:
        return [
            doc.problem(
                ["valid_from"],
                f"the organisation stored now is valid from {stored.valid_from.isoformat()}: a newer one "
                f"cannot take effect before it; write {stored.valid_from.isoformat()} or a later day",
            )
        ]
    return []


def _is_day(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _sorted(found: list[Problem]) -> list[Problem]:
    return sorted(set(found), key=lambda p: (p.line or 0, p.path, p.message))


def _units_by_key(
    doc: YamlDocument, units: list[tuple[int, dict]], found: list[Problem]
) -> tuple[dict[str, dict], dict[str, int]]:
    """The units by key, and each key's index in `units`; a key used twice is a problem."""
    by_key: dict[str, dict] = {}
    index_of: dict[str, int] = {}
    for index, unit in units:
        key = unit.get("key")
        if not isinstance(key, str):
            continue
        if key in by_key:
            found.append(
                doc.problem(
                    ["units", index, "key"],
                    f"the key `{key}` is already used by units[{index_of[key]}]: give each unit its own key",
                )
            )
            continue
        by_key[key] = unit
        index_of[key] = index
    return by_key, index_of


def _check_parents(
    doc: YamlDocument, by_key: dict[str, dict], index_of: dict[str, int], found: list[Problem]
) -> None:
    """One root; every other unit under a known unit of a higher kind."""
    roots = [key for key, unit in by_key.items() if unit.get("parent") is None]
    if by_key and len(roots) != 1:
        where = ", ".join(roots) if roots else "none"
        found.append(
            doc.problem(
                ["units"],
                f"exactly one unit needs no `parent` (the whole administration); found {len(roots)}: {where}",
            )
        )
    for key, unit in by_key.items():
        parent = unit.get("parent")
        here = ["units", index_of[key]]
        if not isinstance(parent, str):
            continue
        if parent == key:
            found.append(
                doc.problem([*here, "parent"], f"`{key}` names itself as parent: name the unit above it")
            )
        elif parent not in by_key:
            found.append(
                doc.problem([*here, "parent"], f"no unit with key `{parent}`: fix the key or add that unit")
            )
        elif _rank(unit.get("kind"), 99) <= _rank(by_key[parent].get("kind"), -1):
            found.append(
                doc.problem(
                    [*here, "kind"],
                    f"a {unit.get('kind')} cannot sit under the "
                    f"{by_key[parent].get('kind')} `{parent}`: the order is "
                    f"{' > '.join(UNIT_KINDS)}",
                )
            )


def _check_cycles(
    doc: YamlDocument, by_key: dict[str, dict], index_of: dict[str, int], found: list[Problem]
) -> None:
    """Parents that lead round in a circle, each circle reported once."""
    reported: set[str] = set()
    for key in by_key:
        chain, current = [key], by_key[key].get("parent")
        while isinstance(current, str) and current in by_key and current not in chain:
            chain.append(current)
            current = by_key[current].get("parent")
        if (current in chain and current != chain[-1]) or (current == key and len(chain) > 1):
            cycle = chain[chain.index(current) :] if current in chain else chain
            if not reported.intersection(cycle):
                reported.update(cycle)
                found.append(
                    doc.problem(
                        ["units", index_of[cycle[0]], "parent"],
                        "the parents form a "
                        f"cycle: {' → '.join([*cycle, cycle[0]])}; one of them "
                        "must point further up",
                    )
                )


def _check_service_points(
    doc: YamlDocument, points: list[tuple[int, dict]], by_key: dict[str, dict], found: list[Problem]
) -> None:
    """One key per service point, each at a known unit."""
    point_keys: Counter[str] = Counter()
    for index, point in points:
        if isinstance(point.get("key"), str):
            point_keys[point["key"]] += 1
            if point_keys[point["key"]] == 2:
                found.append(
                    doc.problem(
                        ["service_points", index, "key"],
                        f"the key `{point['key']}` is used twice: give each service point its own key",
                    )
                )
        if isinstance(point.get("unit"), str) and point["unit"] not in by_key:
            found.append(
                doc.problem(
                    ["service_points", index, "unit"],
                    f"no unit with key `{point['unit']}`: fix the key or add that unit",
                )
            )
