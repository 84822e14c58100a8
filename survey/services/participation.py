"""An open wave's participation: how many have answered, per unit and per day, and nothing else.

Counted at most once an hour: the count is kept in the database with its time (one row per
wave, survey.store.waves), so every worker on every host shows the same count and a page view
does not count again. Watching the numbers change minute by minute would tell who has just
answered; an hour's steps tell much less.

What is shown keeps the anonymity rules of every other figure (survey.domain.anonymity), over the
whole organisation tree as the dashboard does for an open wave, so the two views hide the same
groups: a unit with fewer than k responses shows "under k" and no rate, and where a parent's
number minus its shown children's would give a hidden unit away, the next-smallest sibling is
hidden too. The days' counts belong to the whole wave and are shown only where its total is.
Never a list of who answered: there is none to show.

Beside the count: each shown unit's responses up to each day (survey.services.participation_series:
added up, never a day's own count, and suppressed day by day), and for citizens the ratings per
service point and ISO week (survey.services.participation_weeks: suppressed against the units'
lines and the whole wave's days, then audited with every shown number at once,
survey.services.participation_audit).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from survey.domain.anonymity import Hidden, suppress
from survey.domain.figures import HiddenFigure
from survey.services.participation_series import cumulative_counts, day_series, hidden_per_day
from survey.services.participation_weeks import IsoWeek, Place, Places, iso_weeks, point_weeks
from survey.services.waves._model import get_wave
from survey.store import org as org_store
from survey.store import waves as store
from survey.store.engine import write_transaction
from survey.store.org import StoredServicePoint, StoredUnit
from survey.store.waves import CountedParticipation, Wave

__all__ = [
    "COUNT_EVERY",
    "DayPoint",
    "IsoWeek",
    "Participation",
    "PointWeeks",
    "ServicePointWeeks",
    "UnitParticipation",
    "UnitSeries",
    "shown_total",
    "wave_participation",
    "wave_responses",
]

#: how old a count may be before the next page view counts again
COUNT_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class UnitParticipation:
    """One row: a unit of the wave (or the whole wave, `key` empty) and its responses so far."""

    key: str
    name: str
    #: its depth below the wave's topmost units (0 for them and for the whole wave)
    depth: int
    #: the staff of the wave's units in its subtree; None for citizens (no headcount to divide by)
    headcount: int | None
    responses: int | HiddenFigure
    #: responses / headcount; None without a headcount (or with 0)
    rate: float | HiddenFigure | None

    @property
    def hidden(self) -> bool:
        return isinstance(self.responses, HiddenFigure)


@dataclass(frozen=True)
class DayPoint:
    """A unit's responses up to and including `day` (never the day's own), and its rate then."""

    day: dt.date
    responses: int | HiddenFigure
    #: responses / headcount (staff); None without a headcount
    rate: float | HiddenFigure | None


@dataclass(frozen=True)
class UnitSeries:
    """A unit the count shows (with at least one response) over the wave's days."""

    key: str
    name: str
    headcount: int | None
    points: list[DayPoint]


@dataclass(frozen=True)
class PointWeeks:
    """A service point's ratings per ISO week of the wave (in the order of the weeks) and so far."""

    key: str
    name: str
    unit: str
    unit_name: str
    total: int | HiddenFigure
    weeks: list[int | HiddenFigure]


@dataclass(frozen=True)
class ServicePointWeeks:
    weeks: list[IsoWeek]
    points: list[PointWeeks]


@dataclass(frozen=True)
class Participation:
    wave: Wave
    #: when the responses were counted (UTC)
    counted_at: dt.datetime
    #: the wave's units in tree order
    units: list[UnitParticipation]
    total: UnitParticipation
    #: responses per day from the first day to today (or the last day); None where the total is hidden
    days: list[tuple[dt.date, int]] | None
    #: the shown units (with responses) over the days, in tree order; empty where the total is hidden
    series: list[UnitSeries] = field(default_factory=list)
    #: citizens: ratings per service point and week; None for staff and where the total is hidden
    service_points: ServicePointWeeks | None = None


def _hidden(h: Hidden) -> HiddenFigure:
    return HiddenFigure(True, h.reason, h.explain())


def shown_total(wave: Wave, responses: int) -> int | HiddenFigure:
    """A wave's number of responses where a list or a confirmation shows it: hidden under k, as
    the total of its participation is (the whole wave is one group, the organisation's root)."""
    hidden = suppress({"wave": responses}, {"wave": None}, wave.k).get("wave")
    return _hidden(hidden) if hidden else responses


async def wave_responses(wave: Wave, responses: int) -> int | HiddenFigure:
    """What a list shows of a wave's `responses`: for an open wave the total of its participation
    as last counted (so that no view shows the answers of the last hour arrive), under k hidden."""
    if wave.status == "open":
        counted = await _counted(wave, dt.datetime.now(dt.UTC))
        responses = sum(counted.per_unit.values())
    return shown_total(wave, responses)


async def _counted(wave: Wave, now: dt.datetime) -> CountedParticipation:
    """The wave's count if it is younger than an hour, else a new one, kept for every worker."""
    last = await store.participation_counted(wave.id)
    if last is not None and dt.timedelta(0) <= now - last.counted_at < COUNT_EVERY:
        return last
    counted = CountedParticipation(now, await store.count_participation(wave.id))
    async with write_transaction():
        await store.save_participation(wave.id, counted)
    return counted


def _row(
    wave: Wave,
    key: str,
    name: str,
    depth: int,
    n: int,
    hidden: Hidden | None,
    headcount: int,
) -> UnitParticipation:
    staff = wave.audience == "staff"
    if hidden is not None:
        shown: int | HiddenFigure = _hidden(hidden)
        rate: float | HiddenFigure | None = _hidden(hidden) if staff and headcount else None
    else:
        shown = n
        rate = round(n / headcount, 4) if staff and headcount else None
    return UnitParticipation(key, name, depth, headcount if staff else None, shown, rate)


def _days(wave: Wave, per_day: dict[str, int], today: dt.date) -> list[tuple[dt.date, int]]:
    """The wave's days from its first to today (or its last day), widened to any day counted."""
    counted = [dt.date.fromisoformat(d) for d, n in per_day.items() if n]
    first = min([wave.opens_on, *counted])
    last = max([min(today, wave.closes_on), *counted])
    days = [first + dt.timedelta(days=i) for i in range(max((last - first).days + 1, 0))]
    return [(day, per_day.get(day.isoformat(), 0)) for day in days]


def _subtree_counts(units: list[StoredUnit], per_unit: dict[int, int]) -> dict[str, int]:
    return {u.key: sum(per_unit.get(v.id, 0) for v in units if v.path.startswith(u.path)) for u in units}


@dataclass(frozen=True)
class _Tree:
    """The organisation and the wave's count over it, with what the count hides."""

    wave: Wave
    units: list[StoredUnit]
    covered: list[StoredUnit]
    subtree: dict[str, int]
    hidden: dict[str, Hidden]

    def headcount(self, unit: StoredUnit | None) -> int:
        return sum(u.headcount for u in self.covered if unit is None or u.path.startswith(unit.path))

    @property
    def parents(self) -> dict[str, str | None]:
        return {u.key: u.parent for u in self.units}


def _rate(wave: Wave, value: int | Hidden, headcount: int) -> float | HiddenFigure | None:
    if wave.audience != "staff" or not headcount:
        return None
    return _hidden(value) if isinstance(value, Hidden) else round(value / headcount, 4)


def _own_per_day(counted: CountedParticipation) -> dict[int, dict[str, int]]:
    own: dict[int, dict[str, int]] = defaultdict(dict)
    for (unit, _point, day), n in counted.cells.items():
        own[unit][day] = own[unit].get(day, 0) + n
    return own


def _series(
    tree: _Tree, days: list[dt.date], cumulative: list[dict[str, int]], by_day: list[dict[str, Hidden]]
) -> list[UnitSeries]:
    shown = [u for u in tree.covered if u.key not in tree.hidden and tree.subtree[u.key] > 0]
    out = []
    for unit, line in zip(
        shown, day_series(cumulative, by_day, [u.key for u in shown], tree.wave.k), strict=True
    ):
        heads = tree.headcount(unit)
        points = [
            DayPoint(day, _hidden(v) if isinstance(v, Hidden) else v, _rate(tree.wave, v, heads))
            for day, v in zip(days, line.values, strict=True)
        ]
        staff = tree.wave.audience == "staff"
        out.append(UnitSeries(unit.key, unit.name, heads if staff else None, points))
    return out


def _ratings(
    tree: _Tree, counted: CountedParticipation, weeks: list[IsoWeek], points: list[StoredServicePoint]
) -> dict[Place, list[int]]:
    """Per place (a unit outside its service points, or one of them) its ratings in each week; a
    rating at a service point of another unit is its unit's own. Days before the first week or
    after the last count into it."""
    ids = {p.id: p for p in points}
    unit_of = {u.id: u.key for u in tree.units}
    out: dict[Place, list[int]] = {(u.key, None): [0] * len(weeks) for u in tree.units}
    out.update({(p.unit, p.key): [0] * len(weeks) for p in points if p.unit in tree.parents})
    for (unit, point, day), n in counted.cells.items():
        if unit not in unit_of or not weeks:
            continue
        at = ids.get(point) if point is not None else None
        place = (unit_of[unit], at.key if at and at.unit == unit_of[unit] else None)
        when = dt.date.fromisoformat(day)
        week = next((j for j, w in enumerate(weeks) if when <= w.last), len(weeks) - 1)
        out[place][week] += n
    return out


async def _service_points(
    tree: _Tree, counted: CountedParticipation, days: list[dt.date], series: list[UnitSeries]
) -> ServicePointWeeks:
    weeks = iso_weeks(days)
    points = await org_store.list_service_points()
    index = {d: i for i, d in enumerate(days)}
    lines = {s.key: s for s in series}
    known_ends = {
        u.key: [
            u.parent is None
            or tree.subtree[u.key] == 0
            or (u.key in lines and not isinstance(lines[u.key].points[index[w.last]].responses, HiddenFigure))
            for w in weeks
        ]
        for u in tree.units
    }
    places = Places(
        tree.units, {u.key for u in tree.covered}, _ratings(tree, counted, weeks, points), known_ends
    )
    names = {u.key: u.name for u in tree.units}
    rows = [
        PointWeeks(
            r.point.key,
            r.point.name,
            r.point.unit,
            names.get(r.point.unit, r.point.unit),
            _hidden(r.total) if isinstance(r.total, Hidden) else r.total,
            [_hidden(v) if isinstance(v, Hidden) else v for v in r.weeks],
        )
        for r in point_weeks(places, points, tree.wave.k)
    ]
    return ServicePointWeeks(weeks, rows)


async def wave_participation(
    key: str, *, now: dt.datetime | None = None, today: dt.date | None = None
) -> Participation | None:
    """The open wave `key`'s participation as last counted (counted again when older than an
    hour), with the anonymity rules applied; None for a wave that is not open (a draft has no
    answers yet; a closed wave's figures are its results)."""
    wave = await get_wave(key)  # WaveError where there is none
    if wave.status != "open":
        return None
    now = now or dt.datetime.now(dt.UTC)
    counted = await _counted(wave, now)
    units = await org_store.list_units()
    subtree = _subtree_counts(units, counted.per_unit)
    # over the whole tree, as the dashboard suppresses an open wave's respondent counts
    hidden = suppress(subtree, {u.key: u.parent for u in units}, wave.k)
    mine = set(await store.wave_unit_ids(wave.id))
    tree = _Tree(wave, units, [u for u in units if u.id in mine], subtree, hidden)
    top = min((u.depth for u in tree.covered), default=0)
    rows = [
        _row(wave, u.key, u.name, u.depth - top, subtree[u.key], hidden.get(u.key), tree.headcount(u))
        for u in tree.covered
    ]
    root = next((u for u in units if u.parent is None), None)
    total_n = subtree[root.key] if root else 0
    total_hidden = hidden.get(root.key) if root else None
    total = _row(wave, "", "", 0, total_n, total_hidden, tree.headcount(None))
    if total.hidden:
        return Participation(wave, counted.counted_at, rows, total, None)
    days = _days(wave, counted.per_day, today or dt.date.today())
    dates = [d for d, _n in days]
    cumulative = cumulative_counts(units, _own_per_day(counted), dates)
    by_day = hidden_per_day(cumulative, tree.parents, wave.k, hidden)
    series = _series(tree, dates, cumulative, by_day)
    points = None
    if wave.audience != "staff":
        points = await _service_points(tree, counted, dates, series)
    return Participation(wave, counted.counted_at, rows, total, days, series, points)
