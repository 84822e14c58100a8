"""What an organisation file would change: units added, moved, renamed, retired, headcounts.

Pure: it compares the organisation as it is stored (any objects with the fields of `CurrentUnit`
and `CurrentPoint`, retired ones included) with the organisation of a file, the way
`survey.store.org.save_organisation` would apply it: units and service points are matched by key,
a unit missing from the file is retired (never deleted), a retired unit named again returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from survey.domain.org import Organisation
from survey.domain.org_changes import UnitChange

__all__ = [
    "CurrentPoint",
    "CurrentUnit",
    "HeadcountChange",
    "KindChange",
    "OrgDiff",
    "PointChange",
    "UnitAdded",
    "UnitMoved",
    "UnitRenamed",
    "UnitRetired",
    "diff_organisation",
]


class CurrentUnit(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def headcount(self) -> int: ...
    @property
    def active(self) -> bool: ...


class CurrentPoint(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class UnitAdded:
    key: str
    name: str
    kind: str
    parent: str | None
    parent_name: str | None
    headcount: int
    #: the unit was retired before and comes back (its earlier waves' results stay its own)
    returning: bool = False


@dataclass(frozen=True)
class UnitMoved:
    key: str
    name: str
    old_parent: str | None
    old_parent_name: str | None
    new_parent: str | None
    new_parent_name: str | None


@dataclass(frozen=True)
class UnitRenamed:
    key: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class KindChange:
    key: str
    name: str
    old_kind: str
    new_kind: str


@dataclass(frozen=True)
class UnitRetired:
    key: str
    name: str
    headcount: int


@dataclass(frozen=True)
class HeadcountChange:
    key: str
    name: str
    old: int
    new: int

    @property
    def difference(self) -> int:
        return self.new - self.old


@dataclass(frozen=True)
class PointChange:
    """A service point added, retired, or changed (another name or another unit)."""

    key: str
    name: str
    unit: str
    unit_name: str
    old_name: str | None = None
    old_unit: str | None = None
    old_unit_name: str | None = None


@dataclass(frozen=True)
class OrgDiff:
    kommune_before: str | None
    kommune_after: str
    added: list[UnitAdded] = field(default_factory=list)
    moved: list[UnitMoved] = field(default_factory=list)
    renamed: list[UnitRenamed] = field(default_factory=list)
    kinds: list[KindChange] = field(default_factory=list)
    retired: list[UnitRetired] = field(default_factory=list)
    headcounts: list[HeadcountChange] = field(default_factory=list)
    points_added: list[PointChange] = field(default_factory=list)
    points_changed: list[PointChange] = field(default_factory=list)
    points_retired: list[PointChange] = field(default_factory=list)
    #: staff in all active units, before and after
    staff_before: int = 0
    staff_after: int = 0
    #: units in the file that stay exactly as they are
    unchanged: int = 0
    #: the file's declared changes (survey.domain.org_changes): what the trends follow
    declared: list[UnitChange] = field(default_factory=list)

    @property
    def carried(self) -> set[str]:
        """The keys the declared changes lead to: their trends follow the declaration."""
        return {key for change in self.declared for key in change.after}

    @property
    def ended(self) -> set[str]:
        """The keys the declared changes end."""
        return {key for change in self.declared for key in change.ended()}

    @property
    def kommune_renamed(self) -> bool:
        return self.kommune_before is not None and self.kommune_before != self.kommune_after

    @property
    def empty(self) -> bool:
        """Nothing would change: the file is the organisation as it is stored."""
        return not (self.kommune_renamed or self.kommune_before is None or any(self.counts().values()))

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, by the names the audit log and the API use."""
        return {
            "added": len(self.added),
            "moved": len(self.moved),
            "renamed": len(self.renamed),
            "kind_changed": len(self.kinds),
            "retired": len(self.retired),
            "headcount_changed": len(self.headcounts),
            "service_points_added": len(self.points_added),
            "service_points_changed": len(self.points_changed),
            "service_points_retired": len(self.points_retired),
        }


def diff_organisation(
    units: Sequence[CurrentUnit],
    points: Sequence[CurrentPoint],
    kommune: str | None,
    new: Organisation,
) -> OrgDiff:
    """What storing `new` would change in the organisation `units`, `points`, `kommune` (stored,
    retired units and service points included). Units come in the file's tree order."""
    renamed = {c.before[0]: c.after[0] for c in new.changes if c.kind == "renamed" and c.before != c.after}
    if renamed:  # a unit given a new key is the same unit: compared under its new key
        units = [_Rekeyed(u, renamed) for u in units]
        points = [_RekeyedPoint(p, renamed) for p in points]
    return OrgDiff(
        kommune,
        new.kommune,
        **_diff_units(units, new),
        **_diff_points(units, points, new),
        staff_before=sum(u.headcount for u in units if u.active),
        staff_after=sum(u.headcount for u in new.units),
        declared=list(new.changes),
    )


@dataclass(frozen=True)
class _Rekeyed:
    """A stored unit seen with the keys a file's renames give it and its parent."""

    unit: CurrentUnit
    renamed: dict[str, str]

    @property
    def key(self) -> str:
        return self.renamed.get(self.unit.key, self.unit.key)

    @property
    def name(self) -> str:
        return self.unit.name

    @property
    def kind(self) -> str:
        return self.unit.kind

    @property
    def parent(self) -> str | None:
        parent = self.unit.parent
        return self.renamed.get(parent, parent) if parent is not None else None

    @property
    def headcount(self) -> int:
        return self.unit.headcount

    @property
    def active(self) -> bool:
        return self.unit.active


@dataclass(frozen=True)
class _RekeyedPoint:
    point: CurrentPoint
    renamed: dict[str, str]

    @property
    def key(self) -> str:
        return self.point.key

    @property
    def name(self) -> str:
        return self.point.name

    @property
    def unit(self) -> str:
        return self.renamed.get(self.point.unit, self.point.unit)

    @property
    def active(self) -> bool:
        return self.point.active


def _diff_units(units: Sequence[CurrentUnit], new: Organisation) -> dict[str, Any]:
    old = {u.key: u for u in units}
    old_names = {u.key: u.name for u in units}
    new_names = {u.key: u.name for u in new.units}
    found: dict[str, Any] = {"added": [], "moved": [], "renamed": [], "kinds": [], "headcounts": []}
    unchanged = 0
    for unit in new.ordered():
        before = old.get(unit.key)
        parent_name = new_names.get(unit.parent) if unit.parent else None
        if before is None or not before.active:
            found["added"].append(
                UnitAdded(
                    unit.key,
                    unit.name,
                    unit.kind,
                    unit.parent,
                    parent_name,
                    unit.headcount,
                    before is not None,
                )
            )
            continue
        changes = []
        if before.parent != unit.parent:
            old_parent = old_names.get(before.parent) if before.parent else None
            changes.append(
                ("moved", UnitMoved(unit.key, unit.name, before.parent, old_parent, unit.parent, parent_name))
            )
        if before.name != unit.name:
            changes.append(("renamed", UnitRenamed(unit.key, before.name, unit.name)))
        if before.kind != unit.kind:
            changes.append(("kinds", KindChange(unit.key, unit.name, before.kind, unit.kind)))
        if before.headcount != unit.headcount:
            changes.append(
                ("headcounts", HeadcountChange(unit.key, unit.name, before.headcount, unit.headcount))
            )
        for kind, change in changes:
            found[kind].append(change)
        unchanged += not changes
    keep = {u.key for u in new.units}
    found["retired"] = [
        UnitRetired(u.key, u.name, u.headcount) for u in units if u.active and u.key not in keep
    ]
    found["unchanged"] = unchanged
    return found


def _diff_points(
    units: Sequence[CurrentUnit], points: Sequence[CurrentPoint], new: Organisation
) -> dict[str, list[PointChange]]:
    old = {p.key: p for p in points}
    old_names = {u.key: u.name for u in units}
    new_names = {u.key: u.name for u in new.units}
    added, changed = [], []
    for point in new.service_points:
        before = old.get(point.key)
        unit_name = new_names[point.unit]
        if before is None or not before.active:
            added.append(PointChange(point.key, point.name, point.unit, unit_name))
        elif (before.name, before.unit) != (point.name, point.unit):
            changed.append(
                PointChange(
                    point.key,
                    point.name,
                    point.unit,
                    unit_name,
                    before.name,
                    before.unit,
                    old_names.get(before.unit, before.unit),
                )
            )
    keep = {p.key for p in new.service_points}
    retired = [
        PointChange(p.key, p.name, p.unit, old_names.get(p.unit, p.unit))
        for p in points
        if p.active and p.key not in keep
    ]
    return {"points_added": added, "points_changed": changed, "points_retired": retired}
