"""The survey office's waves: the list, each wave's own page, opening and closing, and their JSON
twins. Creating and changing a wave: `_wave_edit` (its routes are part of WAVE_ROUTES).

The list offers "Öffnen …" only for a wave that may open now; a staff draft shows instead, in
words, which approval of the Personalrat it still lacks. Opening or closing a wave is asked first,
on a page of its own that names the wave and says what the step means (GET
/buero/runden/KEY/open); its form sends the step (POST, same address). A wave's page
(/buero/runden/KEY) shows its facts, what it still needs, and while it is open its participation
(survey.web.manage._participation). Every form that changes something answers 303 to its page,
which shows the result once (survey.web.notices): reloading repeats nothing. What the services
answer comes as a structured message (survey.errors.Message): the pages say it in their
language, the JSON API in English, neither with the command-line hint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.figures import HiddenFigure
from survey.errors import N_, Code, Message, SurveyError
from survey.report.format import day, integer, locale
from survey.services.approvals import ApprovalError, wave_approval_problems
from survey.services.audit import record
from survey.services.participation import wave_participation, wave_responses
from survey.services.permissions import may_run_waves
from survey.services.waves import (
    Wave,
    WaveAction,
    WaveListing,
    close_wave,
    list_waves,
    open_wave,
    title_in,
    wave_action_refusal,
    wave_detail,
    wave_title,
)
from survey.settings import Settings
from survey.web.api import refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result, settings_of
from survey.web.manage._participation import hidden_count, shown_participation
from survey.web.manage._wave_edit import WAVE_EDIT_ROUTES
from survey.web.manage._wave_out import WaveDetailOut, WaveOut, api_detail, wave_out
from survey.web.notices import Notice, ShownNotice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang, translator
from survey.web.security import PathText

__all__ = ["WAVE_ROUTES", "WaveOut"]

WAVES_PAGE = "/buero/runden"


@dataclass(frozen=True)
class _Row:
    """A wave as the list and its own page show it, in the page's language."""

    wave: Wave
    title: str
    period: str
    responses: str
    #: why it may not open now (a draft); None: it may, or it is no draft
    refusal: ShownNotice | None


def _action(action: str) -> WaveAction:
    if action == "open":
        return "open"
    if action == "close":
        return "close"
    raise NotFoundException("unknown action")


async def _responses(wave: Wave, n: int, lang: str) -> str:
    shown = await wave_responses(wave, n)
    return (
        hidden_count(shown, wave.k, translator(lang)) if isinstance(shown, HiddenFigure) else integer(n, lang)
    )


async def _refusal(wave: Wave, settings: Settings, lang: str) -> ShownNotice | None:
    """Why a draft may not open now, in words (None: it may, or it is no draft)."""
    if wave.status != "draft":
        return None
    refusal = await wave_action_refusal(wave.key, "open", dt.date.today(), settings.questionnaires)
    return show(Notice(False, refusal.message), lang) if refusal else None


def _period(wave: Wave, lang: str, style: str = "medium") -> str:
    if style == "medium":
        return f"{day(wave.opens_on, lang)} – {day(wave.closes_on, lang)}"
    first = format_date(wave.opens_on, style, locale=locale(lang))
    return f"{first} – {format_date(wave.closes_on, style, locale=locale(lang))}"


async def _listings(settings: Settings) -> list[tuple[WaveListing, list[Message]]]:
    out = []
    for listing in await list_waves():
        w = listing.wave
        staff_draft = w.audience == "staff" and w.status == "draft"
        out.append(
            (listing, await wave_approval_problems(w.key, settings.questionnaires) if staff_draft else [])
        )
    return out


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
    settings = settings_of(state)
    rows = [
        _Row(
            listing.wave,
            await wave_title(listing.wave, lang),
            _period(listing.wave, lang),
            await _responses(listing.wave, listing.responses, lang),
            await _refusal(listing.wave, settings, lang),
        )
        for listing in await list_waves()
    ]
    response = page(
        request,
        "portal/waves.html",
        title=_("Waves"),
        rows=rows,
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@get(f"{WAVES_PAGE}/{{key:str}}", name="office-wave", include_in_schema=False)
async def wave_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Template:
    """A wave's own page: its facts, what it still needs, and while it is open its participation."""
    await require(viewer, may_run_waves, f"wave {key}")
    lang = portal_lang(request)
    try:
        detail = await wave_detail(key)
    except SurveyError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    wave = detail.wave
    row = _Row(
        wave,
        title_in(wave, detail.titles, lang),
        _period(wave, lang, "long"),
        await _responses(wave, detail.responses, lang),
        await _refusal(wave, settings_of(state), lang),
    )
    participation = await wave_participation(key)
    response = page(
        request,
        "portal/wave_page.html",
        title=row.title,
        row=row,
        detail=detail,
        participation=shown_participation(participation, lang) if participation else None,
        result=show(take_notice(request, viewer), lang),
    )
    forget_notice(request, response)
    return response


@get(f"{WAVES_PAGE}/{{key:str}}/{{action:str}}", name="office-wave-confirm", include_in_schema=False)
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
    wave = detail.wave
    return page(
        request,
        "portal/wave_confirm.html",
        title=_("Open a wave") if step == "open" else _("Close a wave"),
        action=step,
        detail=detail,
        wave_title=title_in(wave, detail.titles, lang),
        opens=format_date(wave.opens_on, "long", locale=locale(lang)),
        closes=format_date(wave.closes_on, "long", locale=locale(lang)),
        responses=await _responses(wave, detail.responses, lang),
        refusal=show(Notice(False, refusal.message), lang) if refusal else None,
    )


@post(f"{WAVES_PAGE}/{{key:str}}/{{action:str}}", name="office-wave-action", include_in_schema=False)
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
        await wave_out(listing, [p.text(code=True) for p in problems])
        for listing, problems in await _listings(settings_of(state))
    ]


@get(
    "/api/v1/waves/{key:str}",
    name="api-wave",
    tags=["office"],
    summary="A wave with its units, titles and, while it is open, its participation (under k hidden)",
    responses=refusals(401, 403, 404),
)
async def wave_api(viewer: CurrentViewer, state: State, key: PathText) -> WaveDetailOut:
    await require(viewer, may_run_waves, f"wave {key}")
    try:
        return await api_detail(key, settings_of(state).questionnaires)
    except SurveyError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None


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
    wave_page,
    wave_confirm_page,
    wave_action_page,
    waves_api,
    wave_api,
    wave_open_api,
    wave_close_api,
    *WAVE_EDIT_ROUTES,
]
