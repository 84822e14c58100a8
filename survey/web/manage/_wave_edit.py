"""Creating a wave, and changing it while it may change, in the browser and through the JSON API.

The pages show the form of survey.web.manage._wave_form; a form that is taken answers 303 to the
wave's page, which says once what was done (Post/Redirect/Get), a refused one is shown again
with each problem next to its field. A change to a staff wave the Personalrat had approved that
needs its approval again (version, units, thresholds) is said so on the wave's page. The checks
are the services' (survey.services.waves), the same for the pages, the API and the command line;
every create and change is audited, refused ones too (with the fields only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, patch, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from survey.errors import N_, Code, Message, SurveyError
from survey.services.approvals import wave_approval_problems
from survey.services.audit import record
from survey.services.permissions import may_run_waves
from survey.services.waves import (
    FieldProblem,
    Wave,
    WaveChange,
    WaveDetail,
    WavePlan,
    WavePlanError,
    create_planned_wave,
    edit_planned_wave,
    wave_detail,
)
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import settings_of
from survey.web.manage._wave_form import (
    NEW_WAVE_PAGE,
    blank_form,
    change_of,
    form_of,
    parse_day,
    plan_of,
    read_form,
    show_form,
    wave_approved,
    wave_page_of,
)
from survey.web.manage._wave_out import EDIT_RESPONSES, WaveDetailOut, WaveRefusal, api_detail, refused
from survey.web.notices import Notice, redirect_with, say
from survey.web.portal import portal_lang
from survey.web.security import BODY_NAMES, BodyText, PathText

__all__ = ["WAVE_EDIT_ROUTES", "WaveChangeIn", "WaveIn"]

#: a title per language (`{"de": "…", "en": "…"}`), names and texts as the guard takes them
Titles = Annotated[dict[str, BodyText], BODY_NAMES]


class WaveIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new wave. Without `key` one is made from the questionnaire and the first day; without
    `version` the newest is taken; a title left out is the questionnaire's own with the month."""

    questionnaire: BodyText
    units: list[BodyText]
    #: the first day, as 2026-12-01
    opens_on: BodyText
    #: the last day, as 2026-12-01
    closes_on: BodyText
    version: int | None = None
    key: BodyText = ""
    #: each unit with its sub-units
    subtrees: bool = True
    k: int = 5
    k_text: int = 10
    #: language → title, for the languages of the version
    titles: Titles = {}
    #: who releases free-text comments before leads read them: none | office | personalrat | both
    comment_review: BodyText = "none"
    #: who gets e-mail reminders: all | open_codes
    reminder_mode: BodyText = "all"
    #: days after the first day that reminders go out (1 to 366, ascending, at most 4; a weekend
    #: day moves to the Monday)
    reminder_days: list[int] = []


class WaveChangeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What changes about a wave; a field left out stays. A draft may change everything but its
    key; an open wave only `titles` and `closes_on`."""

    questionnaire: BodyText | None = None
    version: int | None = None
    units: list[BodyText] | None = None
    subtrees: bool = True
    #: as 2026-12-01
    opens_on: BodyText | None = None
    #: as 2026-12-01
    closes_on: BodyText | None = None
    k: int | None = None
    k_text: int | None = None
    titles: Titles | None = None
    comment_review: BodyText | None = None
    reminder_mode: BodyText | None = None
    reminder_days: list[int] | None = None


# --- the pages ------------------------------------------------------------------------------------


async def _detail(key: str, lang: str) -> WaveDetail:
    try:
        return await wave_detail(key)
    except SurveyError as exc:
        raise NotFoundException(say(exc.message, lang)) from None


def _summary(wave: Wave, units: int) -> str:
    """The audit log's words for a wave as it is now."""
    return (
        f"{wave.questionnaire} v{wave.version}, {units} units, {wave.opens_on}–{wave.closes_on}, "
        f"k={wave.k}, k_text={wave.k_text}, comments released by {wave.comment_review}, "
        f"reminders {wave.reminder_mode} {','.join(map(str, wave.reminder_days)) or 'none'}"
    )


def _fields(problems: list[FieldProblem]) -> str:
    return "refused: " + ", ".join(sorted({p.field for p in problems}))


def _created(wave: Wave) -> Notice:
    details = (
        [
            Message(
                N_(
                    "A staff wave opens only after the Personalrat has approved it and its "
                    "questionnaire version."
                )
            )
        ]
        if wave.audience == "staff"
        else []
    )
    return Notice(
        True,
        Message(
            N_("%(title)s (%(wave)s) is created as a draft"),
            {"title": wave.title, "wave": Code(wave.key)},
            details=tuple(details),
        ),
    )


@get(NEW_WAVE_PAGE, name="office-wave-new", include_in_schema=False)
async def new_wave_page(request: Request[Any, Any, Any], viewer: CurrentViewer, state: State) -> Template:
    await require(viewer, may_run_waves, "wave create (form)")
    return await show_form(request, state, blank_form())


@post(NEW_WAVE_PAGE, name="office-wave-create", include_in_schema=False)
async def create_wave_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, csrf: CsrfChecked, state: State
) -> Template | Redirect:
    await require(viewer, may_run_waves, "wave create")
    form = await read_form(request)
    if form.values.get("refresh"):  # the title fields of another version: nothing is saved
        return await show_form(request, state, form)
    plan = plan_of(form)
    if plan is not None:
        try:
            wave = await create_planned_wave(plan, settings_of(state).questionnaires)
        except WavePlanError as exc:
            form.problems += exc.problems
        else:
            await record(viewer.username, "wave.create", wave.key, _summary(wave, len(plan.units)))
            return redirect_with(request, viewer, wave_page_of(wave.key), _created(wave))
    await record(viewer.username, "wave.create_refused", form.values.get("key", ""), _fields(form.problems))
    return await show_form(request, state, form, status=400)


@get("/buero/runden/{key:str}/bearbeiten", name="office-wave-edit", include_in_schema=False)
async def edit_wave_form(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"wave edit {key} (form)")
    detail = await _detail(key, portal_lang(request))
    if detail.wave.status == "closed":
        return _closed(request, viewer, detail.wave)
    return await show_form(request, state, form_of(detail), wave=detail.wave)


def _closed(request: Request[Any, Any, Any], viewer: Viewer, wave: Wave) -> Redirect:
    message = Message(N_("%(wave)s is closed: nothing about it changes any more"), {"wave": Code(wave.key)})
    return redirect_with(request, viewer, wave_page_of(wave.key), Notice(False, message))


async def _saved(wave: Wave, approved_before: bool, questionnaires: Path) -> Notice:
    """What the page says after a change: saved, and, where the Personalrat had approved the wave
    as it was, that the change needs its approval again and why."""
    params = {"title": wave.title, "wave": Code(wave.key)}
    if approved_before and not await wave_approved(wave, questionnaires):
        why = await wave_approval_problems(wave.key, questionnaires)
        template = N_("%(title)s (%(wave)s) is saved; the change needs the Personalrat's approval again")
        return Notice(True, Message(template, params, details=tuple(why)))
    return Notice(True, Message(N_("%(title)s (%(wave)s) is saved"), params))


async def _edit(viewer: Viewer, wave: Wave, change: WaveChange, questionnaires: Path) -> Notice:
    """Change the wave (WavePlanError as the services raise it) and say what came of it."""
    approved_before = await wave_approved(wave, questionnaires)
    units_before = len((await wave_detail(wave.key)).unit_keys)
    changed = await edit_planned_wave(wave.key, change, questionnaires)
    units_after = len((await wave_detail(wave.key)).unit_keys)
    detail = f"{_summary(wave, units_before)} → {_summary(changed, units_after)}"
    await record(viewer.username, "wave.edit", wave.key, detail)
    return await _saved(changed, approved_before, questionnaires)


@post("/buero/runden/{key:str}/bearbeiten", name="office-wave-save", include_in_schema=False)
async def edit_wave_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"wave edit {key}")
    detail = await _detail(key, portal_lang(request))
    wave = detail.wave
    if wave.status == "closed":
        return _closed(request, viewer, wave)
    form = await read_form(request)
    if wave.status == "open":  # only the titles and the last day come with the form
        typed = form
        form = form_of(detail)
        form.values["closes_on"], form.titles = typed.values.get("closes_on", ""), typed.titles
    if form.values.get("refresh"):
        return await show_form(request, state, form, wave=wave)
    change = change_of(form, wave)
    if change is not None:
        try:
            notice = await _edit(viewer, wave, change, settings_of(state).questionnaires)
        except WavePlanError as exc:
            form.problems += exc.problems
        else:
            return redirect_with(request, viewer, wave_page_of(key), notice)
    await record(viewer.username, "wave.edit_refused", key, _fields(form.problems))
    return await show_form(request, state, form, wave=wave, status=400)


# --- the JSON twins -------------------------------------------------------------------------------


async def _office_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The API's actions with a body: the survey office (or an admin) only, checked before the
    body is read, so that anyone else learns nothing from it but 403 (no session at all: 401)."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_run_waves, f"{connection.scope['method']} {connection.url.path}")


@post(
    "/api/v1/waves",
    name="api-wave-create",
    tags=["office"],
    summary="Create a wave (a draft)",
    status_code=HTTP_201_CREATED,
    responses=EDIT_RESPONSES,
    guards=[_office_only],
)
async def create_wave_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, data: Annotated[WaveIn, STRICT_JSON_BODY]
) -> Response[WaveDetailOut] | Response[WaveRefusal]:
    await require(viewer, may_run_waves, "wave create")
    questionnaires = settings_of(state).questionnaires
    unreadable: list[FieldProblem] = []
    opens_on = parse_day(data.opens_on, "opens_on", unreadable)
    closes_on = parse_day(data.closes_on, "closes_on", unreadable)
    try:
        if opens_on is None or closes_on is None:
            raise WavePlanError(unreadable)
        plan = WavePlan(
            questionnaire=data.questionnaire,
            version=data.version,
            units=list(data.units),
            opens_on=opens_on,
            closes_on=closes_on,
            key=data.key,
            titles=dict(data.titles),
            k=data.k,
            k_text=data.k_text,
            subtrees=data.subtrees,
            comment_review=data.comment_review,
            reminder_mode=data.reminder_mode,
            reminder_days=tuple(data.reminder_days),
        )
        wave = await create_planned_wave(plan, questionnaires)
    except WavePlanError as exc:
        await record(viewer.username, "wave.create_refused", data.key, _fields(exc.problems))
        return refused(exc.problems)
    await record(viewer.username, "wave.create", wave.key, _summary(wave, len(plan.units)))
    return Response(await api_detail(wave.key, questionnaires), status_code=HTTP_201_CREATED)


@patch(
    "/api/v1/waves/{key:str}",
    name="api-wave-edit",
    tags=["office"],
    summary="Change a wave (a draft in all but its key; an open wave its titles and last day)",
    status_code=200,
    responses={**EDIT_RESPONSES, **refusals(404)},
    guards=[_office_only],
)
async def edit_wave_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[WaveChangeIn, STRICT_JSON_BODY],
) -> Response[WaveDetailOut] | Response[WaveRefusal]:
    await require(viewer, may_run_waves, f"wave edit {key}")
    questionnaires = settings_of(state).questionnaires
    try:
        wave = (await wave_detail(key)).wave
    except SurveyError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    days: list[FieldProblem] = []
    asked = {f: getattr(data, f) for f in WaveChangeIn.__struct_fields__}
    for name in ("opens_on", "closes_on"):
        if asked[name] is not None:
            asked[name] = parse_day(asked[name], name, days)
    if asked["reminder_days"] is not None:
        asked["reminder_days"] = tuple(asked["reminder_days"])
    try:
        if days:
            raise WavePlanError(days)
        await _edit(viewer, wave, WaveChange(**asked), questionnaires)
    except WavePlanError as exc:
        await record(viewer.username, "wave.edit_refused", key, _fields(exc.problems))
        return refused(exc.problems)
    return Response(await api_detail(key, questionnaires), status_code=200)


WAVE_EDIT_ROUTES = [
    new_wave_page,
    create_wave_page,
    edit_wave_form,
    edit_wave_page,
    create_wave_api,
    edit_wave_api,
]
