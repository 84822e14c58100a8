"""E-mail invitations of a staff wave, as the office page (`_mail`) and its JSON twins share them:
which wave takes a list, taking one (every refusal in the audit log), and the API's schemas.

The JSON twins: `GET /api/v1/waves/KEY/mail` (what has been sent, counts per unit, never who) and
`POST /api/v1/waves/KEY/addresses` (`{"csv": "…", "unit": ""}`: 201 with the new addresses per
unit, or 409 with every wrong line — 409 as every refusal of the office API whose request fits
the document and whose data does not). In mode *nur offene Codes* the reminders are counted for
the whole wave only, and hidden (`HiddenFigure`) while the wave has fewer than k responses, as on
the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_201_CREATED

from survey.domain.figures import HiddenFigure
from survey.domain.mailing import AddressListError
from survey.errors import Message, SurveyError
from survey.services.audit import record
from survey.services.mailing import (
    ListTaken,
    MailOverview,
    MailTotals,
    UnitMail,
    mail_overview,
    mail_wave,
    take_address_list,
)
from survey.services.permissions import may_run_waves
from survey.services.waves import WaveDetail, wave_detail
from survey.settings import Settings
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import ActionResult, settings_of
from survey.web.security import BodyText, PathText

__all__ = [
    "API_BODY_BYTES",
    "MAIL_API_ROUTES",
    "MAX_LIST_BYTES",
    "office_only",
    "take_list",
    "wave_for_mail",
]

#: an address list (a file or pasted text) may be this large: 100,000 addresses, the most a list
#: takes (survey.domain.mailing.MAX_ADDRESSES), at about 80 characters a line
MAX_LIST_BYTES = 8 * 1024 * 1024
#: a list sent as JSON: escaped, each character may take two bytes
API_BODY_BYTES = 2 * MAX_LIST_BYTES + 64 * 1024


async def wave_for_mail(key: str) -> tuple[WaveDetail, Message | None]:
    """The staff wave `key` and why it takes no address list now (closed, its addresses deleted
    after the last reminder), None where it does; SurveyError where there is no such wave or it
    asks citizens (no e-mails there)."""
    detail = await wave_detail(key)
    try:
        await mail_wave(key)
    except AddressListError as exc:
        if detail.wave.audience != "staff":
            raise
        return detail, exc.message
    return detail, None


async def take_list(viewer: Viewer, settings: Settings, key: str, text: str, unit: str) -> ListTaken:
    """Take the list `text` for wave `key` (the service records it); a refused list is recorded
    too, with the number of its problems, and AddressListError raised again."""
    try:
        return await take_address_list(settings, key, text, by=viewer.username, default_unit=unit)
    except AddressListError as exc:
        problems = len(exc.message.details) or 1
        await record(viewer.username, "mail.list_refused", key, f"{problems} problem(s)")
        raise


async def office_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A list sent (a page's upload, the API's body): the survey office (or an admin) only, checked
    before the body is read, so that anyone else learns nothing from it but 403."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_run_waves, f"{connection.scope['method']} {connection.url.path}")


# --- the schemas ------------------------------------------------------------------------------------


class MailTotalsOut(msgspec.Struct, frozen=True):
    """Mails of one kind: not sent yet, sent, refused by the relay, stopped by the stop link, and
    uncertain (a sender stopped while sending them; they are not sent again)."""

    waiting: int
    sent: int
    refused: int
    stopped: int
    uncertain: int


class UnitMailOut(msgspec.Struct, frozen=True):
    #: empty for the whole wave
    unit: str
    name: str
    #: addresses on the list now (0 once they are deleted)
    addresses: int
    invitations: MailTotalsOut
    #: mode `all`: the unit's reminders; null in mode `open_codes` (the whole wave's only)
    reminders: MailTotalsOut | None


class MailOverviewOut(msgspec.Struct, frozen=True):
    """What the office sees of a staff wave's e-mails: counts per unit, never who."""

    wave: str
    #: whether the installation has a mail relay set up (without one no mail goes out)
    enabled: bool
    #: `all` or `open_codes`
    reminder_mode: str
    #: the day of each reminder (a Saturday or Sunday moved to the Monday)
    reminder_dates: list[dt.date]
    #: the reminders queued so far (1, 2, …)
    reminders_queued: list[int]
    units: list[UnitMailOut]
    total: UnitMailOut
    #: mode `open_codes`: the whole wave's reminders (never per unit); null in mode `all` and
    #: while they are hidden
    reminders_open_codes: MailTotalsOut | None
    #: mode `open_codes`: why the whole wave's reminders are hidden (fewer than k responses so far)
    reminders_open_codes_hidden: HiddenFigure | None
    #: the addresses were deleted (after the last reminder, or when the wave closed)
    addresses_deleted: bool
    #: why no list can be added now; empty: one can
    list_refusal: str


class AddressesIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An address list: CSV with a header row naming the columns `einheit;email;sprache` (`sprache`
    may be left out), or one address per line for the unit `unit`."""

    #: the list (the body may hold API_BODY_BYTES at most: 413 above)
    csv: BodyText
    #: the unit of a list without the column `einheit` (its key)
    unit: BodyText = ""


class AddressesOut(msgspec.Struct, frozen=True):
    wave: str
    #: new addresses per unit key; each gets its own invitation code and one invitation
    added: dict[str, int]
    added_total: int
    #: addresses that were on the list already (left as they were: no second code, no second mail)
    known: int


class LineProblemOut(msgspec.Struct, frozen=True):
    #: the line of the list (1 is the first); null for the list as a whole
    line: int | None
    message: str


class AddressListRefusal(ActionResult, frozen=True):
    """A list refused whole (nothing taken): every wrong line and what to do."""

    problems: list[LineProblemOut] = msgspec.field(default_factory=list)


def _totals_out(t: MailTotals) -> MailTotalsOut:
    return MailTotalsOut(t.waiting, t.sent, t.refused, t.stopped, t.uncertain)


def _unit_out(u: UnitMail) -> UnitMailOut:
    reminders = _totals_out(u.reminders) if u.reminders is not None else None
    return UnitMailOut(u.key, u.name, u.addresses, _totals_out(u.invitations), reminders)


def overview_out(overview: MailOverview, refusal: Message | None) -> MailOverviewOut:
    open_codes = overview.reminders_open_codes
    return MailOverviewOut(
        wave=overview.wave.key,
        enabled=overview.enabled,
        reminder_mode=overview.wave.reminder_mode,
        reminder_dates=overview.reminder_dates,
        reminders_queued=overview.reminders_queued,
        units=[_unit_out(u) for u in overview.units],
        total=_unit_out(overview.total),
        reminders_open_codes=_totals_out(open_codes) if isinstance(open_codes, MailTotals) else None,
        reminders_open_codes_hidden=open_codes if isinstance(open_codes, HiddenFigure) else None,
        addresses_deleted=overview.addresses_deleted,
        list_refusal=refusal.text(code=True) if refusal else "",
    )


def _refused(message: Message) -> Response[AddressListRefusal]:
    """409: nothing taken; each wrong line, or the reason the wave takes no list, as a problem."""
    problems = [LineProblemOut(_line_of(d), d.text(code=True)) for d in message.details]
    text = message.text(code=True)
    body = AddressListRefusal(
        False, text, [p.message for p in problems], problems or [LineProblemOut(None, text)]
    )
    return Response(body, status_code=409)


def _line_of(message: Message) -> int | None:
    line = message.params.get("line")
    return line if isinstance(line, int) else None


# --- the JSON twins ---------------------------------------------------------------------------------


@get(
    "/api/v1/waves/{key:str}/mail",
    name="api-wave-mail",
    tags=["office"],
    summary="A staff wave's e-mail invitations and reminders: counts per unit, never who",
    responses=refusals(401, 403, 404),
)
async def mail_api(viewer: CurrentViewer, state: State, key: PathText) -> MailOverviewOut:
    await require(viewer, may_run_waves, f"wave mail {key}")
    try:
        detail, refusal = await wave_for_mail(key)
    except SurveyError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return overview_out(await mail_overview(settings_of(state), detail.wave), refusal)


@post(
    "/api/v1/waves/{key:str}/addresses",
    name="api-wave-addresses",
    tags=["office"],
    summary="Add e-mail addresses to a staff wave's list (checked whole: every wrong line named)",
    status_code=HTTP_201_CREATED,
    request_max_body_size=API_BODY_BYTES,
    guards=[office_only],
    responses={
        201: ResponseSpec(AddressesOut, generate_examples=False, description="The addresses taken"),
        409: ResponseSpec(
            AddressListRefusal,
            generate_examples=False,
            description="Nothing taken: `problems` names every wrong line, or why the wave takes no list",
        ),
        **refusals(401, 403, 404, 413, 415),
    },
)
async def addresses_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[AddressesIn, STRICT_JSON_BODY],
) -> Response[AddressesOut] | Response[AddressListRefusal]:
    await require(viewer, may_run_waves, f"wave addresses {key}")
    try:
        taken = await take_list(viewer, settings_of(state), key, data.csv, data.unit)
    except AddressListError as exc:  # a wrong list, or a wave that takes none (recorded)
        return _refused(exc.message)
    except SurveyError as exc:  # no such wave
        raise NotFoundException(exc.message.text(code=True)) from None
    added = dict(sorted(taken.added.items()))
    body = AddressesOut(taken.wave.key, added, sum(added.values()), taken.known)
    return Response(body, status_code=HTTP_201_CREATED)


MAIL_API_ROUTES = [mail_api, addresses_api]
