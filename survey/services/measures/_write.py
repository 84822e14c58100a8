"""Changing measures: create, change (facts, status, public), progress notes, inviting and
confirming units. Each change is one write transaction and one entry of the audit log, which names
the measure (`12: its title`) and its units (the log's unit filter finds it by them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from survey.errors import N_, Code, Message
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.services.measures._model import Measure, MeasureChange, load_measure
from survey.services.measures._read import may_read, units_by_key
from survey.services.measures._rules import (
    MeasureConflict,
    MeasureError,
    MeasureForbidden,
    MeasureInput,
    MeasureNotFound,
    checked_facts,
    measure_catalog,
    note_problems,
    refusal,
)
from survey.services.permissions import (
    may_change_measures,
    may_confirm_for,
    may_create_measures,
    may_edit_measure,
    may_invite_to_measure,
    may_publish_measures,
)
from survey.store import measures as store
from survey.store import org as org_store
from survey.store.engine import write_transaction

__all__ = ["add_note", "change_measure", "confirm_unit", "create_measure", "invite_unit"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _owners(
    principal: Principal, chosen: Sequence[str], units: dict[str, org_store.StoredUnit]
) -> tuple[list[tuple[str, bool]], Message | None]:
    """(unit, confirmed at once) of each chosen unit, or the units field's problem."""
    keys = list(dict.fromkeys(k.strip() for k in chosen if k.strip()))
    if not keys:
        return [], Message(N_("choose at least one unit that carries out the measure"))
    if unknown := [k for k in keys if k not in units]:
        return [], Message(
            N_("there is no unit %(unit)s: choose the units of the list"), {"unit": Code(unknown[0])}
        )
    owners = [(k, may_confirm_for(principal, units[k])) for k in keys]
    if not any(confirmed for _, confirmed in owners):
        led = ", ".join(g.unit_name or g.unit or "" for g in principal.scopes("lead")) or "–"
        return [], Message(
            N_(
                "you lead none of the chosen units: choose at least one unit you lead (%(units)s); "
                "the leads of the others are then invited to join"
            ),
            {"units": led},
        )
    return owners, None


async def create_measure(principal: Principal, data: MeasureInput) -> Measure:
    """A new measure; the chosen units the creator leads own it at once, the others are invited."""
    if not may_create_measures(principal):
        raise MeasureForbidden("measure new")
    if data.public and not may_publish_measures(principal):
        raise MeasureForbidden("measure new public")
    facts, values, problems = checked_facts(data, await measure_catalog())
    owners, unit_problem = _owners(principal, data.units, await units_by_key())
    if unit_problem is not None:
        problems["units"] = unit_problem
    if problems:
        raise refusal(problems)
    by, now = principal.username, _now()
    async with write_transaction():
        measure_id = await store.insert_measure(facts, values, by, now)
        for unit, confirmed in owners:
            await store.insert_owner(measure_id, unit, confirmed=confirmed, by=by, now=now)
    measure = await load_measure(measure_id)
    parts = [f"units={','.join(o.unit for o in measure.confirmed)}"]
    if measure.invited:
        parts.append(f"invited={','.join(o.unit for o in measure.invited)}")
    parts += [f"values={','.join(values)}", f"status={measure.status}"]
    await record(by, "measure.create", measure.target, "; ".join(parts))
    return measure


def _as_input(measure: Measure, change: MeasureChange) -> MeasureInput:
    """The measure as it would be after the change, as typed."""

    def pick(new: object, old: object) -> object:
        return old if new is None else new

    due = measure.due_on.isoformat() if measure.due_on else ""
    return MeasureInput(
        title=str(pick(change.title, measure.title)),
        description=str(pick(change.description, measure.description)),
        values=list(change.values if change.values is not None else measure.values),
        items=list(change.items if change.items is not None else measure.items),
        responsible=str(pick(change.responsible, measure.responsible)),
        starts_on=str(pick(change.starts_on, measure.starts_on.isoformat())),
        due_on=str(pick(change.due_on, due)),
        effect_lag_days=str(pick(change.effect_lag_days, measure.effect_lag_days)),
        status=str(pick(change.status, measure.status)),
        public=bool(pick(change.public, measure.public)),
    )


def _changed(measure: Measure, facts: dict[str, object], values: list[str]) -> dict[str, object]:
    before = {
        "title": measure.title,
        "description": measure.description,
        "items": list(measure.items),
        "responsible": measure.responsible,
        "starts_on": measure.starts_on,
        "due_on": measure.due_on,
        "effect_lag_days": measure.effect_lag_days,
        "status": measure.status,
        "public": measure.public,
    }
    changed = {k: v for k, v in facts.items() if k in before and before[k] != v}
    if values != list(measure.values):
        changed["values"] = values
    return changed


def _change_detail(measure: Measure, changed: dict[str, object]) -> str:
    """The audit log's detail of a change: what changed, and the measure's units."""
    units = f"units={','.join(o.unit for o in measure.confirmed)}"
    if set(changed) == {"status"}:
        return f"status={changed['status']} (was {measure.status}); {units}"
    if set(changed) == {"public"}:
        return f"public={'yes' if changed['public'] else 'no'}; {units}"
    return f"changed={','.join(sorted(changed))}; {units}"


async def change_measure(principal: Principal, measure_id: int, change: MeasureChange) -> Measure:
    """Change the measure's facts (its editors), or whether it is public (the survey office)."""
    content = replace(change, public=None) != MeasureChange()
    if not (may_create_measures(principal) if content else may_publish_measures(principal)):
        raise MeasureForbidden(f"measure {measure_id} {'change' if content else 'public'}")
    measure = await load_measure(measure_id)
    if not may_read(principal, measure):
        raise MeasureForbidden(f"measure {measure_id} change")
    if content and not may_edit_measure(principal, measure.confirmed):
        raise MeasureForbidden(f"measure {measure_id} change")
    if change.public is not None and change.public != measure.public and not may_publish_measures(principal):
        raise MeasureForbidden(f"measure {measure_id} public")
    facts, values, problems = checked_facts(_as_input(measure, change), await measure_catalog())
    if problems:
        raise refusal(problems)
    changed = _changed(measure, facts, values)
    if not changed:
        return await load_measure(measure_id, notes=True)
    by, now = principal.username, _now()
    async with write_transaction():
        await store.update_measure(measure_id, {k: v for k, v in changed.items() if k != "values"}, by, now)
        if "values" in changed:
            await store.replace_values(measure_id, values)
    action = (
        "measure.status"
        if set(changed) == {"status"}
        else "measure.public"
        if set(changed) == {"public"}
        else "measure.edit"
    )
    updated = await load_measure(measure_id, notes=True)
    await record(by, action, updated.target, _change_detail(measure, changed))
    return updated


async def add_note(
    principal: Principal, measure_id: int, noted_on: str, text: str, *, today: dt.date | None = None
) -> Measure:
    """A dated progress note, written by a lead of a confirmed owning unit (or an admin)."""
    if not may_create_measures(principal):
        raise MeasureForbidden(f"measure {measure_id} note")
    measure = await load_measure(measure_id)
    if not may_edit_measure(principal, measure.confirmed):
        raise MeasureForbidden(f"measure {measure_id} note")
    day, problems = note_problems(noted_on, text, today or dt.date.today())
    if problems or day is None:
        raise refusal(problems)
    by, now = principal.username, _now()
    async with write_transaction():
        await store.touch_measure(measure_id, by, now)
        await store.insert_note(measure_id, day, text.strip(), by, now)
    units = ",".join(o.unit for o in measure.confirmed)
    await record(by, "measure.note", measure.target, f"note of {day.isoformat()}; units={units}")
    return await load_measure(measure_id, notes=True)


async def invite_unit(principal: Principal, measure_id: int, unit: str) -> Measure:
    """Add a unit to the measure's owners: confirmed at once where the one who adds it may confirm
    for it (a lead of it, the survey office, an admin), else invited."""
    if not may_change_measures(principal):
        raise MeasureForbidden(f"measure {measure_id} owners")
    measure = await load_measure(measure_id)
    if not may_invite_to_measure(principal, measure.confirmed):
        raise MeasureForbidden(f"measure {measure_id} owners")
    if not unit.strip():
        problem = Message(N_("choose the unit to invite from the list"))
        raise MeasureError(problem, fields={"unit": problem})
    place = (await units_by_key()).get(unit.strip())
    if place is None:
        problem = Message(
            N_("there is no unit %(unit)s: choose the units of the list"), {"unit": Code(unit.strip()[:64])}
        )
        raise MeasureError(problem, fields={"unit": problem})
    confirmed = may_confirm_for(principal, place)
    by, now = principal.username, _now()
    async with write_transaction():
        await store.touch_measure(measure_id, by, now)
        current = await load_measure(measure_id)
        if any(o.unit == place.key for o in current.owners):
            raise MeasureConflict(N_("%(unit)s is among the units of this measure already"), unit=place.name)
        await store.insert_owner(measure_id, place.key, confirmed=confirmed, by=by, now=now)
    action = "measure.confirm" if confirmed else "measure.invite"
    await record(by, action, measure.target, f"unit={place.key}")
    return await load_measure(measure_id, notes=True)


async def confirm_unit(principal: Principal, measure_id: int, unit: str) -> Measure:
    """Confirm an invited unit as an owner: a lead of it, the survey office or an admin."""
    place = (await units_by_key()).get(unit)
    if not may_change_measures(principal) or (place is not None and not may_confirm_for(principal, place)):
        raise MeasureForbidden(f"measure {measure_id} confirm {unit}")
    measure = await load_measure(measure_id)
    owner = next((o for o in measure.owners if o.unit == unit), None)
    if owner is not None and not may_confirm_for(principal, owner):
        raise MeasureForbidden(f"measure {measure_id} confirm {unit}")
    if owner is None:
        if not may_read(principal, measure):
            raise MeasureForbidden(f"measure {measure_id} confirm {unit}")
        raise MeasureNotFound(N_("%(unit)s is not invited to this measure"), unit=Code(unit[:64]))
    by, now = principal.username, _now()
    async with write_transaction():
        await store.touch_measure(measure_id, by, now)
        if not await store.confirm_owner(measure_id, unit, by, now):
            raise MeasureConflict(N_("%(unit)s has confirmed already"), unit=owner.name)
    await record(by, "measure.confirm", measure.target, f"unit={unit}")
    return await load_measure(measure_id, notes=True)
