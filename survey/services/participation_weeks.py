"""A citizen wave's ratings per service point and ISO week, while it is open.

A cell of the table is a service point's ratings in one week (a week's own number: weeks are what
the office compares); a row ends with the service point's ratings so far, shown where every week
of it is (then it is their sum, and tells nothing more). What may be seen keeps the rules of every
other figure (survey.domain.anonymity.suppress) over every sum a reader can form from the monitor:

- a unit's series (survey.services.participation_series) tells how many it had at the end of each
  week it shows, so the unit's ratings between two such week ends (a *run* of weeks) are known,
  and the whole wave's from its days. Under each known run, what the unit's known sub-units
  leave is a small tree over its service points' weeks in the run: a week under k is hidden
  ("unter 5"), and the hidden ones with the ratings of the unit outside its service points are
  together 0 or at least k, else the next-smallest week is hidden too;
- where the series does not show a unit at a week's end (it is under k, or hidden with another),
  its service points' weeks up to there are not all shown: they would give its number away;
- then an audit (survey.services.participation_audit) checks the whole table against the
  units' counts, series and the whole wave's days at once, and hides the smallest cell that
  takes part wherever a hidden number still follows from the shown ones.

What stays to be seen, and is meant to, is what a unit's series says: where a unit grew by under
k over a run and all of it came from one service point, that service point's weeks in the run
add up to the growth (each is hidden; a one-week run is the unit's growth in that week).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.anonymity import Hidden, suppress
from survey.services.participation_audit import determined
from survey.store.org import StoredServicePoint, StoredUnit

__all__ = ["IsoWeek", "Place", "Places", "PointRow", "iso_weeks", "point_weeks"]

#: the root of a small tree given to suppress (no other name of such a tree is empty)
_ROOT = ""
#: a cell of the table: (service point key, week number in the wave)
Cell = tuple[str, int]
#: where ratings come from: (unit key, service point key, or None for the unit outside them)
Place = tuple[str, str | None]
#: an unknown of the audit: a place's ratings in one week
Atom = tuple[Place, int]


@dataclass(frozen=True)
class IsoWeek:
    """An ISO week of the wave, cut to the wave's days: its first and last day among them."""

    year: int
    week: int
    first: dt.date
    last: dt.date

    @property
    def name(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class PointRow:
    """A service point's ratings per week (in the order of the weeks) and so far."""

    point: StoredServicePoint
    total: int | Hidden
    weeks: list[int | Hidden]


@dataclass(frozen=True)
class Places:
    """The wave's ratings per place and week, and what the monitor shows of the units."""

    units: Sequence[StoredUnit]
    #: the units of the wave (their service points are the rows)
    covered: set[str]
    #: per place: its ratings in each week (a unit's own, outside any of its service points, too)
    ratings: Mapping[Place, list[int]]
    #: per unit key: at which week ends a reader knows its number (subtree, up to there): from
    #: its series, the whole wave's days, or because it has none
    known_ends: Mapping[str, list[bool]]

    def subtree(self, unit: str) -> set[str]:
        out, todo = {unit}, [unit]
        while todo:
            parent = todo.pop()
            kids = [u.key for u in self.units if u.parent == parent]
            out.update(kids)
            todo.extend(kids)
        return out

    def up_to(self, unit: str, week: int) -> int:
        """The unit's subtree's ratings up to the end of `week`."""
        mine = self.subtree(unit)
        return sum(sum(n[: week + 1]) for (u, _p), n in self.ratings.items() if u in mine)


def iso_weeks(days: Sequence[dt.date]) -> list[IsoWeek]:
    """The ISO weeks the days fall in, in order, each with its first and last day among them."""
    weeks: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        year, week, _ = day.isocalendar()
        weeks.setdefault((year, week), []).append(day)
    return [IsoWeek(y, w, ds[0], ds[-1]) for (y, w), ds in weeks.items()]


def _line(
    total: int,
    members: Sequence[Cell],
    cells: Mapping[str, list[int]],
    k: int,
    hidden: dict[Cell, Hidden],
    *,
    known: bool,
) -> None:
    """One line of cells whose sum (`total`, with ratings outside the cells) a reader knows, or,
    not `known`, must not learn from them: hide what suppress asks."""
    names = {f"{i}": cell for i, cell in enumerate(members)}
    counts = {_ROOT: total, **{n: cells[c[0]][c[1]] for n, c in names.items()}}
    parents: dict[str, str | None] = {_ROOT: None, **dict.fromkeys(names, _ROOT)}
    primary = {n: hidden[c] for n, c in names.items() if c in hidden}
    if not known:
        primary[_ROOT] = Hidden("secondary", k)
    found = suppress(counts, parents, k, primary)
    if known and _ROOT in found:  # a known sum under k: every cell in it is under k, and hidden
        found.update({n: Hidden("below_k", k) for n in names if counts[n] > 0})
    hidden.update({names[n]: why for n, why in found.items() if n != _ROOT and names[n] not in hidden})


def _lines(places: Places, at_unit: Mapping[str, list[str]]) -> list[tuple[int, list[Cell], bool]]:
    """Per unit with service points: each run of weeks between week ends a reader knows its
    number at (what its known sub-units leave of it, known) and each week end it does not (the
    unit's ratings up to there, not to be learnt)."""
    kids: dict[str, list[str]] = defaultdict(list)
    for u in places.units:
        if u.parent is not None:
            kids[u.parent].append(u.key)
    lines = []
    for unit, points in at_unit.items():
        start = 0
        for j, known in enumerate(places.known_ends[unit]):
            if not known:
                lines.append((places.up_to(unit, j), [(p, i) for p in points for i in range(j + 1)], False))
                continue
            run = range(start, j + 1)

            def over(key: str, run: range = run) -> int:
                return places.up_to(key, run[-1]) - (places.up_to(key, run[0] - 1) if run[0] else 0)

            def known_over(key: str, run: range = run) -> bool:
                ends = places.known_ends[key]
                return ends[run[-1]] and (run[0] == 0 or ends[run[0] - 1])

            left = over(unit) - sum(over(c) for c in kids[unit] if known_over(c))
            lines.append((left, [(p, i) for p in points for i in run], True))
            start = j + 1
    return lines


def _audit(
    places: Places,
    cells: Mapping[str, list[int]],
    at_unit: Mapping[str, list[str]],
    hidden: dict[Cell, Hidden],
    k: int,
) -> None:
    """Hide cells until no hidden cell and no hidden unit number follows from the shown ones."""
    n_weeks = len(next(iter(places.ratings.values()), []))
    # A place and week without ratings counts as known (a reader may tell it from a zero nearby),
    # so it is left out of every sum: the unknowns are the places and weeks with ratings.
    atoms = [(place, w) for place, weeks in places.ratings.items() for w, n in enumerate(weeks) if n]
    fixed: list[frozenset[Atom]] = []
    targets: dict[object, frozenset[Atom]] = {}
    for unit in places.known_ends:
        mine = places.subtree(unit)
        for j, known in enumerate(places.known_ends[unit]):
            sums = frozenset((p, w) for p, w in atoms if p[0] in mine and w <= j)
            if known:
                fixed.append(sums)
            elif sums:
                targets[("unit", unit, j)] = sums
    unit_of = {p: u for u, points in at_unit.items() for p in points}
    while True:
        shown = {c: frozenset({((unit_of[c[0]], c[0]), c[1])}) for c in _cells(cells) if c not in hidden}
        hidden_cells = {c: frozenset({((unit_of[c[0]], c[0]), c[1])}) for c in _cells(cells) if c in hidden}
        # a row with a hidden week shows no total: that must not follow either
        totals = {
            ("total", p): frozenset(((unit_of[p], p), w) for w in range(n_weeks) if cells[p][w])
            for p in {c[0] for c in hidden_cells}
        }
        found = determined(atoms, fixed, shown, {**targets, **hidden_cells, **totals})
        more = {
            min(cells_in, key=lambda c: (cells[c[0]][c[1]], c)) for cells_in in found.values() if cells_in
        }
        if not more:
            return
        hidden.update({c: Hidden("secondary", k) for c in more})  # type: ignore[misc]


def _cells(cells: Mapping[str, list[int]]) -> list[Cell]:
    return [(p, i) for p, weeks in cells.items() for i, n in enumerate(weeks) if n > 0]


def point_weeks(places: Places, points: Sequence[StoredServicePoint], k: int) -> list[PointRow]:
    """The rows of the table: the wave's service points (those of its units) with what is hidden."""
    mine = [p for p in points if p.unit in places.covered]
    n_weeks = len(next(iter(places.ratings.values()), []))
    cells = {p.key: list(places.ratings.get((p.unit, p.key), [0] * n_weeks)) for p in mine}
    at_unit: dict[str, list[str]] = defaultdict(list)
    for p in mine:
        at_unit[p.unit].append(p.key)
    hidden: dict[Cell, Hidden] = {}
    lines = _lines(places, at_unit)
    before = -1
    while len(hidden) != before:
        before = len(hidden)
        for total, members, known in lines:
            _line(total, members, cells, k, hidden, known=known)
    if cells:
        _audit(places, cells, at_unit, hidden, k)
    rows = []
    for p in mine:
        weeks: list[int | Hidden] = [hidden.get((p.key, j)) or n for j, n in enumerate(cells[p.key])]
        total = sum(cells[p.key])
        shown_total: int | Hidden = total
        if any(isinstance(w, Hidden) for w in weeks):
            shown_total = Hidden("below_k" if total < k else "secondary", k)
        rows.append(PointRow(p, shown_total, weeks))
    return rows
