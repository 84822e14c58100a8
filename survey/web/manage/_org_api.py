"""The JSON twins of the organisation pages (survey office): the tree, an organisation file
checked and previewed, its apply, a unit's headcount; and what pages and API share."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from survey.domain.org_diff import (
    HeadcountChange,
    KindChange,
    PointChange,
    UnitAdded,
    UnitMoved,
    UnitRenamed,
    UnitRetired,
)
from survey.domain.yamlfile import MAX_FILE_BYTES
from survey.errors import N_, Code, Message, OrgError, OrgFileError
from survey.services.org import (
    MAX_HEADCOUNT,
    OrganisationChanged,
    OrgPreview,
    applied_message,
    apply_org_upload,
    change_headcount,
    may_manage_organisation,
    organisation_tree,
    upload_org_file,
)
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result
from survey.web.notices import Notice
from survey.web.security import BodyText, PathText

__all__ = [
    "ORG_API_ROUTES",
    "UPLOAD_BODY_BYTES",
    "OrganisationOut",
    "apply_notice",
    "headcount_notice",
    "organisation_out",
]

#: an organisation file may be as large as the checks take, and a form or JSON around it
UPLOAD_BODY_BYTES = 2 * MAX_FILE_BYTES

# --- the JSON API's schemas ------------------------------------------------------------------------


class UnitOut(msgspec.Struct, frozen=True):
    key: str
    name: str
    kind: str
    parent: str | None
    depth: int
    #: staff of the unit itself
    headcount: int
    #: staff of the unit and every unit below it
    subtree_headcount: int


class ServicePointOut(msgspec.Struct, frozen=True):
    key: str
    name: str
    unit: str


class OrganisationOut(msgspec.Struct, frozen=True):
    kommune: str | None
    #: the organisation's stamp as it is now (changes with every apply and headcount change)
    organisation_stamp: str
    #: the active units, parents before children
    units: list[UnitOut]
    service_points: list[ServicePointOut]


class OrgFileIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An organisation file: the text of the YAML file `survey org import` reads."""

    text: BodyText
    filename: BodyText = "organisation.yaml"


class RunningWaveOut(msgspec.Struct, frozen=True):
    unit: str
    wave: str
    status: str


class OrgPreviewOut(msgspec.Struct, frozen=True):
    """What applying the uploaded file would change; nothing has changed yet. Apply it with
    POST /api/v1/organisation, naming `upload`, `content_hash` and `organisation_stamp`."""

    upload: str
    content_hash: str
    organisation_stamp: str
    kommune_before: str | None
    kommune_after: str
    #: how many changes of each kind
    counts: dict[str, int]
    added: list[UnitAdded]
    moved: list[UnitMoved]
    renamed: list[UnitRenamed]
    kind_changed: list[KindChange]
    retired: list[UnitRetired]
    headcount_changed: list[HeadcountChange]
    service_points_added: list[PointChange]
    service_points_changed: list[PointChange]
    service_points_retired: list[PointChange]
    #: units the file retires that a draft or open wave covers
    running_waves: list[RunningWaveOut]
    staff_before: int
    staff_after: int


class FileProblemOut(msgspec.Struct, frozen=True):
    line: int | None
    #: the place inside the file, such as `units[3].parent`
    field: str
    message: str


class OrgFileRefusal(ActionResult, frozen=True):
    """An organisation file refused: every problem with its line and field, and what to fix."""

    problems: list[FileProblemOut] = msgspec.field(default_factory=list)


class OrgApplyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The confirmation of a preview (POST /api/v1/organisation/preview): its three names."""

    upload: BodyText
    content_hash: BodyText
    organisation_stamp: BodyText


class HeadcountIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: the staff of the unit itself (not of its sub-units)
    headcount: Annotated[int, msgspec.Meta(ge=0, le=MAX_HEADCOUNT)]


async def _office_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The API's actions with a body: only the survey office (or an admin), checked before the body
    is read, so that anyone else learns nothing from it but 403 (and no session at all: 401)."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_manage_organisation, f"{connection.scope['method']} {connection.url.path}")


#: the refusals of an action with a JSON body
_BODY_REFUSALS = refusals(401, 403, 413, 415)


# --- what pages and API share --------------------------------------------------------------------


async def organisation_out(viewer: Viewer) -> OrganisationOut:
    await require(viewer, may_manage_organisation, "organisation")
    tree = await organisation_tree()
    return OrganisationOut(
        tree.kommune,
        tree.stamp,
        [
            UnitOut(u.key, u.name, u.kind, u.parent, u.depth, u.headcount, u.subtree_headcount)
            for u in tree.units
        ],
        [ServicePointOut(p.key, p.name, p.unit) for p in tree.service_points],
    )


def _preview_out(preview: OrgPreview) -> OrgPreviewOut:
    d = preview.diff
    return OrgPreviewOut(
        preview.token,
        preview.content_hash,
        preview.stamp,
        d.kommune_before,
        d.kommune_after,
        d.counts(),
        d.added,
        d.moved,
        d.renamed,
        d.kinds,
        d.retired,
        d.headcounts,
        d.points_added,
        d.points_changed,
        d.points_retired,
        [RunningWaveOut(*r) for r in preview.running],
        d.staff_before,
        d.staff_after,
    )


def _file_refusal(exc: OrgFileError, filename: str) -> OrgFileRefusal:
    count = len(exc.problems)
    message = Message(
        N_("the file %(file)s has problems (%(count)s); nothing has changed"),
        {"file": Code(filename), "count": count},
    )
    return OrgFileRefusal(
        False,
        message.text(code=True),
        [str(p) for p in exc.problems],
        [FileProblemOut(p.line, p.path, p.message) for p in exc.problems],
    )


async def apply_notice(viewer: Viewer, token: str, content_hash: str, stamp: str) -> tuple[Notice, bool]:
    """The result of applying an upload, and whether its preview is worth another look (the
    organisation changed meanwhile, the upload is still there)."""
    await require(viewer, may_manage_organisation, "organisation apply")
    try:
        preview = await apply_org_upload(token, content_hash, stamp, by=viewer.username)
    except OrgError as exc:
        return Notice(False, exc.message), isinstance(exc, OrganisationChanged)
    return Notice(True, applied_message(preview)), False


async def headcount_notice(viewer: Viewer, key: str, headcount: int) -> Notice:
    await require(viewer, may_manage_organisation, f"organisation headcount {key}")
    try:
        change = await change_headcount(key, headcount, by=viewer.username)
    except OrgError as exc:
        return Notice(False, exc.message)
    return Notice(
        True,
        Message(
            N_("the headcount of %(unit)s is now %(new)s (before: %(old)s)"),
            {"unit": change.name, "new": change.new, "old": change.old},
        ),
    )


# --- the JSON API ----------------------------------------------------------------------------------


@get(
    "/api/v1/organisation",
    name="api-organisation",
    tags=["office"],
    summary="The organisation: its units with their headcounts, and its service points",
    responses=refusals(401, 403),
)
async def organisation_api(viewer: CurrentViewer) -> OrganisationOut:
    return await organisation_out(viewer)


@post(
    "/api/v1/organisation/preview",
    name="api-organisation-preview",
    tags=["office"],
    summary="Check an organisation file and say what applying it would change (changes nothing)",
    status_code=200,
    request_max_body_size=UPLOAD_BODY_BYTES,
    guards=[_office_only],
    responses={
        200: ResponseSpec(
            OrgPreviewOut, generate_examples=False, description="What applying the file would change"
        ),
        409: ResponseSpec(
            OrgFileRefusal,
            generate_examples=False,
            description="The file has problems: `problems` names each",
        ),
        **_BODY_REFUSALS,
    },
)
async def organisation_preview_api(
    viewer: CurrentViewer, csrf: CsrfChecked, data: Annotated[OrgFileIn, STRICT_JSON_BODY]
) -> Response[OrgPreviewOut] | Response[OrgFileRefusal]:
    await require(viewer, may_manage_organisation, "organisation upload")
    try:
        preview = await upload_org_file(data.text.encode("utf-8"), data.filename, by=viewer.username)
    except OrgFileError as exc:
        return Response(_file_refusal(exc, data.filename), status_code=409)
    except OrgError as exc:
        return Response(OrgFileRefusal(False, exc.message.text(code=True)), status_code=409)
    return Response(_preview_out(preview), status_code=200)


@post(
    "/api/v1/organisation",
    name="api-organisation-apply",
    tags=["office"],
    summary="Apply an organisation file after its preview, if the organisation has not changed since",
    status_code=200,
    guards=[_office_only],
    responses={**ACTION_RESPONSES, **_BODY_REFUSALS},
)
async def organisation_apply_api(
    viewer: CurrentViewer, csrf: CsrfChecked, data: Annotated[OrgApplyIn, STRICT_JSON_BODY]
) -> Response[ActionResult]:
    notice, _ = await apply_notice(viewer, data.upload, data.content_hash, data.organisation_stamp)
    return api_result(notice)


@post(
    "/api/v1/organisation/units/{key:str}/headcount",
    name="api-organisation-headcount",
    tags=["office"],
    summary="Set a unit's own headcount (the staff of the unit itself, for the coming waves)",
    status_code=200,
    guards=[_office_only],
    responses={**ACTION_RESPONSES, **_BODY_REFUSALS},
)
async def headcount_api(
    viewer: CurrentViewer, csrf: CsrfChecked, key: PathText, data: Annotated[HeadcountIn, STRICT_JSON_BODY]
) -> Response[ActionResult]:
    return api_result(await headcount_notice(viewer, key, data.headcount))


ORG_API_ROUTES = [organisation_api, organisation_preview_api, organisation_apply_api, headcount_api]
