"""Exports: raw answers of closed waves (analysts) and the suppressed figures of a unit, as pages
and their JSON twins; every export is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.exceptions import HTTPException, NotFoundException
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
from litestar.response import Template

from survey.services.audit import record
from survey.services.exports import (
    AGGREGATE_FORMATS,
    MEDIA_TYPES,
    RAW_FORMATS,
    ExportError,
    ExportFile,
    NothingToExport,
    WaveNotClosed,
)
from survey.services.exports import aggregate_export as build_aggregate_export
from survey.services.exports import raw_export as build_raw_export
from survey.services.org import organisation_listing
from survey.services.permissions import (
    exportable_units,
    may_export_aggregate,
    may_export_any_questionnaire,
    may_export_raw,
    may_open_exports,
)
from survey.services.waves import list_waves
from survey.web.api import Refusal, choice_of, refusals
from survey.web.auth import CurrentViewer, Viewer, forbidden
from survey.web.notices import say
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang
from survey.web.security import OptionalQueryText, PathText, QueryText, QueryTexts

__all__ = ["EXPORT_ROUTES"]

QUESTIONNAIRES = ("staff-pulse", "citizen-contact")


async def _unit_path(key: str) -> str:
    _kommune, units, _points = await organisation_listing()
    for unit in units:
        if unit.key == key:
            return unit.path
    raise NotFoundException(f"there is no unit `{key}`")


def _file(export: ExportFile) -> Response[bytes]:
    # litestar adds the charset of a text/* type itself; named twice, strict clients refuse it
    return Response(
        export.content,
        media_type=export.media_type.split(";")[0],
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Cache-Control": "no-store, max-age=0",
        },
    )


def _file_operation(formats: tuple[str, ...]) -> type[Operation]:
    """The OpenAPI operation of an export: the file comes in the media type of the format asked for.

    (The route itself keeps JSON as its media type: litestar answers its refusals in it.)
    """

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            done = (self.responses or {}).get("200")
            if isinstance(done, OpenAPIResponse):
                file = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                done.content = {MEDIA_TYPES[f].split(";")[0]: OpenAPIMediaType(schema=file) for f in formats}

    return FileOperation


#: the refusals of an export: 400 names the parameter that cannot be met, 409 the wave still running
_EXPORT_REFUSALS = {
    400: ResponseSpec(
        Refusal,
        generate_examples=False,
        description="The format cannot be exported, or a wave belongs to another questionnaire",
    ),
    409: ResponseSpec(
        Refusal,
        generate_examples=False,
        description="A wave asked for is not closed: raw answers are exported of closed waves only",
    ),
    404: ResponseSpec(
        Refusal,
        generate_examples=False,
        description="No such unit, wave or questionnaire, or no responses there: nothing to export",
    ),
    **refusals(401, 403),
}


def _export_status(exc: ExportError) -> int:
    """409: the wave is still running; 404: no such wave, questionnaire or unit, or no responses
    (nothing to export); 400: the request itself (a format, a wave of another questionnaire)."""
    if isinstance(exc, WaveNotClosed):
        return 409
    return 404 if isinstance(exc, NothingToExport) else 400


def _export_problem(exc: ExportError) -> HTTPException:
    """The API's refusal: in English, without a command-line hint."""
    return HTTPException(status_code=_export_status(exc), detail=exc.message.text(code=True))


async def _raw_export(
    viewer: Viewer,
    fmt: str,
    waves: list[str] | None,
    questionnaire: str | None,
    unit: str | None,
    lang: str,
) -> Response[bytes]:
    path = await _unit_path(unit) if unit else "/"
    what = f"raw export {fmt} waves={','.join(waves or []) or 'all'} unit={unit or 'all'}"
    # raw answers are for the analysts (and admins) whose grant covers the whole scope asked for
    if not may_export_raw(viewer.principal, path):
        raise await forbidden(viewer, what)
    try:
        export = await build_raw_export(
            fmt=fmt, waves=waves, questionnaire=questionnaire, unit=unit, lang=lang
        )
    except WaveNotClosed as exc:
        # an attempt at the answers of a running wave is worth the Personalrat's attention
        await record(viewer.username, "export.raw_refused", what, exc.message.text())
        raise
    await record(viewer.username, "export.raw", what, f"{export.filename}, {len(export.content)} bytes")
    return _file(export)


async def _aggregate_export(
    viewer: Viewer, fmt: str, unit: str, questionnaire: str, lang: str
) -> Response[bytes]:
    path = await _unit_path(unit)
    what = f"aggregate export {fmt} {questionnaire} unit={unit}"
    if not may_export_aggregate(viewer.principal, path, questionnaire):
        raise await forbidden(viewer, what)
    export = await build_aggregate_export(fmt=fmt, unit=unit, questionnaire=questionnaire, lang=lang)
    await record(viewer.username, "export.aggregate", what, export.filename)
    return _file(export)


async def _exports(
    request: Request[Any, Any, Any], viewer: Viewer, problem: ExportError | None = None
) -> Template:
    """The exports page; with `problem`, the export that was refused and why, in the page's language."""
    p = viewer.principal
    if not may_open_exports(p):
        raise await forbidden(viewer, "exports")
    _kommune, units, _points = await organisation_listing()
    _ = page_text(request)
    visible = exportable_units(p, units)
    # raw answers of closed waves only: a running wave shows nothing but its participation
    closed = [w.wave for w in await list_waves() if w.wave.status == "closed"]
    return page(
        request,
        "portal/exports.html",
        title=_("Exports"),
        status=_export_status(problem) if problem else 200,
        problem=say(problem.message, portal_lang(request)) if problem else None,
        units=visible,
        waves=closed if may_export_raw(p) else [],
        raw_allowed=may_export_raw(p),
        raw_formats=RAW_FORMATS,
        aggregate_formats=AGGREGATE_FORMATS,
        questionnaires=QUESTIONNAIRES if may_export_any_questionnaire(p) else ("staff-pulse",),
    )


@get("/exporte", name="exports", include_in_schema=False)
async def exports_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    return await _exports(request, viewer)


@get("/exporte/rohdaten", name="export-raw-page", include_in_schema=False)
async def raw_export_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    format: FromQuery[str] = "csv",
    runde: FromQuery[list[str] | None] = None,
    einheit: FromQuery[str | None] = None,
) -> Response[Any]:
    """The file, or the exports page saying why there is none (a wave still running: 409)."""
    try:
        return await _raw_export(
            viewer, format, [w for w in runde or [] if w] or None, None, einheit or None, portal_lang(request)
        )
    except ExportError as exc:
        return await _exports(request, viewer, exc)


@get("/exporte/kennzahlen", name="export-aggregate-page", include_in_schema=False)
async def aggregate_export_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    einheit: FromQuery[str],
    format: FromQuery[str] = "csv",
    fragebogen: FromQuery[str] = "staff-pulse",
) -> Response[Any]:
    try:
        return await _aggregate_export(viewer, format, einheit, fragebogen, portal_lang(request))
    except ExportError as exc:
        return await _exports(request, viewer, exc)


@get(
    "/api/v1/exports/raw",
    name="api-export-raw",
    tags=["exports"],
    summary="Raw anonymous answers (analyst, admin): CSV, Excel or SPSS with labels; audited",
    operation_class=_file_operation(RAW_FORMATS),
    responses=_EXPORT_REFUSALS,
)
async def raw_export_api(
    viewer: CurrentViewer,
    format: Annotated[str, choice_of(RAW_FORMATS)] = "csv",
    wave: QueryTexts = None,
    questionnaire: OptionalQueryText = None,
    unit: OptionalQueryText = None,
    lang: QueryText = "de",
) -> Response[bytes]:
    try:
        # an empty value (a form's "all" choice) asks for no filter
        return await _raw_export(viewer, format, wave or None, questionnaire or None, unit or None, lang)
    except ExportError as exc:
        raise _export_problem(exc) from None


@get(
    "/api/v1/exports/aggregate/{unit:str}",
    name="api-export-aggregate",
    tags=["exports"],
    summary="Suppressed figures of a unit and its sub-units (CSV or Excel); audited",
    operation_class=_file_operation(AGGREGATE_FORMATS),
    responses=_EXPORT_REFUSALS,
)
async def aggregate_export_api(
    viewer: CurrentViewer,
    unit: PathText,
    format: Annotated[str, choice_of(AGGREGATE_FORMATS)] = "csv",
    questionnaire: QueryText = "staff-pulse",
    lang: QueryText = "de",
) -> Response[bytes]:
    try:
        return await _aggregate_export(viewer, format, unit, questionnaire, lang)
    except ExportError as exc:
        raise _export_problem(exc) from None


EXPORT_ROUTES = [exports_page, raw_export_page, aggregate_export_page, raw_export_api, aggregate_export_api]
