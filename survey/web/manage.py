"""The survey office's waves, the Personalrat's approvals, exports, the audit log and the users.

Each page has a JSON twin under /api/v1 with the same access rules (tagged in the OpenAPI
document). Every export and every view of the audit log is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import State
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
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from survey.errors import SurveyError
from survey.services.accounts import ROLES, list_users
from survey.services.approvals import (
    ApprovalError,
    ApprovalRecord,
    ApprovalStatus,
    approval_status,
    approve_version,
    approve_wave,
    wave_approval_problems,
)
from survey.services.audit import audit_log, record
from survey.services.exports import AGGREGATE_FORMATS, MEDIA_TYPES, RAW_FORMATS, ExportError, ExportFile
from survey.services.exports import aggregate_export as build_aggregate_export
from survey.services.exports import raw_export as build_raw_export
from survey.services.org import organisation_listing
from survey.services.waves import close_wave, list_waves, open_wave
from survey.settings import Settings
from survey.web.api import Refusal, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, forbidden
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang

__all__ = ["MANAGE_ROUTES"]

QUESTIONNAIRES = ("staff-pulse", "citizen-contact")


def _settings(state: State) -> Settings:
    return state["settings"]


class WaveOut(msgspec.Struct, frozen=True):
    key: str
    title: str
    questionnaire: str
    version: int
    audience: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    k: int
    k_text: int
    units: int
    responses: int
    #: why a staff wave may not open yet (Personalrat approvals, changed files); empty: it may
    approval_problems: list[str]


class AuditOut(msgspec.Struct, frozen=True):
    at: dt.datetime
    username: str
    action: str
    target: str
    detail: str


class GrantOut(msgspec.Struct, frozen=True):
    role: str
    unit: str | None


class UserOut(msgspec.Struct, frozen=True):
    username: str
    display_name: str
    active: bool
    locked: bool
    roles: list[GrantOut]


class ActionResult(msgspec.Struct, frozen=True):
    ok: bool
    message: str

    @property
    def http_status(self) -> int:
        """200 done, 409 refused (the message says why)."""
        return 200 if self.ok else 409


#: the OpenAPI responses of an action on a wave or an approval: done, or refused and why
_ACTION = {
    409: ResponseSpec(ActionResult, generate_examples=False, description="Refused: `message` says why"),
    **refusals(401, 403, 404),
}


# --- access ---------------------------------------------------------------------------------


async def _require(viewer: Viewer, roles: tuple[str, ...] | str, what: str, path: str = "/") -> None:
    if not viewer.principal.may(roles, path):
        raise await forbidden(viewer, what)


async def _require_personalrat(viewer: Viewer, what: str) -> None:
    # co-determination is the Personalrat's own right: an admin does not approve in its place
    if "personalrat" not in viewer.principal.roles:
        raise await forbidden(viewer, what)


async def _unit_path(key: str) -> str:
    _kommune, units, _points = await organisation_listing()
    for unit in units:
        if unit.key == key:
            return unit.path
    raise NotFoundException(f"there is no unit `{key}`")


# --- waves (survey office) ------------------------------------------------------------------


async def _waves(settings: Settings) -> list[WaveOut]:
    out = []
    for listing in await list_waves():
        w = listing.wave
        problems = (
            await wave_approval_problems(w.key, settings.questionnaires)
            if w.audience == "staff" and w.status == "draft"
            else []
        )
        out.append(
            WaveOut(
                w.key,
                w.title,
                w.questionnaire,
                w.version,
                w.audience,
                w.opens_on,
                w.closes_on,
                w.status,
                w.k,
                w.k_text,
                listing.units,
                listing.responses,
                problems,
            )
        )
    return out


async def _change_wave(viewer: Viewer, settings: Settings, key: str, action: str) -> ActionResult:
    await _require(viewer, "office", f"wave {action} {key}")
    try:
        if action == "open":
            wave = await open_wave(key, dt.date.today(), settings.questionnaires, by=viewer.username)
        else:
            wave = await close_wave(key)
    except SurveyError as exc:
        if not isinstance(exc, ApprovalError):  # open_wave logs those itself
            await record(viewer.username, f"wave.{action}_refused", key, str(exc))
        return ActionResult(False, str(exc))
    await record(viewer.username, f"wave.{action}", key)
    return ActionResult(True, f"{wave.key}: {wave.status}")


@get("/buero/runden", name="office-waves", include_in_schema=False)
async def waves_page(request: Request[Any, Any, Any], viewer: CurrentViewer, state: State) -> Template:
    await _require(viewer, "office", "waves")
    _ = page_text(request)
    return page(
        request, "portal/waves.html", title=_("Waves"), waves=await _waves(_settings(state)), result=None
    )


@post("/buero/runden/{key:str}/{action:str}", name="office-wave-action", include_in_schema=False)
async def wave_action_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
    action: FromPath[str],
) -> Template:
    if action not in ("open", "close"):
        raise NotFoundException("unknown action")
    result = await _change_wave(viewer, _settings(state), key, action)
    _ = page_text(request)
    return page(
        request,
        "portal/waves.html",
        title=_("Waves"),
        status=result.http_status,
        waves=await _waves(_settings(state)),
        result=result,
    )


@get(
    "/api/v1/waves",
    name="api-waves",
    tags=["office"],
    summary="Waves with their approval state",
    responses=refusals(401, 403),
)
async def waves_api(viewer: CurrentViewer, state: State) -> list[WaveOut]:
    await _require(viewer, "office", "waves")
    return await _waves(_settings(state))


@post(
    "/api/v1/waves/{key:str}/open",
    name="api-wave-open",
    tags=["office"],
    summary="Open a wave (staff waves need the Personalrat's approvals)",
    status_code=200,
    responses=_ACTION,
)
async def wave_open_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: FromPath[str]
) -> Response[ActionResult]:
    result = await _change_wave(viewer, _settings(state), key, "open")
    return Response(result, status_code=result.http_status)


@post(
    "/api/v1/waves/{key:str}/close",
    name="api-wave-close",
    tags=["office"],
    summary="Close a wave",
    status_code=200,
    responses=_ACTION,
)
async def wave_close_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: FromPath[str]
) -> Response[ActionResult]:
    result = await _change_wave(viewer, _settings(state), key, "close")
    return Response(result, status_code=result.http_status)


# --- approvals (Personalrat) ----------------------------------------------------------------


async def _approve(
    viewer: Viewer, settings: Settings, kind: str, subject: str, version: int | None
) -> ActionResult:
    await _require_personalrat(viewer, f"approve {kind} {subject}")
    try:
        approval: ApprovalRecord
        if kind == "version":
            assert version is not None
            approval = await approve_version(
                subject, version, by=viewer.principal, questionnaires=settings.questionnaires
            )
        else:
            approval = await approve_wave(subject, by=viewer.principal)
    except SurveyError as exc:
        return ActionResult(False, str(exc))
    return ActionResult(True, f"{approval.subject}: approved ({approval.content_hash[:12]}…)")


@get("/personalrat/freigaben", name="approvals", include_in_schema=False)
async def approvals_page(request: Request[Any, Any, Any], viewer: CurrentViewer, state: State) -> Template:
    await _require_personalrat(viewer, "approvals")
    _ = page_text(request)
    status = await approval_status(_settings(state).questionnaires)
    return page(request, "portal/approvals.html", title=_("Approvals"), status_=status, result=None)


@post(
    "/personalrat/freigaben/version/{questionnaire:str}/{version:int}",
    name="approve-version",
    include_in_schema=False,
)
async def approve_version_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    result = await _approve(viewer, _settings(state), "version", questionnaire, version)
    return await _approvals_result(request, state, result)


@post("/personalrat/freigaben/runde/{key:str}", name="approve-wave", include_in_schema=False)
async def approve_wave_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template:
    result = await _approve(viewer, _settings(state), "wave", key, None)
    return await _approvals_result(request, state, result)


async def _approvals_result(request: Request[Any, Any, Any], state: State, result: ActionResult) -> Template:
    _ = page_text(request)
    status = await approval_status(_settings(state).questionnaires)
    return page(
        request,
        "portal/approvals.html",
        title=_("Approvals"),
        status=result.http_status,
        status_=status,
        result=result,
    )


@get(
    "/api/v1/approvals",
    name="api-approvals",
    tags=["personalrat"],
    summary="What the Personalrat approved",
    responses=refusals(401, 403),
)
async def approvals_api(viewer: CurrentViewer, state: State) -> ApprovalStatus:
    await _require_personalrat(viewer, "approvals")
    return await approval_status(_settings(state).questionnaires)


@post(
    "/api/v1/approvals/versions/{questionnaire:str}/{version:int}",
    name="api-approve-version",
    tags=["personalrat"],
    summary="Approve a staff questionnaire version (its content hash is recorded)",
    status_code=200,
    responses=_ACTION,
)
async def approve_version_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Response[ActionResult]:
    result = await _approve(viewer, _settings(state), "version", questionnaire, version)
    return Response(result, status_code=result.http_status)


@post(
    "/api/v1/approvals/waves/{key:str}",
    name="api-approve-wave",
    tags=["personalrat"],
    summary="Approve a staff wave's thresholds, version and units",
    status_code=200,
    responses=_ACTION,
)
async def approve_wave_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: FromPath[str]
) -> Response[ActionResult]:
    result = await _approve(viewer, _settings(state), "wave", key, None)
    return Response(result, status_code=result.http_status)


# --- exports --------------------------------------------------------------------------------


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


#: the refusals of an export: 400 names the parameter that cannot be met
_EXPORT_REFUSALS = {
    400: ResponseSpec(
        Refusal, generate_examples=False, description="The format, wave or questionnaire cannot be exported"
    ),
    **refusals(401, 403, 404),
}


def _export_problem(exc: ExportError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(exc))


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
    if not viewer.principal.may("analyst", path):
        raise await forbidden(viewer, what)
    try:
        export = await build_raw_export(
            fmt=fmt, waves=waves, questionnaire=questionnaire, unit=unit, lang=lang
        )
    except ExportError as exc:
        raise _export_problem(exc) from None
    await record(viewer.username, "export.raw", what, f"{export.filename}, {len(export.content)} bytes")
    return _file(export)


async def _aggregate_export(
    viewer: Viewer, fmt: str, unit: str, questionnaire: str, lang: str
) -> Response[bytes]:
    path = await _unit_path(unit)
    what = f"aggregate export {fmt} {questionnaire} unit={unit}"
    roles: tuple[str, ...] = ("lead", "office", "analyst") + (
        ("personalrat",) if questionnaire == "staff-pulse" else ()
    )
    if not viewer.principal.may(roles, path):
        raise await forbidden(viewer, what)
    try:
        export = await build_aggregate_export(fmt=fmt, unit=unit, questionnaire=questionnaire, lang=lang)
    except ExportError as exc:
        raise _export_problem(exc) from None
    await record(viewer.username, "export.aggregate", what, export.filename)
    return _file(export)


@get("/exporte", name="exports", include_in_schema=False)
async def exports_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    p = viewer.principal
    if not p.holds(("analyst", "lead", "office", "personalrat")):
        raise await forbidden(viewer, "exports")
    _kommune, units, _points = await organisation_listing()
    _ = page_text(request)
    visible = [u for u in units if p.may(("lead", "office", "personalrat", "analyst"), u.path)]
    waves = [w.wave for w in await list_waves()]
    return page(
        request,
        "portal/exports.html",
        title=_("Exports"),
        units=visible,
        waves=waves if p.holds("analyst") else [],
        raw_allowed=p.holds("analyst"),
        raw_formats=RAW_FORMATS,
        aggregate_formats=AGGREGATE_FORMATS,
        questionnaires=QUESTIONNAIRES if p.holds(("lead", "office", "analyst")) else ("staff-pulse",),
    )


@get("/exporte/rohdaten", name="export-raw-page", include_in_schema=False)
async def raw_export_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    format: FromQuery[str] = "csv",
    runde: FromQuery[list[str] | None] = None,
    einheit: FromQuery[str | None] = None,
) -> Response[bytes]:
    return await _raw_export(
        viewer, format, [w for w in runde or [] if w] or None, None, einheit or None, portal_lang(request)
    )


@get("/exporte/kennzahlen", name="export-aggregate-page", include_in_schema=False)
async def aggregate_export_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    einheit: FromQuery[str],
    format: FromQuery[str] = "csv",
    fragebogen: FromQuery[str] = "staff-pulse",
) -> Response[bytes]:
    return await _aggregate_export(viewer, format, einheit, fragebogen, portal_lang(request))


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
    format: FromQuery[str] = "csv",
    wave: FromQuery[list[str] | None] = None,
    questionnaire: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
    lang: FromQuery[str] = "de",
) -> Response[bytes]:
    return await _raw_export(viewer, format, wave or None, questionnaire, unit, lang)


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
    unit: FromPath[str],
    format: FromQuery[str] = "csv",
    questionnaire: FromQuery[str] = "staff-pulse",
    lang: FromQuery[str] = "de",
) -> Response[bytes]:
    return await _aggregate_export(viewer, format, unit, questionnaire, lang)


# --- audit log and users --------------------------------------------------------------------


async def _audit(viewer: Viewer, action: str | None) -> list[AuditOut]:
    await _require(viewer, "personalrat", "audit log")
    entries = await audit_log(limit=500, action=action or None)
    await record(viewer.username, "audit.view", action or "")
    return [AuditOut(e.at, e.username, e.action, e.target, e.detail) for e in entries]


@get("/protokoll", name="audit", include_in_schema=False)
async def audit_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, aktion: FromQuery[str | None] = None
) -> Template:
    entries = await _audit(viewer, aktion)
    _ = page_text(request)
    return page(request, "portal/audit.html", title=_("Audit log"), entries=entries, action=aktion or "")


@get(
    "/api/v1/audit",
    name="api-audit",
    tags=["personalrat"],
    summary="The audit log, newest first (500 entries)",
    responses=refusals(401, 403),
)
async def audit_api(viewer: CurrentViewer, action: FromQuery[str | None] = None) -> list[AuditOut]:
    return await _audit(viewer, action)


async def _users(viewer: Viewer) -> list[UserOut]:
    await _require(viewer, "admin", "users")
    return [
        UserOut(u.username, u.display_name, u.active, u.locked, [GrantOut(g.role, g.unit) for g in u.grants])
        for u in await list_users()
    ]


@get("/verwaltung/benutzer", name="users", include_in_schema=False)
async def users_page(request: Request[Any, Any, Any], viewer: CurrentViewer) -> Template:
    users = await _users(viewer)
    _ = page_text(request)
    return page(request, "portal/users.html", title=_("Users"), users=users, roles=ROLES)


@get(
    "/api/v1/users",
    name="api-users",
    tags=["admin"],
    summary="Users and their roles (admin)",
    responses=refusals(401, 403),
)
async def users_api(viewer: CurrentViewer) -> list[UserOut]:
    return await _users(viewer)


MANAGE_ROUTES = [
    waves_page,
    wave_action_page,
    waves_api,
    wave_open_api,
    wave_close_api,
    approvals_page,
    approve_version_page,
    approve_wave_page,
    approvals_api,
    approve_version_api,
    approve_wave_api,
    exports_page,
    raw_export_page,
    aggregate_export_page,
    raw_export_api,
    aggregate_export_api,
    audit_page,
    audit_api,
    users_page,
    users_api,
]
