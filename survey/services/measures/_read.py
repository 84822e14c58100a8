"""Reading measures: one measure, those a viewer may read (filtered by unit, value, status), the
invitations waiting for a lead, and the measures of units as the effect check sees them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from survey.errors import N_, Code
from survey.services.accounts import Principal
from survey.services.measures._model import Measure, MeasureRights, as_measure, load_measure
from survey.services.measures._rules import MeasureForbidden, MeasureNotFound, measure_catalog
from survey.services.permissions import (
    may_confirm_for,
    may_edit_measure,
    may_invite_to_measure,
    may_open_measures,
    may_publish_measures,
    may_read_measure,
    may_read_unit_measures,
)
from survey.store import measures as store
from survey.store import org as org_store

__all__ = [
    "find_measure",
    "may_read",
    "owned_measures",
    "owned_within",
    "rights_of",
    "units_by_key",
    "visible_measures",
    "waiting_invitations",
]


def may_read(principal: Principal, measure: Measure) -> bool:
    return may_read_measure(principal, measure.confirmed, measure.invited)


def rights_of(principal: Principal, measure: Measure) -> MeasureRights:
    return MeasureRights(
        edit=may_edit_measure(principal, measure.confirmed),
        publish=may_publish_measures(principal),
        invite=may_invite_to_measure(principal, measure.confirmed),
        confirm=tuple(o.unit for o in measure.invited if may_confirm_for(principal, o)),
    )


async def find_measure(principal: Principal, measure_id: int) -> Measure:
    """The measure with its notes, if there is one (else MeasureNotFound) and the viewer may read it."""
    if not may_open_measures(principal):
        raise MeasureForbidden(f"measure {measure_id}")
    measure = await load_measure(measure_id, notes=True)
    if not may_read(principal, measure):
        raise MeasureForbidden(f"measure {measure_id}")
    return measure


async def units_by_key() -> dict[str, org_store.StoredUnit]:
    return {u.key: u for u in await org_store.list_units()}


async def visible_measures(
    principal: Principal, *, unit: str | None = None, value: str | None = None, status: str | None = None
) -> list[Measure]:
    """The measures the viewer may read, newest start first: those whose confirmed owners include
    `unit` or a unit below it, that address `value`, that have `status` (each where given)."""
    measures = [as_measure(m) for m in await store.list_measures()]
    if unit:
        place = (await units_by_key()).get(unit)
        if place is None:
            raise MeasureNotFound(N_("there is no unit %(unit)s"), unit=Code(unit))
        if not may_read_unit_measures(principal, place):
            raise MeasureForbidden(f"measures {unit}")
        measures = [m for m in measures if any(o.path.startswith(place.path) for o in m.confirmed)]
    if value:
        if value not in (await measure_catalog()).value_keys():
            raise MeasureNotFound(N_("%(value)s is not a value of the Leitbild"), value=Code(value))
        measures = [m for m in measures if value in m.values]
    if status:
        measures = [m for m in measures if m.status == status]
    return [m for m in measures if may_read(principal, m)]


async def waiting_invitations(principal: Principal) -> list[tuple[Measure, tuple[str, ...]]]:
    """The measures with invited units the viewer may confirm, and those units."""
    found = []
    for measure in (as_measure(m) for m in await store.list_measures()):
        units = rights_of(principal, measure).confirm
        if units and not principal.may("office"):  # the office confirms on the measure's page
            found.append((measure, units))
    return found


async def owned_measures(units: Sequence[str] | None = None) -> list[Measure]:
    """Every measure with its confirmed owners only (the effect check's view), or those owned by
    one of `units` (keys) or a unit below one of them. No access rule: for callers that apply
    their own (reports, the effect check)."""
    measures = [as_measure(m) for m in await store.list_measures()]
    owned = [replace(m, owners=m.confirmed) for m in measures if m.confirmed]
    if units is None:
        return owned
    return await owned_within(owned, units)


async def owned_within(measures: Sequence[Measure], units: Sequence[str]) -> list[Measure]:
    """Those of `measures` owned by one of `units` (keys) or a unit below one of them."""
    places = [u.path for k, u in (await units_by_key()).items() if k in units]
    return [m for m in measures if any(o.path.startswith(p) for o in m.owners for p in places)]
