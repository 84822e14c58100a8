"""Series across reorganisations: which answers of an earlier wave form a unit's comparable value.

Each wave is read in the organisation it ran with (a closed wave keeps its own tree; a running
wave follows the current one). A unit's value in a wave is its subtree in that wave's tree, so a
team moved away later still counts for the parent it had then. Across a reorganisation the
declared lineage (survey.domain.org_changes) is walked back from the unit as it is now:

- renamed, moved: the same unit; its series goes on;
- merged (A + B → C): C's earlier series is A and B together (`merged`);
- split (A → B + C): each successor's earlier series is A's value, shared by B and C (`shared`:
  "vor der Neuordnung: gemeinsamer Wert von A");
- new: nothing before it; dissolved: the series ends (no current unit carries it on).

Pure: trees and lineage come in as ids, the database stays outside (survey.store.org_versions).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["Edge", "Marker", "Series", "TreeUnit", "WaveTree", "ancestors", "unit_series"]


@dataclass(frozen=True)
class TreeUnit:
    """A unit as one wave's tree has it (org_unit id, its parent's id, its path and own staff
    there, and whether it was active: a retired unit keeps its place for its earlier answers)."""

    id: int
    parent: int | None
    path: str
    headcount: int = 0
    active: bool = True


@dataclass(frozen=True)
class WaveTree:
    """A wave, the organisation version it ran with (None: it runs with the current one) and its
    tree."""

    wave: int
    version: int | None
    units: Sequence[TreeUnit]

    @cached_property
    def below(self) -> dict[int, frozenset[int]]:
        """Each unit's subtree in this tree (itself included), by id: one pass over the paths,
        not one over every unit for each."""
        at: dict[str, list[int]] = defaultdict(list)
        for unit in self.units:
            at[unit.path].append(unit.id)
        below: dict[int, set[int]] = defaultdict(set)
        for unit in self.units:
            parts = unit.path.strip("/").split("/")
            for depth in range(1, len(parts) + 1):
                for above in at.get("/" + "/".join(parts[:depth]) + "/", ()):
                    below[above].add(unit.id)
        return {unit: frozenset(ids) for unit, ids in below.items()}


@dataclass(frozen=True)
class Edge:
    """One lineage edge of an organisation version (survey.store.org_versions.LineageEdge)."""

    version: int
    valid_from: dt.date
    kind: str
    predecessor: int | None
    successor: int | None
    share: float | None = None
    #: the predecessor's name before the change ("": not kept)
    name_before: str = ""


@dataclass(frozen=True)
class Marker:
    """A reorganisation in a unit's ancestry: where its trend charts draw a line."""

    version: int
    valid_from: dt.date
    kind: str
    #: the units before the change (org_unit ids): merged ones, or the split one
    before: tuple[int, ...]
    #: their names then, in the order of `before` ("" where not kept)
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    """One current unit's series: per wave the unit ids whose subtrees form its value, how that
    value relates to the unit (`own`, `merged`, `shared`), and the changes on the way."""

    unit: int
    members: dict[int, frozenset[int]] = field(default_factory=dict)
    #: per wave: "own" (the unit itself, renamed or moved perhaps), "merged" (its predecessors
    #: together) or "shared" (the value of the unit it was split from, shared with its siblings)
    relation: dict[int, str] = field(default_factory=dict)
    #: per wave: the earlier units (ids) standing in for it, where the relation is not "own"
    stand_ins: dict[int, tuple[int, ...]] = field(default_factory=dict)
    markers: tuple[Marker, ...] = ()

    def of(self, wave: int) -> frozenset[int]:
        """The unit ids whose answers in `wave` make the unit's value there (empty: none)."""
        return self.members.get(wave, frozenset())


def unit_series(unit: int, waves: Sequence[WaveTree], edges: Sequence[Edge]) -> Series:
    """The series of the current unit `unit` over `waves` (survey.domain.lineage)."""
    _, _, markers = _walk(unit, edges)
    series = Series(
        unit, markers=tuple(sorted(set(markers), key=lambda m: (m.valid_from, m.version, m.kind, m.before)))
    )
    for tree in waves:
        before, relation = ancestors(unit, tree.version, None, edges)
        members = frozenset().union(*(tree.below.get(one, ()) for one in before))
        if not members:
            continue
        series.members[tree.wave] = members
        series.relation[tree.wave] = relation
        if relation != "own":
            series.stand_ins[tree.wave] = tuple(sorted(before))
    return series


def ancestors(
    unit: int, since: int | None, until: int | None, edges: Sequence[Edge]
) -> tuple[frozenset[int], str]:
    """The units of organisation version `since` that `unit` of version `until` comes from
    (None for `until`: the current organisation; None for `since`: nothing to walk), and how:
    "own", "merged" or "shared"."""
    if since is None:
        return frozenset({unit}), "own"
    between = [e for e in edges if e.version > since and (until is None or e.version <= until)]
    current, relation, _ = _walk(unit, between)
    return current, relation


def _walk(unit: int, edges: Sequence[Edge]) -> tuple[frozenset[int], str, list[Marker]]:
    """Back from `unit` through `edges`, newest version first: the units it comes from, how
    ("own", "merged", "shared"), and a marker for each change on the way (renamed and moved
    keep the unit; new ends the walk)."""
    current, relation, markers = {unit}, "own", []
    for version in sorted({e.version for e in edges}, reverse=True):
        step = [e for e in edges if e.version == version]
        before: set[int] = set()
        for one in current:
            into = [e for e in step if e.successor == one]
            kinds = {e.kind for e in into}
            if not into:
                before.add(one)
                continue
            if "new" in kinds:
                continue
            named = sorted((e.predecessor, e.name_before) for e in into if e.predecessor is not None)
            parts = tuple(p for p, _ in named)
            markers.append(
                Marker(version, into[0].valid_from, into[0].kind, parts, tuple(n for _, n in named))
            )
            before.update(parts)
            if not kinds <= {"renamed", "moved"}:
                relation = _stronger(relation, "shared" if "split" in kinds else "merged")
        current = before
    return frozenset(current), relation, markers


def _stronger(old: str, new: str) -> str:
    """A series both merged and split along the way is told as shared (the weaker claim)."""
    return "shared" if "shared" in (old, new) else new
