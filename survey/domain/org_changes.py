"""Reorganisations: the `changes:` section of an organisation file, which says how the units of
the file follow from the units stored before.

Each change is one of: `renamed` (a new name, or a new key, for the same unit), `moved` (a new
parent), `merged` (several units become one), `split` (one unit becomes several, each taking a
share of its staff), `dissolved` (a unit ends without successor) and `new` (a unit without
predecessor). A change names the units before it in `from` and after it in `to`:

    changes:
      - {kind: split, from: schul-und-sportverwaltung, to: [schulverwaltung, sportamt],
         shares: {schulverwaltung: 70, sportamt: 30}}
      - {kind: merged, from: [buergerbuero-nord, buergerbuero-sued], to: buergerbuero}

A rename or move under the same key and a unit without predecessor are seen by comparing the file
with the organisation stored; declaring them only confirms them. A unit left out of the file and
of `changes:` ends as before (it is retired). The trends of a unit follow this lineage
(docs/reorganisations.md).

Two kinds of checks: `change_problems` needs the file alone; `stored_change_problems` compares
the changes with the organisation stored now (the units they start from must be there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import msgspec

from survey.domain.yamlfile import YamlDocument
from survey.errors import Problem

__all__ = [
    "CHANGE_KINDS",
    "StoredUnit",
    "UnitChange",
    "change_problems",
    "normalise_changes",
    "stored_change_problems",
]

CHANGE_KINDS = ("renamed", "moved", "merged", "split", "dissolved", "new")

#: per kind: (fewest, most) units in `from`, and in `to` (None: no upper limit)
_SHAPES: dict[str, tuple[tuple[int, int | None], tuple[int, int | None]]] = {
    "renamed": ((1, 1), (1, 1)),
    "moved": ((1, 1), (1, 1)),
    "merged": ((2, None), (1, 1)),
    "split": ((1, 1), (2, None)),
    "dissolved": ((1, 1), (0, 0)),
    "new": ((0, 0), (1, 1)),
}
_SHAPE_WORDS = {
    "renamed": "a rename names the unit's key before in `from` and its key now in `to` (the same key "
    "if only the name changes)",
    "moved": "a move names the unit's key in `from` and in `to`",
    "merged": "a merger names two or more units in `from` and the one unit they became in `to`",
    "split": "a split names the one unit in `from` and the two or more units it became in `to`",
    "dissolved": "a dissolution names the one unit that ends in `from` and nothing in `to`",
    "new": "a new unit is named in `to` only, with nothing in `from`",
}
#: the sum of a split's shares may be off 100 by this much (shares written with decimals)
_SHARE_SLACK = 0.01


class UnitChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """One declared change: the units before it (`from`) and after it (`to`)."""

    kind: str
    before: list[str] = msgspec.field(default_factory=list, name="from")
    after: list[str] = msgspec.field(default_factory=list, name="to")
    #: split only: each successor's share of the predecessor's staff, in percent
    shares: dict[str, float] = msgspec.field(default_factory=dict)

    def ended(self) -> list[str]:
        """The units that end with this change (a rename to a new key ends the old key only)."""
        return [key for key in self.before if key not in self.after]


class StoredUnit(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def active(self) -> bool: ...


def _keys(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [k for k in value if isinstance(k, str)]
    return []


def normalise_changes(data: object) -> list[dict[str, Any]]:
    """The file's changes with `from` and `to` always lists (a single key may be written bare)."""
    changes = data.get("changes") if isinstance(data, dict) else None
    out = []
    for change in changes if isinstance(changes, list) else []:
        if not isinstance(change, dict):
            continue
        out.append({**change, **{side: _keys(change[side]) for side in ("from", "to") if side in change}})
    return out


def change_problems(doc: YamlDocument, units: dict[str, dict]) -> list[Problem]:
    """What is wrong in the file's `changes:` on its own: each change's shape and shares, units
    of `to` missing from `units`, units that end but are still listed, cycles, and a unit named by
    more than one change. `units`: the file's units by key."""
    found: list[Problem] = []
    changes = normalise_changes(doc.data)
    for index, change in enumerate(changes):
        kind = change.get("kind")
        if kind not in _SHAPES:
            continue  # the schema names it
        here: list[str | int] = ["changes", index]
        if _shape_problems(doc, here, change, found):
            continue
        _share_problems(doc, here, change, found)
        _unit_problems(doc, here, change, units, found)
    in_cycle = _cycle_problems(doc, changes, found)
    _twice_problems(doc, changes, in_cycle, found)
    return found


def _shape_problems(doc: YamlDocument, here: list[str | int], change: dict, found: list[Problem]) -> bool:
    kind = change["kind"]
    before, after = change.get("from", []), change.get("to", [])
    wrong = False
    for side, keys, (fewest, most) in (("from", before, _SHAPES[kind][0]), ("to", after, _SHAPES[kind][1])):
        if fewest <= len(keys) and (most is None or len(keys) <= most):
            continue
        found.append(doc.problem([*here, side], f"{_SHAPE_WORDS[kind]} (here: {len(keys)})"))
        wrong = True
    if not wrong and kind == "moved" and before != after:
        found.append(
            doc.problem(
                [*here, "to"],
                f"a move keeps the unit's key, but `from` is `{before[0]}` and `to` is `{after[0]}`: "
                "write the same key in both, or declare the new key as `renamed` (the file's "
                "`parent` places the unit)",
            )
        )
        wrong = True
    return wrong


def _share_problems(doc: YamlDocument, here: list[str | int], change: dict, found: list[Problem]) -> None:
    shares = change.get("shares")
    if change["kind"] != "split":
        if shares is not None:
            found.append(doc.problem([*here, "shares"], "only a split has shares: remove them here"))
        return
    if not isinstance(shares, dict):
        if shares is None:
            found.append(
                doc.problem(
                    here,
                    "`shares` is missing: give each unit of `to` its share of the staff of "
                    f"`{change['from'][0]}` in percent, e.g. {{{change['to'][0]}: 60, "
                    f"{change['to'][1]}: 40}}",
                )
            )
        return
    after = change["to"]
    for key in after:
        if key not in shares:
            found.append(
                doc.problem(
                    [*here, "shares"],
                    f"no share for `{key}`: give each unit of `to` its share of the staff in percent",
                )
            )
    for key in shares:
        if key not in after:
            found.append(
                doc.problem(
                    [*here, "shares", key],
                    f"`{key}` is not in `to`: give shares only to the units the split became",
                )
            )
    values = [v for v in shares.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    total = sum(values)
    if len(values) == len(shares) and set(shares) == set(after) and abs(total - 100) > _SHARE_SLACK:
        found.append(
            doc.problem(
                [*here, "shares"],
                f"the shares add up to {total:g}, not 100: give each unit's share of the staff of "
                f"`{change['from'][0]}` in percent, together 100",
            )
        )


def _unit_problems(
    doc: YamlDocument, here: list[str | int], change: dict, units: dict[str, dict], found: list[Problem]
) -> None:
    for position, key in enumerate(change.get("to", [])):
        if key not in units:
            found.append(
                doc.problem(
                    [*here, "to", position],
                    f"no unit with key `{key}` in `units`: fix the key or add the unit",
                )
            )
    after = change.get("to", [])
    for position, key in enumerate(change.get("from", [])):
        if key in units and key not in after:
            found.append(
                doc.problem(
                    [*here, "from", position],
                    f"`{key}` ends with this change but is still listed in `units`: remove it there "
                    "(a unit that goes on is listed in `to` as well)",
                )
            )


def _cycle_problems(doc: YamlDocument, changes: list[dict], found: list[Problem]) -> set[str]:
    """Changes whose units lead round in a circle (`a` renamed to `b`, `b` to `a`), each circle
    reported once at the change that starts it; the keys in a circle."""
    follows: dict[str, list[tuple[str, int]]] = {}
    for index, change in enumerate(changes):
        if change.get("kind") not in _SHAPES:
            continue
        for key in change.get("from", []):
            for successor in change.get("to", []):
                if successor != key:
                    follows.setdefault(key, []).append((successor, index))
    reported: set[str] = set()
    for start in sorted(follows):
        cycle = _circle_from(start, follows)
        if cycle is None or reported.intersection(cycle):
            continue
        reported.update(cycle)
        index = next(i for successor, i in follows[cycle[0]] if successor == cycle[1 % len(cycle)])
        found.append(
            doc.problem(
                ["changes", index],
                f"the changes lead round in a cycle: {' → '.join([*cycle, cycle[0]])}; a unit cannot "
                "follow from itself: remove one of these changes, or declare it in a later upload",
            )
        )
    return reported


def _circle_from(start: str, follows: dict[str, list[tuple[str, int]]]) -> list[str] | None:
    """A path from `start` back to `start` along `follows`, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        key, path = stack.pop()
        for successor, _ in follows.get(key, []):
            if successor == start:
                return path
            if successor not in seen:
                seen.add(successor)
                stack.append((successor, [*path, successor]))
    return None


def _twice_problems(doc: YamlDocument, changes: list[dict], in_cycle: set[str], found: list[Problem]) -> None:
    """A unit takes part in one change per upload (not merged and moved at once)."""
    first: dict[str, int] = {}
    reported: set[tuple[int, str]] = set()
    for index, change in enumerate(changes):
        if change.get("kind") not in _SHAPES:
            continue
        for side in ("from", "to"):
            for position, key in enumerate(change.get(side, [])):
                if key in in_cycle or (index, key) in reported:
                    continue
                if key not in first:
                    first[key] = index
                elif first[key] != index:
                    reported.add((index, key))
                    found.append(
                        doc.problem(
                            ["changes", index, side, position],
                            f"`{key}` is already named in changes[{first[key]}]: a unit takes part "
                            "in one change per upload; declare the other change in a later upload",
                        )
                    )


def stored_change_problems(
    doc: YamlDocument, changes: Sequence[UnitChange], units: dict[str, dict], stored: Sequence[StoredUnit]
) -> list[Problem]:
    """What is wrong in the file's changes against the organisation stored now (`stored`, retired
    units included): the units they start from must be active units, a new unit or a new key must
    not be one, and a declared rename or move must change something."""
    active = {u.key: u for u in stored if u.active}
    retired = {u.key for u in stored if not u.active}
    found: list[Problem] = []
    for index, change in enumerate(changes):
        here: list[str | int] = ["changes", index]
        for position, key in enumerate(change.before):
            if key not in active:
                found.append(
                    doc.problem(
                        [*here, "from", position],
                        f"no unit `{key}` in the organisation stored now: fix the key (`from` names "
                        "units as they are before this file)",
                    )
                )
        for position, key in enumerate(change.after):
            if change.kind == "renamed" and key in retired and key not in change.before:
                found.append(
                    doc.problem(
                        [*here, "to", position],
                        f"`{key}` was the key of a retired unit: give the renamed unit another key",
                    )
                )
            if key in active and key not in change.before:
                found.append(
                    doc.problem(
                        [*here, "to", position],
                        f"`{key}` is a unit already: a change leads to new units (or to one of "
                        "`from`); list it in `from` if it takes the others in",
                    )
                )
        if change.kind in ("renamed", "moved") and change.before and change.before[0] in active:
            _unchanged_problem(doc, here, change, units, active[change.before[0]], found)
    return found


def _unchanged_problem(
    doc: YamlDocument,
    here: list[str | int],
    change: UnitChange,
    units: dict[str, dict],
    before: StoredUnit,
    found: list[Problem],
) -> None:
    after = units.get(change.after[0], {})
    if change.kind == "moved" and after.get("parent") == before.parent:
        found.append(
            doc.problem(
                here,
                f"`{before.key}` stays under `{before.parent}`: give it its new `parent` in `units`, "
                "or remove this change",
            )
        )
    if change.kind == "renamed" and change.after == change.before and after.get("name") == before.name:
        found.append(
            doc.problem(
                here,
                f"`{before.key}` keeps its name and key: give it its new `name` in `units`, or remove "
                "this change",
            )
        )
