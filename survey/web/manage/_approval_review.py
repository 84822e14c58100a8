"""The Personalrat's page of one staff questionnaire version and of one staff wave, where it sees
everything it decides on and approves or rejects with a reason; with their JSON twins.

A rejection without a reason is refused next to the field, on the page shown again with what was
typed (400); every other outcome answers 303 to the approvals list, which shows it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect, Template

from survey.errors import N_, Code, Message, SurveyError
from survey.report.format import day as format_day
from survey.services.approvals import ReasonRefused, reject_version, reject_wave
from survey.services.approvals_review import VersionReview, WaveReview, review_version, review_wave
from survey.services.permissions import may_approve
from survey.settings import Settings
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, provide_viewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result, settings_of
from survey.web.notices import Notice, redirect_with, say
from survey.web.portal import gettext_for as page_text
from survey.web.portal import page, portal_lang
from survey.web.security import BodyText, PathText

__all__ = ["APPROVALS_PAGE", "REVIEW_ROUTES", "RejectionIn", "day_formatter"]

APPROVALS_PAGE = "/personalrat/freigaben"
VERSION_PAGE = "/personalrat/freigaben/version/{questionnaire:str}/{version:int}"
WAVE_PAGE = "/personalrat/freigaben/runde/{key:str}"


class RejectionIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    #: why the Personalrat rejects it, in 1 to 2,000 characters (spaces around do not count); the
    #: survey office is shown it. Without one, or with a longer one: 409 and what to do
    reason: BodyText


def day_formatter(lang: str) -> Callable[[dt.date], str]:
    """`day(value)` for the templates: `21.11.2026` / `21 Nov 2026`."""

    def day(value: dt.date) -> str:
        return format_day(value, lang)

    return day


async def _review(
    kind: str, subject: str, version: int | None, settings: Settings
) -> VersionReview | WaveReview:
    if kind == "version":
        assert version is not None
        return await review_version(subject, version, settings.questionnaires)
    return await review_wave(subject)


def _review_page(
    request: Request[Any, Any, Any],
    review: VersionReview | WaveReview,
    *,
    reason: str = "",
    reason_error: str | None = None,
) -> Template:
    lang = portal_lang(request)
    _ = page_text(request)
    if isinstance(review, VersionReview):
        template, title = "portal/approval_version.html", _("Approval of %(subject)s", subject=review.subject)
        action = f"/personalrat/freigaben/version/{review.questionnaire}/{review.version}"
    else:
        template, title = "portal/approval_wave.html", _("Approval of the wave %(wave)s", wave=review.key)
        action = f"/personalrat/freigaben/runde/{review.key}"
    return page(
        request,
        template,
        title=title,
        status=400 if reason_error else 200,
        review=review,
        action=action,
        reason=reason,
        reason_error=reason_error,
        day=day_formatter(lang),
        pick=lambda texts: texts.get(lang) or texts.get("de") or next(iter(texts.values()), ""),
    )


async def _page_or_404(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    settings: Settings,
    kind: str,
    subject: str,
    version: int | None,
) -> Template:
    await require(viewer, may_approve, f"approval page {kind} {subject}")
    try:
        review = await _review(kind, subject, version, settings)
    except SurveyError as exc:
        raise NotFoundException(say(exc.message, portal_lang(request))) from None
    return _review_page(request, review)


@get(VERSION_PAGE, name="approval-version", include_in_schema=False)
async def version_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    state: State,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template:
    return await _page_or_404(request, viewer, settings_of(state), "version", questionnaire, version)


@get(WAVE_PAGE, name="approval-wave", include_in_schema=False)
async def wave_page(
    request: Request[Any, Any, Any], viewer: CurrentViewer, state: State, key: FromPath[str]
) -> Template:
    return await _page_or_404(request, viewer, settings_of(state), "wave", key, None)


async def _reject(
    viewer: Viewer, settings: Settings, kind: str, subject: str, version: int | None, reason: str
) -> Notice:
    """Reject; ReasonRefused goes on to the caller (a page shows it next to the field)."""
    await require(viewer, may_approve, f"reject {kind} {subject}")
    try:
        if kind == "version":
            assert version is not None
            done = await reject_version(
                subject, version, by=viewer.principal, reason=reason, questionnaires=settings.questionnaires
            )
        else:
            done = await reject_wave(subject, by=viewer.principal, reason=reason)
    except ReasonRefused:
        raise
    except SurveyError as exc:
        return Notice(False, exc.message)
    return Notice(
        True,
        Message(
            N_("%(subject)s is rejected (content hash %(hash)s…): the survey office is shown your reason"),
            {"subject": Code(done.subject), "hash": done.content_hash[:12]},
        ),
    )


async def _reject_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    settings: Settings,
    kind: str,
    subject: str,
    version: int | None,
) -> Template | Redirect:
    form = await request.form()
    sent = form.get("reason")
    reason = sent if isinstance(sent, str) else ""
    try:
        notice = await _reject(viewer, settings, kind, subject, version, reason)
    except ReasonRefused as refused:
        try:
            review = await _review(kind, subject, version, settings)
        except SurveyError as exc:
            return redirect_with(request, viewer, APPROVALS_PAGE, Notice(False, exc.message))
        return _review_page(
            request, review, reason=reason, reason_error=say(refused.message, portal_lang(request))
        )
    return redirect_with(request, viewer, APPROVALS_PAGE, notice)


@post(f"{VERSION_PAGE}/ablehnen", name="reject-version", include_in_schema=False)
async def reject_version_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    questionnaire: FromPath[str],
    version: FromPath[int],
) -> Template | Redirect:
    return await _reject_page(request, viewer, settings_of(state), "version", questionnaire, version)


@post(f"{WAVE_PAGE}/ablehnen", name="reject-wave", include_in_schema=False)
async def reject_wave_page(
    request: Request[Any, Any, Any],
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: FromPath[str],
) -> Template | Redirect:
    return await _reject_page(request, viewer, settings_of(state), "wave", key, None)


# --- the JSON twins -----------------------------------------------------------------------------


async def _review_api(
    viewer: Viewer, settings: Settings, kind: str, subject: str, version: int | None
) -> Any:
    await require(viewer, may_approve, f"approval page {kind} {subject}")
    try:
        return await _review(kind, subject, version, settings)
    except SurveyError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None


@get(
    "/api/v1/approvals/versions/{questionnaire:str}/{version:int}",
    name="api-approval-version",
    tags=["personalrat"],
    summary="A staff questionnaire version as the Personalrat decides on it: items, scales, values, diff",
    responses=refusals(401, 403, 404),
)
async def version_api(
    viewer: CurrentViewer, state: State, questionnaire: PathText, version: FromPath[int]
) -> VersionReview:
    return await _review_api(viewer, settings_of(state), "version", questionnaire, version)


@get(
    "/api/v1/approvals/waves/{key:str}",
    name="api-approval-wave",
    tags=["personalrat"],
    summary="A staff wave as the Personalrat decides on it: version, period, units, thresholds",
    responses=refusals(401, 403, 404),
)
async def wave_api(viewer: CurrentViewer, state: State, key: PathText) -> WaveReview:
    return await _review_api(viewer, settings_of(state), "wave", key, None)


async def _personalrat_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Rejecting through the API: only the Personalrat, checked before the body is read, so that
    anyone else learns nothing from it but 403 (and no session at all: 401)."""
    viewer = await provide_viewer(connection)  # type: ignore[arg-type]
    await require(viewer, may_approve, f"{connection.scope['method']} {connection.url.path}")


async def _reject_api(
    viewer: Viewer, settings: Settings, kind: str, subject: str, version: int | None, reason: str
) -> Response[ActionResult]:
    try:
        notice = await _reject(viewer, settings, kind, subject, version, reason)
    except ReasonRefused as refused:
        notice = Notice(False, refused.message)
    return api_result(notice)


@post(
    "/api/v1/approvals/versions/{questionnaire:str}/{version:int}/reject",
    name="api-reject-version",
    tags=["personalrat"],
    summary="Reject a staff questionnaire version, with the reason (its content hash is recorded)",
    status_code=200,
    guards=[_personalrat_only],
    responses={**ACTION_RESPONSES, **refusals(413, 415)},
)
async def reject_version_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    questionnaire: PathText,
    version: FromPath[int],
    data: Annotated[RejectionIn, STRICT_JSON_BODY],
) -> Response[ActionResult]:
    return await _reject_api(viewer, settings_of(state), "version", questionnaire, version, data.reason)


@post(
    "/api/v1/approvals/waves/{key:str}/reject",
    name="api-reject-wave",
    tags=["personalrat"],
    summary="Reject a staff wave as it is (version, thresholds, units), with the reason",
    status_code=200,
    guards=[_personalrat_only],
    responses={**ACTION_RESPONSES, **refusals(413, 415)},
)
async def reject_wave_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    state: State,
    key: PathText,
    data: Annotated[RejectionIn, STRICT_JSON_BODY],
) -> Response[ActionResult]:
    return await _reject_api(viewer, settings_of(state), "wave", key, None, data.reason)


REVIEW_ROUTES = [
    version_page,
    wave_page,
    reject_version_page,
    reject_wave_page,
    version_api,
    wave_api,
    reject_version_api,
    reject_wave_api,
]
