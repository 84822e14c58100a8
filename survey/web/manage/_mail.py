"""A staff wave's e-mail invitations in the browser (survey office): `/buero/runden/KEY/einladungen`.

The page says whether the Kommune's mail server is set up (in words: the settings are the IT's,
docs/settings.md), when the reminders go out and to whom, and how many mails went out per unit —
never who got one, who stopped them or who answered. In mode *nur offene Codes* the reminders
are counted for the whole wave only, and said as "unter k" while the wave has fewer than k
responses (survey.services.mailing.mail_overview decides; this page only says it).

Its form takes an address list, uploaded as a CSV file or pasted: checked whole, so that a list
with any wrong line is refused with every such line named (status 400, what was pasted kept) and
nothing is taken; a list taken answers 303 to the page, which says once how many addresses were
added per unit. A file is read as UTF-8 (with or without BOM), else as Windows-1252 (Excel's
"CSV" in German Windows); anything else, a spreadsheet file say, is "not a CSV file". Every list,
taken or refused, is in the audit log. The JSON twins: `_mail_api`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.domain.figures import HiddenFigure
from survey.domain.mailing import AddressListError
from survey.errors import N_, Message, SurveyError
from survey.report.format import day, integer
from survey.services.audit import record
from survey.services.mailing import ListTaken, MailOverview, mail_overview
from survey.services.permissions import may_run_waves
from survey.services.waves import WaveDetail, title_in
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._common import settings_of
from survey.web.manage._mail_api import MAIL_API_ROUTES, MAX_LIST_BYTES, office_only, take_list, wave_for_mail
from survey.web.manage._participation import hidden_count
from survey.web.notices import Notice, ShownNotice, forget_notice, redirect_with, say, show, take_notice
from survey.web.portal import page, portal_lang, translator

__all__ = ["MAIL_ROUTES", "mail_page_of"]

#: the form's body: the file or the pasted list, and a little around it
UPLOAD_BODY_BYTES = MAX_LIST_BYTES + 64 * 1024


def mail_page_of(key: str) -> str:
    return f"/buero/runden/{key}/einladungen"


def _number(lang: str) -> Callable[[int], str]:
    return lambda n: integer(n, lang)


def _open_codes_words(overview: MailOverview, lang: str) -> str | None:
    """Mode nur offene Codes: "unter 5" while the wave's reminders are not shown; None otherwise."""
    figure = overview.reminders_open_codes
    if isinstance(figure, HiddenFigure):
        return hidden_count(figure, overview.wave.k, translator(lang))
    return None


async def _detail(key: str, lang: str) -> tuple[WaveDetail, Message | None]:
    try:
        return await wave_for_mail(key)
    except SurveyError as exc:  # no such wave, or one that asks citizens
        raise NotFoundException(say(exc.message, lang)) from None


async def _mail_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    state: State,
    key: str,
    *,
    status: int = 200,
    problem: ShownNotice | None = None,
    typed: str = "",
    unit: str = "",
) -> Template:
    """The page; with a refused list (`problem`, status 400) what was pasted and the unit chosen
    stay in the form."""
    lang = portal_lang(request)
    _ = translator(lang)
    detail, refusal = await _detail(key, lang)
    overview = await mail_overview(settings_of(state), detail.wave)
    response = page(
        request,
        "portal/wave_mail.html",
        title=_("E-mail invitations"),
        status=status,
        wave=detail.wave,
        wave_title=title_in(detail.wave, detail.titles, lang),
        overview=overview,
        open_codes_hidden=_open_codes_words(overview, lang),
        refusal=say(refusal, lang) if refusal else None,
        result=show(take_notice(request, viewer), lang) if status == 200 else None,
        problem=problem,
        typed=typed,
        unit=unit,
        most_mb=MAX_LIST_BYTES // (1024 * 1024),
        number=_number(lang),
        day=lambda value: day(value, lang),
    )
    forget_notice(request, response)
    return response


@get("/buero/runden/{key:str}/einladungen", name="office-wave-mail", include_in_schema=False)
async def mail_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Template:
    await require(viewer, may_run_waves, f"wave mail {key}")
    return await _mail_page(request, viewer, state, key)


def _too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """413 of an upload: back to the page, which says how large a list may be."""
    viewer = request.state.get("viewer")
    if viewer is None or exc.status_code != 413:
        return Response({"status_code": exc.status_code, "detail": exc.detail}, status_code=exc.status_code)
    mb = MAX_LIST_BYTES // (1024 * 1024)
    notice = Notice(
        False, Message(N_("the file is larger than %(mb)s MB: check it is the right file"), {"mb": mb})
    )
    key = request.path_params.get("key", "")
    return redirect_with(request, viewer, f"{mail_page_of(key)}#add", notice)


def _decoded(raw: bytes) -> str:
    """A file's text: UTF-8 (a BOM dropped), else Windows-1252. Bytes neither can read stay
    marked (U+FFFD), so that a spreadsheet or other binary file is told apart by the list's check."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


async def _list_of(sent: object, typed: str) -> str | Message:
    """The list the form sends: the file's text, or the pasted text; a Message where neither or
    both are given."""
    raw = b""
    if isinstance(sent, UploadFile):
        raw = await sent.read()
    if raw and typed.strip():
        return Message(N_("choose a file or paste the addresses, not both: nothing was taken"))
    if raw:
        return _decoded(raw)
    if typed.strip():
        return typed
    return Message(N_("choose a CSV file or paste the addresses: the list is empty"))


def _taken(taken: ListTaken, names: dict[str, str], relay: bool, lang: str) -> Notice:
    """What the page says once a list is taken: how many new addresses, per unit, and how many
    were on the list already."""
    added = sum(taken.added.values())
    known = integer(taken.known, lang)
    if added:
        per_unit = ", ".join(
            f"{names.get(unit, unit)} {integer(n, lang)}" for unit, n in sorted(taken.added.items())
        )
        message = Message(
            N_("addresses added to the list: %(count)s (per unit: %(units)s); already on it: %(known)s"),
            {"count": integer(added, lang), "units": per_unit, "known": known},
        )
    else:
        message = Message(
            N_("no new addresses: every address of the list was on it already (%(known)s)"), {"known": known}
        )
    if not relay:
        detail = N_("No e-mails go out until the Kommune's IT has set up the mail server.")
        message = Message(message.template, message.params, details=(Message(detail),))
    return Notice(True, message)


@post(
    "/buero/runden/{key:str}/einladungen",
    name="office-wave-mail-list",
    include_in_schema=False,
    request_max_body_size=UPLOAD_BODY_BYTES,
    exception_handlers={413: _too_large},
    guards=[office_only],
)
async def take_list_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    await require(viewer, may_run_waves, f"wave mail list {key}")
    lang = portal_lang(request)
    await _detail(key, lang)  # 404 before anything is read into the log
    form = await request.form()
    typed = form.get("addresses")
    typed = typed if isinstance(typed, str) else ""
    unit = form.get("unit")
    unit = unit if isinstance(unit, str) else ""
    text = await _list_of(form.get("file"), typed)
    try:
        if isinstance(text, Message):
            await record(viewer.username, "mail.list_refused", key, "1 problem(s)")
            raise AddressListError(text)
        taken = await take_list(viewer, settings_of(state), key, text, unit)
    except AddressListError as exc:
        problem = show(Notice(False, exc.message), lang)
        return await _mail_page(
            request, viewer, state, key, status=400, problem=problem, typed=typed, unit=unit
        )
    overview = await mail_overview(settings_of(state), taken.wave)
    names = {u.key: u.name for u in overview.units}
    return redirect_with(request, viewer, mail_page_of(key), _taken(taken, names, overview.enabled, lang))


MAIL_ROUTES = [mail_page, take_list_page, *MAIL_API_ROUTES]
