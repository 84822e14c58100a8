"""The JSON twins of the measures pages under /api/v1/measures (tag `measures`), with the same rules
(survey.services.measures): the list (`?unit=&value=&status=`), a new measure, one measure, its
change (PATCH: only the fields sent), a progress note, inviting a unit and confirming one.

Answers: the measure (`MeasureOut`), 201 for a new one; 422 with each field's problem (`fields`,
English) for input that cannot make a measure; 409 for a step that does not fit the measure as it
is (a unit that is an owner already or has confirmed already); 403 (logged) where the roles do not
allow it, 404 where there is no such measure, unit or value. The routes with a body check the
role before the body is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, patch, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from survey.services.accounts import Principal
from survey.services.measures import (
    MAX_LAG_DAYS,
    Measure,
    MeasureChange,
    MeasureConflict,
    MeasureError,
    MeasureInput,
    add_note,
    change_measure,
    confirm_unit,
    create_measure,
    find_measure,
    invite_unit,
    visible_measures,
)
from survey.services.permissions import may_change_measures, may_create_measures, may_open_measures
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import ActionResult
from survey.web.measures._show import guarded
from survey.web.security import BodyText, OptionalQueryText, PathText

__all__ = ["API_ROUTES", "MeasureOut"]

Status = Literal["geplant", "laufend", "umgesetzt", "verworfen"]
#: a measure's id as a path parameter (ids are positive 32-bit numbers)
MeasureId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="the measure's id")]
#: (`gt=-1` rather than `ge=0`: the OpenAPI document of an optional field would lose a minimum of 0)
LagDays = Annotated[
    int,
    msgspec.Meta(
        gt=-1,
        le=MAX_LAG_DAYS,
        description="days after the start before a wave counts as after the measure (for the effect check)",
    ),
]
#: a day, as 2026-12-01 (a text, so that a day that is none is named in `fields` with the fix)
Day = BodyText
_API = {"tags": ["measures"]}


class OwnerOut(msgspec.Struct, frozen=True):
    unit: str
    name: str
    #: owns the measure; false: invited, waiting for a lead of the unit to confirm
    confirmed: bool
    invited_by: str
    invited_at: dt.datetime
    confirmed_by: str | None = None
    confirmed_at: dt.datetime | None = None


class NoteOut(msgspec.Struct, frozen=True):
    noted_on: dt.date
    text: str
    author: str
    created_at: dt.datetime


class MeasureOut(msgspec.Struct, frozen=True):
    """A measure: its values (Leitbild keys), items (question ids), owning and invited units, and
    (one measure only) its progress notes, newest day first."""

    id: int
    title: str
    description: str
    values: list[str]
    items: list[str]
    owners: list[OwnerOut]
    responsible: str
    starts_on: dt.date
    due_on: dt.date | None
    effect_lag_days: int
    status: Status
    public: bool
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    notes: list[NoteOut] = msgspec.field(default_factory=list)


class MeasureIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new measure. Units the signed-in lead leads own it at once; the others are invited."""

    title: BodyText
    values: list[BodyText]
    units: list[BodyText]
    responsible: BodyText
    starts_on: Day
    description: BodyText = ""
    items: list[BodyText] = msgspec.field(default_factory=list)
    due_on: Day = ""
    effect_lag_days: LagDays = 0
    status: Status = "geplant"
    #: only the survey office (or an admin) marks a measure public
    public: bool = False


class MeasurePatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The fields to change; a field left out (or null) stays. An empty `due_on` removes the due
    date. `public`: the survey office (or an admin) only; the rest: leads of an owning unit."""

    title: BodyText | None = None
    description: BodyText | None = None
    values: list[BodyText] | None = None
    items: list[BodyText] | None = None
    responsible: BodyText | None = None
    starts_on: Day | None = None
    due_on: Day | None = None
    effect_lag_days: LagDays | None = None
    status: Status | None = None
    public: bool | None = None


class NoteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: BodyText
    #: the day the note is about, today or earlier; left out: today
    noted_on: Day | None = None


class OwnerIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: the unit's key
    unit: BodyText


class MeasureProblems(ActionResult, frozen=True):
    """Refused input: `message` and `details` say why, `fields` each field's problem."""

    fields: dict[str, str] = msgspec.field(default_factory=dict)


def measure_out(m: Measure) -> MeasureOut:
    owners = [
        OwnerOut(o.unit, o.name, o.confirmed, o.invited_by, o.invited_at, o.confirmed_by, o.confirmed_at)
        for o in m.owners
    ]
    notes = [NoteOut(n.noted_on, n.text, n.author, n.created_at) for n in m.notes]
    return MeasureOut(
        m.id,
        m.title,
        m.description,
        list(m.values),
        list(m.items),
        owners,
        m.responsible,
        m.starts_on,
        m.due_on,
        m.effect_lag_days,
        m.status,  # type: ignore[arg-type]
        m.public,
        m.created_by,
        m.created_at,
        m.updated_by,
        m.updated_at,
        notes,
    )


_STEP = {
    422: ResponseSpec(
        MeasureProblems,
        generate_examples=False,
        description="Refused input: each field's problem in `fields`",
    ),
    409: ResponseSpec(
        ActionResult, generate_examples=False, description="The step does not fit the measure as it is now"
    ),
    **refusals(401, 403, 404, 413, 415),
}


async def _answer(viewer: Viewer, call: Callable[[], Awaitable[Measure]], status: int = 200) -> Response[Any]:
    """The measure after `call`, or the refusal (422, 409; 403 and 404 as the app's)."""
    try:
        measure = await guarded(viewer, None, call)
    except MeasureError as error:
        message = error.message
        problems = MeasureProblems(
            False,
            message.text(code=True),
            [d.text(code=True) for d in message.details],
            {k: m.text(code=True) for k, m in error.fields.items()},
        )
        return Response(problems, status_code=422)
    except MeasureConflict as conflict:
        return Response(ActionResult(False, conflict.message.text(code=True)), status_code=409)
    return Response(measure_out(measure), status_code=status)


def _role_guard(allowed: Callable[[Principal], bool]) -> Callable[..., Awaitable[None]]:
    """A guard that checks the viewer's roles before the body is read: anyone else learns nothing
    from it but 403 (and without a session, 401)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        viewer = await provide_viewer(connection)  # type: ignore[arg-type]
        await require(viewer, allowed, f"{connection.scope['method']} {connection.url.path}")

    return guard


@get(
    "/api/v1/measures",
    name="api-measures",
    summary="The measures the signed-in user may read, filtered by unit (and its sub-units), value, status",
    responses=refusals(401, 403, 404),
    **_API,
)
async def measures_api(
    viewer: CurrentViewer,
    unit: OptionalQueryText = None,
    value: OptionalQueryText = None,
    status: Annotated[
        Status | None, QueryParameter(description="geplant, laufend, umgesetzt or verworfen")
    ] = None,
) -> list[MeasureOut]:
    await require(viewer, may_open_measures, "measures")
    principal = viewer.principal
    found = await guarded(
        viewer, None, lambda: visible_measures(principal, unit=unit, value=value, status=status)
    )
    return [measure_out(m) for m in found]


@post(
    "/api/v1/measures",
    name="api-measure-new",
    summary="A new measure (leads, for units they lead; the others are invited)",
    status_code=201,
    guards=[_role_guard(may_create_measures)],
    responses={201: ResponseSpec(MeasureOut, generate_examples=False, description="Created"), **_STEP},
    **_API,
)
async def new_measure_api(
    viewer: CurrentViewer, csrf: CsrfChecked, data: Annotated[MeasureIn, STRICT_JSON_BODY]
) -> Response[Any]:
    measure_input = MeasureInput(
        title=data.title,
        description=data.description,
        values=data.values,
        items=data.items,
        units=data.units,
        responsible=data.responsible,
        starts_on=data.starts_on,
        due_on=data.due_on,
        effect_lag_days=str(data.effect_lag_days),
        status=data.status,
        public=data.public,
    )
    return await _answer(viewer, lambda: create_measure(viewer.principal, measure_input), 201)


@get(
    "/api/v1/measures/{measure:int}",
    name="api-measure",
    summary="One measure with its units and progress notes",
    responses=refusals(401, 403, 404),
    **_API,
)
async def measure_api(viewer: CurrentViewer, measure: MeasureId) -> MeasureOut:
    await require(viewer, may_open_measures, f"measure {measure}")
    return measure_out(await guarded(viewer, None, lambda: find_measure(viewer.principal, measure)))


@patch(
    "/api/v1/measures/{measure:int}",
    name="api-measure-change",
    summary="Change a measure: the fields sent (leads of an owning unit; `public`: the survey office)",
    guards=[_role_guard(may_change_measures)],
    responses={200: ResponseSpec(MeasureOut, generate_examples=False, description="Changed"), **_STEP},
    **_API,
)
async def change_measure_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    measure: MeasureId,
    data: Annotated[MeasurePatch, STRICT_JSON_BODY],
) -> Response[Any]:
    change = MeasureChange(
        title=data.title,
        description=data.description,
        values=data.values,
        items=data.items,
        responsible=data.responsible,
        starts_on=data.starts_on,
        due_on=data.due_on,
        effect_lag_days=None if data.effect_lag_days is None else str(data.effect_lag_days),
        status=data.status,
        public=data.public,
    )
    return await _answer(viewer, lambda: change_measure(viewer.principal, measure, change))


@post(
    "/api/v1/measures/{measure:int}/notes",
    name="api-measure-note",
    summary="Add a dated progress note (leads of an owning unit)",
    status_code=201,
    guards=[_role_guard(may_create_measures)],
    responses={201: ResponseSpec(MeasureOut, generate_examples=False, description="Noted"), **_STEP},
    **_API,
)
async def note_api(
    viewer: CurrentViewer, csrf: CsrfChecked, measure: MeasureId, data: Annotated[NoteIn, STRICT_JSON_BODY]
) -> Response[Any]:
    day = data.noted_on if data.noted_on is not None else dt.date.today().isoformat()
    return await _answer(viewer, lambda: add_note(viewer.principal, measure, day, data.text), 201)


@post(
    "/api/v1/measures/{measure:int}/owners",
    name="api-measure-invite",
    summary="Invite a unit to a measure (its editors, the office); a unit the caller leads owns it at once",
    status_code=200,
    guards=[_role_guard(may_change_measures)],
    responses={200: ResponseSpec(MeasureOut, generate_examples=False, description="Invited"), **_STEP},
    **_API,
)
async def invite_api(
    viewer: CurrentViewer, csrf: CsrfChecked, measure: MeasureId, data: Annotated[OwnerIn, STRICT_JSON_BODY]
) -> Response[Any]:
    return await _answer(viewer, lambda: invite_unit(viewer.principal, measure, data.unit))


@post(
    "/api/v1/measures/{measure:int}/owners/{unit:str}/confirm",
    name="api-measure-confirm",
    summary="Confirm an invited unit as an owner (a lead of the unit, the survey office)",
    status_code=200,
    responses={200: ResponseSpec(MeasureOut, generate_examples=False, description="Confirmed"), **_STEP},
    **_API,
)
async def confirm_api(
    viewer: CurrentViewer, csrf: CsrfChecked, measure: MeasureId, unit: PathText
) -> Response[Any]:
    await require(viewer, may_change_measures, f"measure {measure} confirm {unit}")
    return await _answer(viewer, lambda: confirm_unit(viewer.principal, measure, unit))


API_ROUTES = [
    measures_api,
    new_measure_api,
    measure_api,
    change_measure_api,
    note_api,
    invite_api,
    confirm_api,
]
