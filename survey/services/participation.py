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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from survey.domain.anonymity import Hidden, suppress
from survey.domain.figures import HiddenFigure
from survey.services.waves._model import get_wave
from survey.store import org as org_store
from survey.store import waves as store
from survey.store.engine import write_transaction
from survey.store.org import StoredUnit
from survey.store.waves import CountedParticipation, Wave

__all__ = [
    "COUNT_EVERY",
    "Participation",
    "UnitParticipation",
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
class Participation:
    wave: Wave
    #: when the responses were counted (UTC)
    counted_at: dt.datetime
    #: the wave's units in tree order
    units: list[UnitParticipation]
    total: UnitParticipation
    #: responses per day from the first day to today (or the last day); None where the total is hidden
    days: list[tuple[dt.date, int]] | None


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
    per_unit, per_day = await store.count_participation(wave.id)
    counted = CountedParticipation(now, per_unit, per_day)
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
    last = min(today, wave.closes_on)
    count = (last - wave.opens_on).days + 1
    days = [wave.opens_on + dt.timedelta(days=i) for i in range(max(count, 0))]
    return [(day, per_day.get(day.isoformat(), 0)) for day in days]


def _subtree_counts(units: list[StoredUnit], per_unit: dict[int, int]) -> dict[str, int]:
    return {u.key: sum(per_unit.get(v.id, 0) for v in units if v.path.startswith(u.path)) for u in units}


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
    covered = [u for u in units if u.id in mine]
    top = min((u.depth for u in covered), default=0)

    def headcount(unit: StoredUnit | None) -> int:
        return sum(u.headcount for u in covered if unit is None or u.path.startswith(unit.path))

    rows = [
        _row(wave, u.key, u.name, u.depth - top, subtree[u.key], hidden.get(u.key), headcount(u))
        for u in covered
    ]
    root = next((u for u in units if u.parent is None), None)
    total_n = subtree[root.key] if root else 0
    total_hidden = hidden.get(root.key) if root else None
    total = _row(wave, "", "", 0, total_n, total_hidden, headcount(None))
    days = None if total.hidden else _days(wave, counted.per_day, today or dt.date.today())
    return Participation(wave, counted.counted_at, rows, total, days)
