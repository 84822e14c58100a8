"""The Personalrat's approvals of staff questionnaire versions and staff waves: the list, approving,
and (survey.web.manage._approval_review) the page of each version and wave, with rejecting; each with
its JSON twin. Every form answers 303 to the list, which shows the result once."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Message, SurveyError
from survey.services.approvals import (
    ApprovalRecord,
    ApprovalStatus,
    approval_status,
    approve_version,
    approve_wave,
)
from survey.services.permissions import may_approve
from survey.settings import Settings
from survey.web.api import refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._approval_review import APPROVALS_PAGE, REVIEW_ROUTES, day_formatter
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result, settings_of
from survey.web.notices import Notice, forget_notice, redirect_with, show, take_notice
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang
from survey.web.security import PathText

__all__ = ["APPROVAL_ROUTES"]


async def _approve(
    viewer: Viewer, settings: Settings, kind: str, subject: str, version: int | None
) -> Notice:
    await require(viewer, may_approve, f"approve {kind} {subject}")
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
        return Notice(False, exc.message)
    return Notice(
        True,
        Message(
            N_("%(subject)s is approved (content hash %(hash)s…)"),
            {"subject": approval.subject, "hash": approval.content_hash[:12]},
        ),
    )


@get(APPROVALS_PAGE, name="approvals", include_in_schema=False)
async def approvals_page(request: Request[Any, Any, Any], viewer: CurrentViewer, state: State) -> Template:
    await require(viewer, may_approve, "approvals")
    _ = page_text(request)
    status = await approval_status(settings_of(state).questionnaires)
    response = page(
        request,
        "portal/approvals.html",
        title=_("Approvals"),
        status_=status,
        day=day_formatter(portal_lang(request)),
        result=show(take_notice(request, viewer), portal_lang(request)),
    )
    forget_notice(request, response)
    return response


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
) -> Redirect:
    notice = await _approve(viewer, settings_of(state), "version", questionnaire, version)
    return redirect_with(request, viewer, APPROVALS_PAGE, notice)


@post("/personalrat/freigaben/runde/{key:str}", name="approve-wave", include_in_schema=False)
async def approve_wave_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Redirect:
    notice = await _approve(viewer, settings_of(state), "wave", key, None)
    return redirect_with(request, viewer, APPROVALS_PAGE, notice)


@get(
    "/api/v1/approvals",
    name="api-approvals",
    tags=["personalrat"],
    summary="What the Personalrat approved",
    responses=refusals(401, 403),
)
async def approvals_api(viewer: CurrentViewer, state: State) -> ApprovalStatus:
    await require(viewer, may_approve, "approvals")
    return await approval_status(settings_of(state).questionnaires)


@post(
    "/api/v1/approvals/versions/{questionnaire:str}/{version:int}",
    name="api-approve-version",
    tags=["personalrat"],
    summary="Approve a staff questionnaire version (its content hash is recorded)",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def approve_version_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    questionnaire: PathText,
    version: FromPath[int],
) -> Response[ActionResult]:
    return api_result(await _approve(viewer, settings_of(state), "version", questionnaire, version))


@post(
    "/api/v1/approvals/waves/{key:str}",
    name="api-approve-wave",
    tags=["personalrat"],
    summary="Approve a staff wave's thresholds, version and units",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def approve_wave_api(
    viewer: CurrentViewer, csrf: CsrfChecked, state: State, key: PathText
) -> Response[ActionResult]:
    return api_result(await _approve(viewer, settings_of(state), "wave", key, None))


APPROVAL_ROUTES = [
    approvals_page,
    approve_version_page,
    approve_wave_page,
    approvals_api,
    approve_version_api,
    approve_wave_api,
    *REVIEW_ROUTES,
]
