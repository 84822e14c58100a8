"""The survey office's access page of a wave: how respondents get in (JSON twins: `_access_api`).

A staff wave gets invitation codes per unit (letters as PDF and the mail-merge CSV) and unit links
with a shared access code; a citizen wave shows its service points with their posters (PDF, PNG,
for the counter or a kiosk) and issues receipt codes. Codes exist in plain text only in the files
made when they are issued: each form answers 303 to the page (Post/Redirect/Get), which offers
those files for one download each, to the person who issued them, for a day at most; a unit
link's access code is shown on the page once. Afterwards the page shows only how many codes were
issued, when and by whom. A refused form comes back with what was typed and the problem next to
its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Message
from survey.services.access_files import access_overview, forget_file
from survey.services.invitations import (
    LETTER_LANGUAGES,
    MAX_CODES,
    MAX_LETTERS,
    MAX_VALID_DAYS,
    AccessError,
    create_unit_link,
    issue_invitations,
    issue_receipts,
)
from survey.services.permissions import may_run_waves
from survey.settings import Settings
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._access_api import ACCESS_API_ROUTES, file_response, hand_out, poster_file
from survey.web.manage._common import settings_of
from survey.web.notices import Notice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["ACCESS_ROUTES", "access_url"]

#: the limits of the form's numbers, and the message of each when it is not a whole number
_NUMBERS = {
    "count": (MAX_CODES, N_("the number of codes must be a whole number from 1 to %(most)s")),
    "valid_days": (
        MAX_VALID_DAYS,
        N_("the days a code stays valid must be a whole number from 1 to %(most)s"),
    ),
}


def access_url(key: str) -> str:
    """The wave's access page (the wave's own page links here)."""
    return f"/buero/runden/{quote(key, safe='')}/zugang"


@dataclass(frozen=True)
class FormProblem:
    """A refused form: which form, which field ("" for the wave itself), and the problem."""

    form: str
    field: str
    text: str


def _zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # a system without the time zone database: UTC
        return dt.UTC


def _formats(lang: str) -> dict[str, Callable[[Any], str]]:
    """How the page writes a moment, a day and a number in its language."""
    locale = "de_DE" if lang == "de" else "en_GB"
    pattern = "d. MMMM y, HH:mm" if lang == "de" else "d MMMM y, HH:mm"
    return {
        "moment": lambda value: format_datetime(value, pattern, tzinfo=_zone(), locale=locale),
        "day": lambda value: format_date(value, "long", locale=locale),
        "number": lambda value: format_decimal(value, locale=locale),
    }


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip()[:200] if isinstance(value, str) else ""


def _whole(text: str, field: str) -> int | None:
    """The form's number (None when left empty), or the refusal that names the field."""
    if not text:
        return None
    most, template = _NUMBERS[field]
    digits = text.replace(".", "").replace(" ", "") if len(text) <= 12 else ""
    if not digits.isascii() or not digits.isdigit():
        raise AccessError(template, field=field, most=most)
    return int(digits)


async def _page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    settings: Settings,
    key: str,
    *,
    status: int = 200,
    problem: FormProblem | None = None,
    values: Mapping[str, str] | None = None,
) -> Template:
    lang = portal_lang(request)
    _ = page_text(request)
    try:
        overview = await access_overview(settings, key, viewer.username, lang)
    except AccessError as exc:
        raise NotFoundException(say(exc.message, lang)) from None
    response = page(
        request,
        "portal/wave_access.html",
        title=_("Access for respondents"),
        status=status,
        o=overview,
        problem=problem,
        values=values or {},
        result=show(take_notice(request, viewer), lang) if problem is None else None,
        page_url=access_url(key),
        max_codes=MAX_CODES,
        max_days=MAX_VALID_DAYS,
        letter_languages=LETTER_LANGUAGES,
        **_formats(lang),
    )
    forget_notice(request, response)
    # a unit link's access code is shown on this page, this once
    for waiting in overview.waiting:
        if waiting.kind == "access_code":
            await forget_file(waiting.token, viewer.username, f"{key}: access code of a unit link shown")
    return response


async def _refused(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    settings: Settings,
    key: str,
    form: str,
    exc: AccessError,
    values: Mapping[str, str],
) -> Template:
    """The page again, with what was typed and the problem next to its field (400), or above the
    forms where the wave takes no such codes (409); a wave that does not exist is a 404."""
    lang = portal_lang(request)
    if exc.missing and not exc.field:
        raise NotFoundException(say(exc.message, lang))
    number = _formats(lang)["number"]
    params = {k: number(v) if isinstance(v, int) else v for k, v in exc.message.params.items()}
    problem = FormProblem(form, exc.field, say(Message(exc.message.template, params), lang))
    return await _page(
        request, viewer, settings, key, status=400 if exc.field else 409, problem=problem, values=values
    )


@get("/buero/runden/{key:str}/zugang", name="office-wave-access", include_in_schema=False)
async def access_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Template:
    await require(viewer, may_run_waves, f"access {key}")
    return await _page(request, viewer, settings_of(state), key)


@post("/buero/runden/{key:str}/zugang/einladungen", name="office-invitations", include_in_schema=False)
async def invitations_form(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"invitations {key}")
    form = await request.form()
    values = {name: _text(form, name) for name in ("unit", "count", "language")}
    settings = settings_of(state)
    try:
        count = _whole(values["count"], "count")
        issued = await issue_invitations(
            settings,
            key,
            values["unit"],
            count,
            by=viewer.username,
            keep=("letters", "invitations_csv"),
            language=values["language"] or "de",
        )
    except AccessError as exc:
        return await _refused(request, viewer, settings, key, "invitations", exc, values)
    done = N_(
        "%(count)s invitation codes for %(unit)s are issued: download the letters and the table below, "
        "each once, within a day"
    )
    if "letters" not in issued.files:
        done = N_(
            "%(count)s invitation codes for %(unit)s are issued: download the table below, once, within a "
            "day, and print the letters by mail merge (letters as PDF are made for up to %(most)s codes)"
        )
    number = _formats(portal_lang(request))["number"]
    params = {"count": len(issued.codes), "unit": issued.unit_name, "most": number(MAX_LETTERS)}
    notice = Notice(True, Message(done, params))
    return redirect_with(request, viewer, access_url(key), notice)


@post("/buero/runden/{key:str}/zugang/einheitslink", name="office-unit-link", include_in_schema=False)
async def unit_link_form(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"unit link {key}")
    values = {"unit": _text(await request.form(), "unit")}
    settings = settings_of(state)
    try:
        link = await create_unit_link(settings, key, values["unit"], by=viewer.username, keep=True)
    except AccessError as exc:
        return await _refused(request, viewer, settings, key, "unit_link", exc, values)
    done = N_("The unit link for %(unit)s is made: its access code is shown below, this once")
    return redirect_with(
        request, viewer, access_url(key), Notice(True, Message(done, {"unit": link.unit_name}))
    )


@post("/buero/runden/{key:str}/zugang/belege", name="office-receipts", include_in_schema=False)
async def receipts_form(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"receipts {key}")
    form = await request.form()
    values = {name: _text(form, name) for name in ("service_point", "count", "valid_days")}
    settings = settings_of(state)
    try:
        count = _whole(values["count"], "count")
        days = _whole(values["valid_days"], "valid_days")
        issued = await issue_receipts(
            settings, values["service_point"], count, days, by=viewer.username, wave_key=key, keep=True
        )
    except AccessError as exc:
        return await _refused(request, viewer, settings, key, "receipts", exc, values)
    done = N_(
        "%(count)s receipt codes for %(point)s are issued, valid until %(day)s: download the table below, "
        "once, within a day"
    )
    params = {
        "count": len(issued.codes),
        "point": issued.service_point_name,
        "day": issued.valid_until.isoformat(),
    }
    return redirect_with(request, viewer, access_url(key), Notice(True, Message(done, params)))


@get("/buero/runden/{key:str}/zugang/datei/{token:str}", name="office-access-file", include_in_schema=False)
async def download_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    state: State,
    key: FromPath[str],
    token: FromPath[str],
) -> Response[bytes]:
    """A file of codes issued on this page: once, for the person who issued it."""
    await require(viewer, may_run_waves, f"access file {key}")
    lang = portal_lang(request)
    file = await hand_out(viewer, settings_of(state), token, lambda m: say(m, lang), wave_key=key)
    return file_response(file)


async def _poster(
    request: Request[Any, Any, Any], viewer: Viewer, state: State, key: str, fmt: str
) -> Response[bytes]:
    await require(viewer, may_run_waves, f"poster {key}")
    lang = portal_lang(request)
    asked = request.query_params.get("sprache")
    language = asked if asked in LETTER_LANGUAGES else lang
    kiosk = request.query_params.get("kiosk") == "1"
    return file_response(
        await poster_file(viewer, settings_of(state), key, fmt, kiosk, language, lambda m: say(m, lang))
    )


@get("/buero/servicestellen/{key:str}/plakat.pdf", name="office-poster-pdf", include_in_schema=False)
async def poster_pdf_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Response[bytes]:
    """The service point's A4 poster (`?kiosk=1`: the kiosk form's link; `?sprache=en`)."""
    return await _poster(request, viewer, state, key, "pdf")


@get("/buero/servicestellen/{key:str}/plakat.png", name="office-poster-png", include_in_schema=False)
async def poster_png_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Response[bytes]:
    """The service point's QR code as PNG (`?kiosk=1`: the kiosk form's link)."""
    return await _poster(request, viewer, state, key, "png")


ACCESS_ROUTES = [
    access_page,
    invitations_form,
    unit_link_form,
    receipts_form,
    download_page,
    poster_pdf_page,
    poster_png_page,
    *ACCESS_API_ROUTES,
]
