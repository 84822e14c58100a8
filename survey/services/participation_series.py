"""An open wave's participation per unit over its days: how many had answered by each day.

The monitor (survey.services.participation) shows each unit's responses so far; this module adds
how that number grew, day by day, for the units the count shows. What may be seen follows the
rules of every other figure (survey.domain.anonymity), applied to each day on its own and
across the days:

- A unit hidden in the count ("unter 5" or "verborgen") has no series at all: its days would
  give away what the count hides.
- A day's value is the unit's responses up to and including that day, never the day's own
  count: the chart and the table show how far a unit had come, not who answered on one day.
- Each day is suppressed over the whole organisation tree as the count is, with that day's
  numbers (a parent's number minus its shown children's never leaves a group of 1 to k − 1
  hidden); the groups hidden in the count, and those hidden on a later day, are hidden on every
  earlier day too. So a unit's shown days are one unbroken stretch up to today, and no hidden
  value sits between two shown ones that would pin it down.
- On a day on which the whole wave had fewer than k responses (its day counts are shown) nothing
  is shown per unit, not even a zero: a zero beside the whole wave's number would point to the
  unit the few answers came from.

What stays to be seen, and is meant to: how much a shown group grew from one shown day to the
next. A growth of one or two is not who answered, as a unit of nine people in which two more
answered today says nothing about which two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.domain.anonymity import Hidden, suppress
from survey.store.org import StoredUnit

__all__ = ["DaySeries", "cumulative_counts", "day_series", "hidden_per_day"]


@dataclass(frozen=True)
class DaySeries:
    """One unit's responses up to each day of the wave (None where the day is hidden, with why)."""

    key: str
    #: per day of the wave, in order: the responses up to that day, or why it is hidden
    values: list[int | Hidden]


def cumulative_counts(
    units: Sequence[StoredUnit], own: Mapping[int, Mapping[str, int]], days: Sequence[dt.date]
) -> list[dict[str, int]]:
    """Per day: each unit's subtree responses up to that day. `own` maps a unit's id to its own
    responses per ISO day; days before the first day count into the first, as the count does."""
    by_key = {u.key: u for u in units}
    out = [dict.fromkeys(by_key, 0) for _ in days]
    if not days:
        return out
    iso = [d.isoformat() for d in days]
    for unit in units:
        per_day = own.get(unit.id)
        if not per_day:
            continue
        running, totals = 0, []
        for i, day in enumerate(iso):
            running += sum(n for d, n in per_day.items() if d <= day) if i == 0 else per_day.get(day, 0)
            totals.append(running)
        key: str | None = unit.key
        while key is not None:  # into the unit's subtree count and each ancestor's
            for i, n in enumerate(totals):
                out[i][key] += n
            key = by_key[key].parent if key in by_key else None
    return out


def hidden_per_day(
    counts: Sequence[Mapping[str, int]],
    parents: Mapping[str, str | None],
    k: int,
    hidden_now: Mapping[str, Hidden],
) -> list[dict[str, Hidden]]:
    """What to hide of each day's numbers (days in order, the last one being the count's).

    From the last day back: each day is suppressed with its own numbers, the groups hidden on the
    day after (and in the count) hidden from the start, so that whatever is hidden on one day is
    hidden on every day before it."""
    roots = [u for u, parent in parents.items() if parent is None]
    later: dict[str, Hidden] = dict(hidden_now)
    out: list[dict[str, Hidden]] = [{} for _ in counts]
    for i in range(len(counts) - 1, -1, -1):
        day = counts[i]
        whole = sum(day.get(r, 0) for r in roots)
        if whole == 0:
            hidden = dict(later)
        elif whole < k:
            # the wave's own number of that day is shown: nothing beside it, not even a zero
            hidden = {u: later.get(u, Hidden("below_k", k)) for u in parents}
        else:
            hidden = suppress(day, parents, k, later)
        out[i] = hidden
        later = hidden
    return out


def day_series(
    counts: Sequence[Mapping[str, int]],
    hidden: Sequence[Mapping[str, Hidden]],
    shown: Sequence[str],
    k: int,
) -> list[DaySeries]:
    """The series of the `shown` units (those the count shows with at least one response). A day
    before a unit's first response is under k as well: a zero there would tell that whatever the
    whole wave had until then came from elsewhere."""
    return [
        DaySeries(
            key,
            [
                h.get(key) or c.get(key, 0) or Hidden("below_k", k)
                for c, h in zip(counts, hidden, strict=True)
            ],
        )
        for key in shown
    ]
