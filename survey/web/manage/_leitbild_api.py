"""The JSON twins of the Leitbild pages (survey office): a Leitbild's text (YAML) with what the
checks find, a new Leitbild under a new key, a text saved over the revision it was read at,
publishing and discarding; the same access rule as the pages."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec

from survey.errors import N_, Code, Message, SurveyError
from survey.services.drafts import DraftError, may_edit_questionnaires
from survey.services.leitbild_drafts import (
    discard_leitbild,
    leitbild_yaml,
    open_leitbild_draft,
    publish_leitbild,
    save_leitbild,
    start_leitbild,
)
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result
from survey.web.manage._questionnaire_schemas import (
    BODY_RESPONSES,
    LeitbildNewIn,
    RevisionIn,
    TextIn,
    TextOut,
    draft_out,
    refused,
)
from survey.web.manage._questionnaire_shared import office_only
from survey.web.notices import Notice
from survey.web.security import PathText

__all__ = ["LEITBILD_API_ROUTES"]

#: a Leitbild's text is small; the limit is that of a questionnaire's
_TEXT_BYTES = 6 * 1024 * 1024

# --- Leitbilder -----------------------------------------------------------------------------


@get(
    "/api/v1/leitbilder/{key:str}",
    name="api-leitbild",
    tags=["office"],
    summary="A Leitbild's text (YAML): a draft with its revision and problems, or a published one",
    responses=refusals(401, 403, 404),
)
async def leitbild_api(viewer: CurrentViewer, key: PathText) -> Response[TextOut] | Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"leitbild {key}")
    try:
        return Response(draft_out(await open_leitbild_draft(key), key, 0))
    except DraftError:
        pass
    try:
        text, state_name = await leitbild_yaml(key)
    except DraftError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return Response(TextOut(key, 0, state_name, text, None, []))


@post(
    "/api/v1/leitbilder",
    name="api-leitbild-new",
    tags=["office"],
    summary="Start a new Leitbild under a new key, a copy of a published one",
    status_code=200,
    guards=[office_only],
    responses={
        **BODY_RESPONSES,
        200: ResponseSpec(TextOut, generate_examples=False, description="The new draft"),
    },
)
async def new_leitbild_api(
    viewer: CurrentViewer, csrf: CsrfChecked, data: Annotated[LeitbildNewIn, STRICT_JSON_BODY]
) -> Response[TextOut] | Response[ActionResult]:
    try:
        draft = await start_leitbild(data.source, data.key, viewer.username)
        state = await open_leitbild_draft(draft.key)
    except SurveyError as exc:
        return refused(exc)
    return Response(draft_out(state, draft.key, 0))


@post(
    "/api/v1/leitbilder/{key:str}/text",
    name="api-leitbild-save",
    tags=["office"],
    summary="Save a Leitbild draft's text (YAML) over the revision it was read at",
    status_code=200,
    request_max_body_size=_TEXT_BYTES,
    guards=[office_only],
    responses={
        **BODY_RESPONSES,
        200: ResponseSpec(TextOut, generate_examples=False, description="Saved, with the check"),
    },
)
async def save_leitbild_api(
    viewer: CurrentViewer, csrf: CsrfChecked, key: PathText, data: Annotated[TextIn, STRICT_JSON_BODY]
) -> Response[TextOut] | Response[ActionResult]:
    try:
        state = await save_leitbild(key, data.text, data.revision, viewer.username)
    except SurveyError as exc:
        return refused(exc)
    return Response(draft_out(state, key, 0))


@get(
    "/api/v1/leitbilder/{key:str}/yaml",
    name="api-leitbild-yaml",
    tags=["office"],
    summary="A Leitbild as a file (YAML)",
    media_type="text/plain",
    responses=refusals(401, 403, 404),
)
async def leitbild_yaml_api(viewer: CurrentViewer, key: PathText) -> Response[str]:
    await require(viewer, may_edit_questionnaires, f"leitbild download {key}")
    try:
        text, _state = await leitbild_yaml(key)
    except DraftError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return Response(text, media_type="text/plain; charset=utf-8")


@post(
    "/api/v1/leitbilder/{key:str}/publish",
    name="api-leitbild-publish",
    tags=["office"],
    summary="Publish a Leitbild draft (frozen under its key)",
    status_code=200,
    guards=[office_only],
    responses=BODY_RESPONSES,
)
async def publish_leitbild_api(
    viewer: CurrentViewer, csrf: CsrfChecked, key: PathText, data: Annotated[RevisionIn, STRICT_JSON_BODY]
) -> Response[ActionResult]:
    try:
        await publish_leitbild(key, data.revision, viewer.username)
    except SurveyError as exc:
        return refused(exc)
    message = Message(
        N_("the Leitbild %(key)s is published; a new questionnaire can measure its values"),
        {"key": Code(key)},
    )
    return api_result(Notice(True, message))


@post(
    "/api/v1/leitbilder/{key:str}/discard",
    name="api-leitbild-discard",
    tags=["office"],
    summary="Discard a Leitbild draft",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def discard_leitbild_api(
    viewer: CurrentViewer, csrf: CsrfChecked, key: PathText
) -> Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"leitbild discard {key}")
    try:
        await discard_leitbild(key, viewer.username)
    except SurveyError as exc:
        return refused(exc)
    return api_result(
        Notice(True, Message(N_("the draft of the Leitbild %(key)s is discarded"), {"key": Code(key)}))
    )


LEITBILD_API_ROUTES = [
    leitbild_api,
    new_leitbild_api,
    save_leitbild_api,
    leitbild_yaml_api,
    publish_leitbild_api,
    discard_leitbild_api,
]
