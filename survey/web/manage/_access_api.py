"""The JSON twins of the access page (survey office), and the files both hand out.

POST /api/v1/waves/KEY/invitations answers with the codes themselves, the only time they are
shown, and a link to the letters (PDF), which can be fetched once within a day; a unit link comes
with its access code, receipt codes with the codes. Posters are plain downloads: they hold nothing
secret. A refusal is an `AccessRefusal` (409) that names the field, in English and without a
command; a wave or service point that does not exist is a 404. The actions with a body check the
role before the body is read (`_office_only`): anyone else learns nothing from it but 403.

The files are made here for the page as well: the CSVs (`;`-separated, UTF-8 with a byte order
mark, so that a German Excel opens them as they are), letters and posters as PDF (WeasyPrint, in
a thread: it takes seconds), QR codes as PNG.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromQuery

from survey.errors import Message
from survey.report.printing import html_to_pdf, invitation_letters_html, poster_html, qr_png
from survey.services.access_files import GONE, KeptCodes, forget_file, kept_codes
from survey.services.audit import record
from survey.services.invitations import (
    MAX_CODES,
    MAX_VALID_DAYS,
    AccessError,
    codes_csv,
    create_unit_link,
    issue_invitations,
    issue_receipts,
    poster_target,
)
from survey.services.permissions import may_run_waves
from survey.settings import Settings
from survey.web.api import STRICT_JSON_BODY, Refusal, choice_of, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import settings_of
from survey.web.security import BodyText, PathText

__all__ = [
    "ACCESS_API_ROUTES",
    "AccessRefusal",
    "DownloadFile",
    "download_url",
    "file_response",
    "hand_out",
    "poster_file",
]

#: where the API's one-time files are fetched (GET, with the session that issued them)
DOWNLOADS = "/api/v1/downloads"
MEDIA = {"pdf": "application/pdf", "png": "image/png", "csv": "text/csv"}
Say = Callable[[Message], str]


@dataclass(frozen=True)
class DownloadFile:
    content: bytes
    media_type: str
    filename: str


def download_url(token: str) -> str:
    return f"{DOWNLOADS}/{token}"


def file_response(file: DownloadFile) -> Response[bytes]:
    # litestar adds the charset of a text/* type itself; named twice, strict clients refuse it
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store, max-age=0",
        },
    )


async def _made(kept: KeptCodes) -> DownloadFile:
    if kept.kind == "letters":
        html = invitation_letters_html(
            kommune=kept.kommune,
            wave_title=kept.wave_title,
            unit_name=kept.name,
            closes_on=kept.closes_on or dt.date.today(),
            entry_url=kept.entry_url,
            codes=kept.codes,
            language=kept.language,
        )
        pdf = await asyncio.to_thread(html_to_pdf, html)
        return DownloadFile(pdf, MEDIA["pdf"], f"{kept.wave_key}-{kept.key}-letters.pdf")
    table = codes_csv(kept.rows, excel=True).encode("utf-8")
    if kept.kind == "receipts_csv":
        return DownloadFile(table, MEDIA["csv"], f"{kept.key}-receipt-codes.csv")
    return DownloadFile(table, MEDIA["csv"], f"{kept.wave_key}-{kept.key}-codes.csv")


async def hand_out(
    viewer: Viewer, settings: Settings, token: str, say: Say, wave_key: str | None = None
) -> DownloadFile:
    """The viewer's file `token`, made and then deleted: handed out once. From a wave's page
    (`wave_key`) only that wave's files; an access code is shown on the page, never downloaded."""
    try:
        kept = await kept_codes(settings, token, viewer.username)
    except AccessError:
        raise NotFoundException(say(GONE)) from None
    if kept.kind == "access_code" or (wave_key is not None and kept.wave_key != wave_key):
        raise NotFoundException(say(GONE))
    file = await _made(kept)
    what = f"{kept.wave_key or kept.key}: {kept.kind} {kept.key}, {len(kept.codes)} codes"
    if not await forget_file(token, viewer.username, what):
        raise NotFoundException(say(GONE))  # another request took it while this one made it
    return file


async def poster_file(
    viewer: Viewer, settings: Settings, key: str, fmt: str, kiosk: bool, language: str, say: Say
) -> DownloadFile:
    """A service point's poster (PDF, A4) or its QR code (PNG), for the counter or the kiosk."""
    try:
        kommune, name, url = await poster_target(settings, key, kiosk)
    except AccessError as exc:
        raise NotFoundException(say(exc.message)) from None
    variant = "kiosk-" if kiosk else ""
    if fmt == "png":
        file = DownloadFile(qr_png(url), MEDIA["png"], f"{key}-{variant}qr.png")
    else:
        html = poster_html(kommune=kommune, service_point_name=name, url=url, language=language)
        pdf = await asyncio.to_thread(html_to_pdf, html)
        file = DownloadFile(pdf, MEDIA["pdf"], f"{key}-{variant}poster-{language}.pdf")
    await record(viewer.username, "access.download", key, f"poster {variant}{fmt} {language}")
    return file


# --- the API ---------------------------------------------------------------------------------------


async def _office_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Only the survey office (or an admin), checked before a body or parameter is read, so that
    anyone else learns nothing but 403 (and without a session: 401)."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_run_waves, f"{connection.scope['method']} {connection.url.path}")


class AccessRefusal(msgspec.Struct, frozen=True):
    """Why nothing was issued (English, values marked as code, never a command)."""

    ok: bool
    message: str
    #: the field of the request the refusal is about; null: the wave itself takes no codes
    field: str | None = None


_ACTION_RESPONSES = {
    409: ResponseSpec(
        AccessRefusal,
        generate_examples=False,
        description="Refused: a unit not of the wave, a number out of range, a citizen wave asked for "
        "invitation codes (or a staff wave for receipt codes), a closed wave",
    ),
    **refusals(401, 403, 404),
}


def _refusal(exc: AccessError) -> Response[Any]:
    if exc.missing:  # the wave or service point of the address
        raise NotFoundException(exc.message.text(code=True))
    return Response(AccessRefusal(False, exc.message.text(code=True), exc.field or None), status_code=409)


class InvitationsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: the key of one of the wave's units
    unit: BodyText
    #: how many codes; the unit's headcount when left out
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_CODES)] | None = None
    #: the language of the letters
    language: Literal["de", "en"] = "de"


class InvitationsOut(msgspec.Struct, frozen=True):
    wave: str
    unit: str
    count: int
    #: the codes in plain text: this answer is the only time they are shown
    codes: list[str]
    #: where a code is typed in; each code's own link is entry_url/CODE
    entry_url: str
    #: the letters as PDF: GET it once, with this session, within a day (none beyond 1,000 codes)
    letters: str | None


@post(
    "/api/v1/waves/{key:str}/invitations",
    name="api-invitations",
    tags=["office"],
    summary="Issue invitation codes for a unit of a staff wave (the codes are in this answer only)",
    status_code=200,
    guards=[_office_only],
    responses=_ACTION_RESPONSES,
)
async def invitations_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[InvitationsIn, STRICT_JSON_BODY],
) -> Response[InvitationsOut]:
    try:
        issued = await issue_invitations(
            settings_of(state),
            key,
            data.unit,
            data.count,
            by=viewer.username,
            keep=("letters",),
            language=data.language,
        )
    except AccessError as exc:
        return _refusal(exc)
    out = InvitationsOut(
        key,
        issued.unit_key,
        len(issued.codes),
        issued.codes,
        issued.entry_url,
        download_url(issued.files["letters"]) if "letters" in issued.files else None,
    )
    return Response(out, headers={"Cache-Control": "no-store"})


class UnitLinkIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: the key of one of the wave's units
    unit: BodyText


class UnitLinkOut(msgspec.Struct, frozen=True):
    wave: str
    unit: str
    url: str
    #: the shared access code: this answer is the only time it is shown
    access_code: str


@post(
    "/api/v1/waves/{key:str}/unit-links",
    name="api-unit-links",
    tags=["office"],
    summary="Create a unit link with its access code (the code is in this answer only)",
    status_code=200,
    guards=[_office_only],
    responses=_ACTION_RESPONSES,
)
async def unit_link_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[UnitLinkIn, STRICT_JSON_BODY],
) -> Response[UnitLinkOut]:
    try:
        link = await create_unit_link(settings_of(state), key, data.unit, by=viewer.username)
    except AccessError as exc:
        return _refusal(exc)
    return Response(
        UnitLinkOut(key, data.unit, link.url, link.access_code), headers={"Cache-Control": "no-store"}
    )


class ReceiptsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_CODES)]
    #: each code works once, until this many days from today
    valid_days: Annotated[int, msgspec.Meta(ge=1, le=MAX_VALID_DAYS)] = 90


class ReceiptsOut(msgspec.Struct, frozen=True):
    service_point: str
    #: the service point's link; a receipt's own link is url?beleg=CODE
    url: str
    valid_until: dt.date
    #: the codes in plain text: this answer is the only time they are shown
    codes: list[str]


@post(
    "/api/v1/service-points/{key:str}/receipts",
    name="api-receipts",
    tags=["office"],
    summary="Issue one-time receipt codes for a service point (the codes are in this answer only)",
    status_code=200,
    guards=[_office_only],
    responses=_ACTION_RESPONSES,
)
async def receipts_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[ReceiptsIn, STRICT_JSON_BODY],
) -> Response[ReceiptsOut]:
    settings = settings_of(state)
    try:
        issued = await issue_receipts(settings, key, data.count, data.valid_days, by=viewer.username)
    except AccessError as exc:
        return _refusal(exc)
    url = f"{settings.base_url}/s/{issued.service_point_key}"
    out = ReceiptsOut(issued.service_point_key, url, issued.valid_until, issued.codes)
    return Response(out, headers={"Cache-Control": "no-store"})


def _file_operation(media_types: tuple[str, ...]) -> type[Operation]:
    """The OpenAPI operation of a download: the file comes in one of `media_types` (the route
    itself keeps JSON as its media type: litestar answers its refusals in it)."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            done = (self.responses or {}).get("200")
            if isinstance(done, OpenAPIResponse):
                file = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                done.content = {media: OpenAPIMediaType(schema=file) for media in media_types}

    return FileOperation


def _english(message: Message) -> str:
    return message.text(code=True)


@get(
    "/api/v1/service-points/{key:str}/poster",
    name="api-poster",
    tags=["office"],
    summary="A service point's poster (PDF, A4) or QR code (PNG), for the counter or the kiosk",
    guards=[_office_only],
    operation_class=_file_operation((MEDIA["pdf"], MEDIA["png"])),
    responses={
        400: ResponseSpec(Refusal, generate_examples=False, description="No such format or language"),
        **refusals(401, 403, 404),
    },
)
async def poster_api(
    viewer: CurrentViewer,
    state: State,
    key: PathText,
    format: Annotated[str, choice_of(("pdf", "png"))] = "pdf",
    kiosk: FromQuery[bool] = False,
    language: Annotated[str, choice_of(("de", "en"))] = "de",
) -> Response[bytes]:
    """`kiosk`: the link of the kiosk form (a tablet at the counter) instead of the phone form."""
    if format not in ("pdf", "png") or language not in ("de", "en"):
        raise HTTPException(
            status_code=400,
            detail=f"no poster as {format!r} in {language!r}: format pdf or png, language de or en",
        )
    return file_response(
        await poster_file(viewer, settings_of(state), key, format, kiosk, language, _english)
    )


@get(
    "/api/v1/downloads/{token:str}",
    name="api-download",
    tags=["office"],
    summary="A file of codes issued through the API (the letters), once, with the session that issued it",
    guards=[_office_only],
    operation_class=_file_operation((MEDIA["pdf"], MEDIA["csv"])),
    responses=refusals(401, 403, 404),
)
async def download_api(viewer: CurrentViewer, state: State, token: PathText) -> Response[bytes]:
    return file_response(await hand_out(viewer, settings_of(state), token, _english))


ACCESS_API_ROUTES = [invitations_api, unit_link_api, receipts_api, poster_api, download_api]
