"""What a measure is, as the services answer it: its facts, owners (confirmed or invited), notes,
and what one viewer may do with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from survey.errors import N_
from survey.services.measures._rules import MeasureNotFound
from survey.store import measures as store
from survey.store.measures import StoredMeasure

__all__ = ["Measure", "MeasureChange", "MeasureRights", "Note", "Owner", "as_measure", "load_measure"]


@dataclass(frozen=True)
class Owner:
    unit: str
    name: str
    path: str
    parent: str | None
    #: owns the measure (True), or invited and waiting for a lead of the unit to confirm
    confirmed: bool
    invited_by: str
    invited_at: dt.datetime
    confirmed_by: str | None
    confirmed_at: dt.datetime | None


@dataclass(frozen=True)
class Note:
    noted_on: dt.date
    text: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Measure:
    id: int
    title: str
    description: str
    #: keys of the Leitbild's values, and ids of questionnaire items (optional)
    values: tuple[str, ...]
    items: tuple[str, ...]
    owners: tuple[Owner, ...]
    responsible: str
    starts_on: dt.date
    due_on: dt.date | None
    #: days after the start before a wave counts as "after" the measure
    effect_lag_days: int
    status: str
    public: bool
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    #: newest day first; only `find_measure` reads them
    notes: tuple[Note, ...] = ()

    @property
    def confirmed(self) -> tuple[Owner, ...]:
        """The units that own the measure."""
        return tuple(o for o in self.owners if o.confirmed)

    @property
    def invited(self) -> tuple[Owner, ...]:
        return tuple(o for o in self.owners if not o.confirmed)

    @property
    def target(self) -> str:
        """The measure as the audit log names it."""
        return f"{self.id}: {self.title}"


@dataclass(frozen=True)
class MeasureChange:
    """What to change; None leaves a field as it is (an empty `due_on` removes the due date)."""

    title: str | None = None
    description: str | None = None
    values: Sequence[str] | None = None
    items: Sequence[str] | None = None
    responsible: str | None = None
    starts_on: str | None = None
    due_on: str | None = None
    effect_lag_days: str | None = None
    status: str | None = None
    public: bool | None = None


@dataclass(frozen=True)
class MeasureRights:
    """What the viewer may do with one measure (the pages offer only that)."""

    edit: bool
    publish: bool
    invite: bool
    #: the invited units the viewer may confirm
    confirm: tuple[str, ...]


def as_measure(stored: StoredMeasure, notes: Sequence[store.StoredNote] = ()) -> Measure:
    owners = tuple(
        Owner(
            o.unit,
            o.name,
            o.path,
            o.parent,
            o.state == "confirmed",
            o.invited_by,
            o.invited_at,
            o.confirmed_by,
            o.confirmed_at,
        )
        for o in stored.owners
    )
    return Measure(
        stored.id,
        stored.title,
        stored.description,
        stored.values,
        stored.items,
        owners,
        stored.responsible,
        stored.starts_on,
        stored.due_on,
        stored.effect_lag_days,
        stored.status,
        stored.public,
        stored.created_by,
        stored.created_at,
        stored.updated_by,
        stored.updated_at,
        tuple(Note(n.noted_on, n.text, n.author, n.created_at) for n in notes),
    )


async def load_measure(measure_id: int, *, notes: bool = False) -> Measure:
    stored = await store.find_measure(measure_id)
    if stored is None:
        raise MeasureNotFound(N_("there is no measure %(measure)s"), measure=measure_id)
    return as_measure(stored, await store.list_notes(measure_id) if notes else ())
