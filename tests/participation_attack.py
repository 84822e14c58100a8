"""The strongest differencing attack on a participation monitor (issue 22): everything the monitor
shows is a sum of responses per place and day, so a reader who writes every shown number as an
equation over those unknowns and asks a linear program for the smallest and largest value a hidden
number can take has tried every difference at once (whole wave − units, units − days, service
point − its weeks, one day − another, and any mix). A hidden number is given away where its
smallest and largest possible whole values agree.

The attacker knows the organisation: which places can have responses at all (a grouping unit
without staff of its own has none), and each unit's headcount. Shared by
tests/services/test_participation_monitor.py and tests/web/test_anonymity_attacks.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linprog

#: a place a response can come from: (unit key, service point key or None)
Place = tuple[str, str | None]


@dataclass(frozen=True)
class Kommune:
    parents: Mapping[str, str | None]
    places: Sequence[Place]
    #: a unit's most own responses (its staff); absent: no bound
    capacity: Mapping[str, int] = field(default_factory=dict)

    def subtree(self, unit: str) -> set[str]:
        out = {unit}
        changed = True
        while changed:
            more = {u for u, p in self.parents.items() if p in out} - out
            out |= more
            changed = bool(more)
        return out


@dataclass
class Seen:
    """What the monitor shows, None where a number is hidden."""

    days: list[dt.date]
    total: int | None
    bars: list[int] | None
    units: dict[str, int | None]
    #: per shown unit: its responses up to each day
    series: dict[str, list[int | None]]
    weeks: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    #: per service point: (unit, total, per week)
    points: dict[str, tuple[str, int | None, list[int | None]]] = field(default_factory=dict)


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def seen_in_participation(p: Any) -> Seen:
    """From survey.services.participation.Participation."""
    days = [d for d, _n in p.days or []]
    seen = Seen(
        days,
        _number(p.total.responses),
        [n for _d, n in p.days] if p.days is not None else None,
        {u.key: _number(u.responses) for u in p.units},
        {s.key: [_number(pt.responses) for pt in s.points] for s in p.series},
    )
    if p.service_points is not None:
        seen.weeks = [(w.first, w.last) for w in p.service_points.weeks]
        seen.points = {
            r.key: (r.unit, _number(r.total), [_number(v) for v in r.weeks]) for r in p.service_points.points
        }
    return seen


def seen_in_api(p: dict[str, Any]) -> Seen:
    """From the wave API's `participation`."""
    days = [dt.date.fromisoformat(d) for d, _n in p["days"] or []]
    seen = Seen(
        days,
        _number(p["total"]["responses"]),
        [n for _d, n in p["days"]] if p["days"] is not None else None,
        {u["unit"]: _number(u["responses"]) for u in p["units"]},
        {s["unit"]: [_number(pt["responses"]) for pt in s["points"]] for s in p["series"]},
    )
    if p["service_points"] is not None:
        weeks = p["service_points"]["weeks"]
        seen.weeks = [
            (dt.date.fromisoformat(w["first_day"]), dt.date.fromisoformat(w["last_day"])) for w in weeks
        ]
        seen.points = {
            r["service_point"]: (r["unit"], _number(r["total"]), [_number(v) for v in r["weeks"]])
            for r in p["service_points"]["rows"]
        }
    return seen


class _System:
    def __init__(self, kommune: Kommune, days: list[dt.date]) -> None:
        self.kommune, self.days = kommune, days
        self.index = {
            (place, i): n
            for n, (place, i) in enumerate((p, i) for p in kommune.places for i in range(len(days)))
        }
        self.rows: list[np.ndarray] = []
        self.values: list[float] = []

    def group(
        self, units: set[str] | None = None, point: str | None = None, days: range | None = None
    ) -> np.ndarray:
        row = np.zeros(len(self.index))
        for ((unit, at), i), n in self.index.items():
            if units is not None and unit not in units:
                continue
            if point is not None and at != point:
                continue
            if days is not None and i not in days:
                continue
            row[n] = 1.0
        return row

    def known(self, row: np.ndarray, value: int) -> None:
        self.rows.append(row)
        self.values.append(float(value))

    def bounds(self, row: np.ndarray) -> tuple[int, int]:
        ub_rows, ub_values = [], []
        for unit, most in self.kommune.capacity.items():
            ub_rows.append(self.group({unit}))
            ub_values.append(float(most))
        a_eq = np.array(self.rows) if self.rows else None
        b_eq = np.array(self.values) if self.rows else None
        a_ub = np.array(ub_rows) if ub_rows else None
        b_ub = np.array(ub_values) if ub_rows else None
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(
                sign * row, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs"
            )
            assert result.status in (0, 3), result.message
            ends.append(math.inf if result.status == 3 else sign * result.fun)
        low, high = ends
        return math.ceil(low - 1e-6), (math.floor(high + 1e-6) if high != math.inf else 10**9)


def _day_range(days: list[dt.date], first: dt.date, last: dt.date) -> range:
    inside = [i for i, d in enumerate(days) if first <= d <= last]
    return range(inside[0], inside[-1] + 1) if inside else range(0)


def pinned(kommune: Kommune, seen: Seen) -> dict[str, int]:
    """Every hidden number whose value the shown ones fix: {label: value}. Labels: `unit:KEY`
    (the count of a hidden unit), `past:KEY:ISO` (what it had up to a day), `day:KEY:ISO` (a shown
    unit's hidden day), `point:KEY` (a service point's total), `week:KEY:N` (one of its weeks)."""
    if not seen.days:  # nothing per day shown: the whole wave as one day
        seen = Seen([dt.date.min], seen.total, None, seen.units, {})
    system = _System(kommune, seen.days)
    n_days = len(seen.days)
    everything = range(n_days)
    targets: dict[str, np.ndarray] = {}
    if seen.total is not None:
        system.known(system.group(), seen.total)
    for i, n in enumerate(seen.bars or []):
        system.known(system.group(days=range(i, i + 1)), n)
    for unit, n in seen.units.items():
        row = system.group(kommune.subtree(unit), days=everything)
        if n is None:
            targets[f"unit:{unit}"] = row
            for i in range(n_days - 1):  # and how many it had on each day before
                targets[f"past:{unit}:{seen.days[i].isoformat()}"] = system.group(
                    kommune.subtree(unit), days=range(0, i + 1)
                )
        else:
            system.known(row, n)
    for unit, values in seen.series.items():
        for i, n in enumerate(values):
            row = system.group(kommune.subtree(unit), days=range(0, i + 1))
            if n is None:
                targets[f"day:{unit}:{seen.days[i].isoformat()}"] = row
            else:
                system.known(row, n)
    for point, (unit, total, weeks) in seen.points.items():
        row = system.group({unit}, point, everything)
        if total is None:
            targets[f"point:{point}"] = row
        else:
            system.known(row, total)
        for j, n in enumerate(weeks):
            # the first and last week take any day outside the wave's days, as the monitor does
            first, last = seen.weeks[j]
            span = _day_range(seen.days, first, last)
            row = system.group({unit}, point, span)
            if n is None:
                targets[f"week:{point}:{j}"] = row
            else:
                system.known(row, n)
    found = {}
    for label, row in targets.items():
        low, high = system.bounds(row)
        if low == high:
            found[label] = low
    return found


def told_by_series(seen: Seen, label: str, k: int) -> bool:
    """Whether a pinned week of a service point (`week:KEY:N`) is what its unit's own series
    shows: the unit grew by fewer than k over the weeks between two week ends the series shows,
    which holds the week, and the week's ratings are part of that growth (a growth is shown; that
    some of it happened at one service point is no more). A service point's total (`point:KEY`)
    is, where each of its hidden weeks is."""
    if label.startswith("point:"):
        point = label.split(":")[1]
        weeks = seen.points[point][2]
        return all(told_by_series(seen, f"week:{point}:{j}", k) for j, n in enumerate(weeks) if n is None)
    _kind, point, number = label.split(":")
    j = int(number)
    line = seen.series.get(seen.points[point][0])
    if line is None:
        return False
    ends = [seen.days.index(last) for _first, last in seen.weeks]
    known = [line[i] is not None for i in ends]
    start = max((w for w in range(j) if known[w]), default=None)
    stop = next((w for w in range(j, len(ends)) if known[w]), None)
    if stop is None:
        return False
    before = line[ends[start]] if start is not None else 0
    after = line[ends[stop]]
    assert before is not None and after is not None
    return after - before < k
