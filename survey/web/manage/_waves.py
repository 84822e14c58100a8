"""The survey office's waves and the Personalrat's approvals: pages and their JSON twins.

Opening or closing a wave is asked first, on a page of its own that names the wave and says what
the step means (GET /buero/runden/KEY/open); its form sends the step (POST, same address). Every
form that changes something answers 303 to its page, which shows the result once
(survey.web.notices): reloading repeats nothing. What the services answer comes as a structured
message (survey.errors.Message): the pages say it in their language, the JSON API in English,
neither with the command-line hint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Code, Message, SurveyError
from survey.services.approvals import (
    ApprovalError,
    wave_approval_problems,
)
from survey.services.audit import record
from survey.services.permissions import may_run_waves
from survey.services.waves import (
    WaveAction,
    WaveFacts,
    WaveListing,
    close_wave,
    list_waves,
    open_wave,
    wave_action_refusal,
    wave_detail,
)
from survey.settings import Settings
from survey.web.api import refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result, settings_of
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang
from survey.web.security import PathText

__all__ = ["WAVE_ROUTES", "WaveOut"]

WAVES_PAGE = "/buero/runden"
APPROVALS_PAGE = "/personalrat/freigaben"


class WaveOut(WaveFacts, frozen=True):
    """The office API's schema of a wave record (survey.services.waves.Wave): its facts, its
    thresholds, its units and responses; the database id stays inside."""

    k: int
    k_text: int
    units: int
    responses: int
    #: why a staff wave may not open yet (Personalrat approvals, changed files); empty: it may
    approval_problems: list[str]


# --- waves (survey office) ------------------------------------------------------------------


def _action(action: str) -> WaveAction:
    if action == "open":
        return "open"
    if action == "close":
        return "close"
    raise NotFoundException("unknown action")


async def _listings(settings: Settings) -> list[tuple[WaveListing, list[Message]]]:
    out = []
    for listing in await list_waves():
        w = listing.wave
        staff_draft = w.audience == "staff" and w.status == "draft"
        out.append(
            (listing, await wave_approval_problems(w.key, settings.questionnaires) if staff_draft else [])
        )
    return out


def _wave_out(listing: WaveListing, problems: list[str]) -> WaveOut:
    w = listing.wave
    facts = {f: getattr(w, f) for f in WaveFacts.__struct_fields__}
    return WaveOut(
        **facts,
        k=w.k,
        k_text=w.k_text,
        units=listing.units,
        responses=listing.responses,
        approval_problems=problems,
    )


async def _change_wave(viewer: Viewer, settings: Settings, key: str, action: WaveAction) -> Notice:
    await require(viewer, may_run_waves, f"wave {action} {key}")
    try:
        if action == "open":
            wave = await open_wave(key, dt.date.today(), settings.questionnaires, by=viewer.username)
        else:
            wave = await close_wave(key)
    except SurveyError as exc:
        if not isinstance(exc, ApprovalError):  # open_wave logs those itself
            await record(viewer.username, f"wave.{action}_refused", key, exc.message.text())
        return Notice(False, exc.message)
    await record(viewer.username, f"wave.{action}", key)
    done = (
        N_("%(title)s (%(wave)s) is open: answers are taken from %(opens)s to %(closes)s")
        if action == "open"
        else N_("%(title)s (%(wave)s) is closed: it takes no more answers, and its results are shown")
    )
    params = {
        "title": wave.title,
        "wave": Code(wave.key),
        "opens": wave.opens_on.isoformat(),
        "closes": wave.closes_on.isoformat(),
    }
    return Notice(True, Message(done, params))


@get(WAVES_PAGE, name="office-waves", include_in_schema=False)
async def waves_page(request: Request[Any, Any, Any], viewer: CurrentViewer, state: State) -> Template:
    await require(viewer, may_run_waves, "waves")
    lang = portal_lang(request)
    _ = page_text(request)
    waves = [
        _wave_out(listing, [say(p, lang) for p in problems])
        for listing, problems in await _listings(settings_of(state))
    ]
    response = page(
        request,
        "portal/waves.html",
        title=_("Waves"),
        waves=waves,
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@get("/buero/runden/{key:str}/{action:str}", name="office-wave-confirm", include_in_schema=False)
async def wave_confirm_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    state: State,
    key: FromPath[str],
    action: FromPath[str],
) -> Template:
    """Asks before a wave opens or closes: which wave, and what the step means. Changes nothing."""
    step = _action(action)
    await require(viewer, may_run_waves, f"wave {step} {key} (asked)")
    lang = portal_lang(request)
    try:
        detail = await wave_detail(key)
        refusal = await wave_action_refusal(key, step, dt.date.today(), settings_of(state).questionnaires)
    except SurveyError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    _ = page_text(request)
    return page(
        request,
        "portal/wave_confirm.html",
        title=_("Open a wave") if step == "open" else _("Close a wave"),
        action=step,
        detail=detail,
        refusal=show(Notice(False, refusal.message), lang) if refusal else None,
    )


@post("/buero/runden/{key:str}/{action:str}", name="office-wave-action", include_in_schema=False)
async def wave_action_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
    action: FromPath[str],
) -> Redirect:
    notice = await _change_wave(viewer, settings_of(state), key, _action(action))
    return redirect_with(request, viewer, WAVES_PAGE, notice)


@get(
    "/api/v1/waves",
    name="api-waves",
    tags=["office"],
    summary="Waves with their approval state",
    responses=refusals(401, 403),
)
async def waves_api(viewer: CurrentViewer, state: State) -> list[WaveOut]:
    await require(viewer, may_run_waves, "waves")
    return [
        _wave_out(listing, [p.text(code=True) for p in problems])
        for listing, problems in await _listings(settings_of(state))
    ]


@post(
    "/api/v1/waves/{key:str}/open",
    name="api-wave-open",
    tags=["office"],
    summary="Open a wave (staff waves need the Personalrat's approvals)",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def wave_open_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: PathText
) -> Response[ActionResult]:
    return api_result(await _change_wave(viewer, settings_of(state), key, "open"))


@post(
    "/api/v1/waves/{key:str}/close",
    name="api-wave-close",
    tags=["office"],
    summary="Close a wave",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def wave_close_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: PathText
) -> Response[ActionResult]:
    return api_result(await _change_wave(viewer, settings_of(state), key, "close"))


WAVE_ROUTES = [
    waves_page,
    wave_confirm_page,
    wave_action_page,
    waves_api,
    wave_open_api,
    wave_close_api,
]
