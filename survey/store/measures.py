"""Measures (Maßnahmen) in the database: their facts, owning units, values and progress notes.

A measure is read whole (`StoredMeasure`: facts, owners with their units' places in the tree,
values); its notes separately. Writes are single statements; the service wraps a use case's
writes in one write transaction and, before changing a measure's owners, touches the measure's
row (`touch_measure`), so that two changes of the same measure's owners wait for each other on
both engines.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.store.engine import as_date
from survey.store.tables import MeasureNoteRow, MeasureRow, MeasureUnitRow, MeasureValueRow, OrgUnitRow

__all__ = [
    "MEASURE_COLUMNS",
    "StoredMeasure",
    "StoredNote",
    "StoredOwner",
    "confirm_owner",
    "find_measure",
    "insert_measure",
    "insert_note",
    "insert_owner",
    "list_measures",
    "list_notes",
    "replace_values",
    "touch_measure",
    "update_measure",
]

#: the columns of `measure` a change may set (besides who changed it and when)
MEASURE_COLUMNS = (
    "title",
    "description",
    "items",
    "responsible",
    "starts_on",
    "due_on",
    "effect_lag_days",
    "status",
    "public",
)
#: ids are 32-bit on PostgreSQL (serial): a larger number names no measure
_LARGEST_ID = 2**31 - 1


@dataclass(frozen=True)
class StoredOwner:
    unit: str
    name: str
    #: the unit's place in the tree (`/verwaltung/kjfs/jugendamt/`) and its parent's key
    path: str
    parent: str | None
    #: confirmed | invited
    state: str
    invited_by: str
    invited_at: dt.datetime
    confirmed_by: str | None
    confirmed_at: dt.datetime | None


@dataclass(frozen=True)
class StoredMeasure:
    id: int
    title: str
    description: str
    values: tuple[str, ...]
    items: tuple[str, ...]
    owners: tuple[StoredOwner, ...]
    responsible: str
    starts_on: dt.date
    due_on: dt.date | None
    effect_lag_days: int
    status: str
    public: bool
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class StoredNote:
    id: int
    noted_on: dt.date
    text: str
    author: str
    created_at: dt.datetime


def _items(text: str) -> tuple[str, ...]:
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(i) for i in found) if isinstance(found, list) else ()


def _owners_query() -> Any:
    return MeasureUnitRow.select(
        MeasureUnitRow.measure,
        MeasureUnitRow.unit.key.as_alias("unit_key"),
        MeasureUnitRow.unit.name.as_alias("unit_name"),
        MeasureUnitRow.unit.path.as_alias("unit_path"),
        MeasureUnitRow.unit.parent.key.as_alias("parent_key"),
        MeasureUnitRow.state,
        MeasureUnitRow.invited_by,
        MeasureUnitRow.invited_at,
        MeasureUnitRow.confirmed_by,
        MeasureUnitRow.confirmed_at,
    ).order_by(MeasureUnitRow.id)


def _owner(row: Mapping[str, Any]) -> StoredOwner:
    return StoredOwner(
        row["unit_key"],
        row["unit_name"],
        row["unit_path"],
        row["parent_key"],
        row["state"],
        row["invited_by"],
        row["invited_at"],
        row["confirmed_by"],
        row["confirmed_at"],
    )


def _measure(row: Mapping[str, Any], owners: Sequence[StoredOwner], values: Sequence[str]) -> StoredMeasure:
    return StoredMeasure(
        row["id"],
        row["title"],
        row["description"],
        tuple(values),
        _items(row["items"]),
        tuple(owners),
        row["responsible"],
        as_date(row["starts_on"]),
        as_date(row["due_on"]) if row["due_on"] is not None else None,
        row["effect_lag_days"],
        row["status"],
        bool(row["public"]),
        row["created_by"],
        row["created_at"],
        row["updated_by"],
        row["updated_at"],
    )


async def list_measures(ids: Iterable[int] | None = None) -> list[StoredMeasure]:
    """Every measure (or those of `ids`), newest first, with owners and values."""
    query = (
        MeasureRow.select()
        .order_by(MeasureRow.starts_on, ascending=False)
        .order_by(MeasureRow.id, ascending=False)
    )
    owners_query, values_query = (
        _owners_query(),
        MeasureValueRow.select(MeasureValueRow.measure, MeasureValueRow.value).order_by(MeasureValueRow.id),
    )
    if ids is not None:
        wanted = [i for i in ids if 1 <= i <= _LARGEST_ID]
        if not wanted:
            return []
        query = query.where(MeasureRow.id.is_in(wanted))
        owners_query = owners_query.where(MeasureUnitRow.measure.is_in(wanted))
        values_query = values_query.where(MeasureValueRow.measure.is_in(wanted))
    owners: dict[int, list[StoredOwner]] = {}
    for row in await owners_query.run():
        owners.setdefault(row["measure"], []).append(_owner(row))
    values: dict[int, list[str]] = {}
    for row in await values_query.run():
        values.setdefault(row["measure"], []).append(row["value"])
    return [_measure(r, owners.get(r["id"], []), values.get(r["id"], [])) for r in await query.run()]


async def find_measure(measure_id: int) -> StoredMeasure | None:
    found = await list_measures([measure_id])
    return found[0] if found else None


async def list_notes(measure_id: int) -> list[StoredNote]:
    """The measure's progress notes, the newest day first (of one day, the latest written first)."""
    rows = (
        await MeasureNoteRow.select()
        .where(MeasureNoteRow.measure == measure_id)
        .order_by(MeasureNoteRow.noted_on, ascending=False)
        .order_by(MeasureNoteRow.id, ascending=False)
        .run()
    )
    return [
        StoredNote(r["id"], as_date(r["noted_on"]), r["text"], r["author"], r["created_at"]) for r in rows
    ]


async def insert_measure(facts: Mapping[str, Any], values: Sequence[str], by: str, now: dt.datetime) -> int:
    """A new measure with `facts` (the MEASURE_COLUMNS; `items` a list) and its values."""
    columns = {k: v for k, v in facts.items() if k in MEASURE_COLUMNS}
    columns["items"] = json.dumps(list(columns.get("items", [])), ensure_ascii=False)
    row = MeasureRow(**columns, created_by=by, created_at=now, updated_by=by, updated_at=now)
    rows = await MeasureRow.insert(row).returning(MeasureRow.id).run()
    measure_id = int(rows[0]["id"])
    await replace_values(measure_id, values)
    return measure_id


async def update_measure(measure_id: int, changes: Mapping[str, Any], by: str, now: dt.datetime) -> None:
    """Set the `changes` (MEASURE_COLUMNS; `items` a list) and who changed the measure, when."""
    columns: dict[Any, Any] = {MeasureRow.updated_by: by, MeasureRow.updated_at: now}
    for name, value in changes.items():
        if name not in MEASURE_COLUMNS:
            raise ValueError(f"measure has no column {name} to change")
        stored = json.dumps(list(value), ensure_ascii=False) if name == "items" else value
        columns[getattr(MeasureRow, name)] = stored
    await MeasureRow.update(columns).where(MeasureRow.id == measure_id).run()


async def touch_measure(measure_id: int, by: str, now: dt.datetime) -> bool:
    """Mark the measure as changed now, by `by`; inside a transaction this holds its row until the
    transaction ends. False where there is no such measure."""
    if not 1 <= measure_id <= _LARGEST_ID:
        return False
    rows = (
        await MeasureRow.update({MeasureRow.updated_by: by, MeasureRow.updated_at: now})
        .where(MeasureRow.id == measure_id)
        .returning(MeasureRow.id)
        .run()
    )
    return bool(rows)


async def replace_values(measure_id: int, values: Sequence[str]) -> None:
    await MeasureValueRow.delete().where(MeasureValueRow.measure == measure_id).run()
    if values:
        await MeasureValueRow.insert(*(MeasureValueRow(measure=measure_id, value=v) for v in values)).run()


async def _unit_id(key: str) -> int | None:
    row = await OrgUnitRow.select(OrgUnitRow.id).where(OrgUnitRow.key == key).first().run()
    return int(row["id"]) if row else None


async def insert_owner(measure_id: int, unit: str, *, confirmed: bool, by: str, now: dt.datetime) -> bool:
    """Add `unit` (a key) to the measure's owners, confirmed or invited; False where there is no
    such unit."""
    unit_id = await _unit_id(unit)
    if unit_id is None:
        return False
    await MeasureUnitRow.insert(
        MeasureUnitRow(
            measure=measure_id,
            unit=unit_id,
            state="confirmed" if confirmed else "invited",
            invited_by=by,
            invited_at=now,
            confirmed_by=by if confirmed else None,
            confirmed_at=now if confirmed else None,
        )
    ).run()
    return True


async def confirm_owner(measure_id: int, unit: str, by: str, now: dt.datetime) -> bool:
    """Confirm the invited `unit`; False where it is not invited to the measure."""
    unit_id = await _unit_id(unit)
    if unit_id is None:
        return False
    rows = (
        await MeasureUnitRow.update(
            {
                MeasureUnitRow.state: "confirmed",
                MeasureUnitRow.confirmed_by: by,
                MeasureUnitRow.confirmed_at: now,
            }
        )
        .where(
            (MeasureUnitRow.measure == measure_id)
            & (MeasureUnitRow.unit == unit_id)
            & (MeasureUnitRow.state == "invited")
        )
        .returning(MeasureUnitRow.id)
        .run()
    )
    return bool(rows)


async def insert_note(measure_id: int, noted_on: dt.date, text: str, author: str, now: dt.datetime) -> None:
    await MeasureNoteRow.insert(
        MeasureNoteRow(measure=measure_id, noted_on=noted_on, text=text, author=author, created_at=now)
    ).run()
