"""The JSON twins of the questionnaire and Leitbild pages (survey office), with the same access
rule (survey.services.drafts.may_edit_questionnaires): the list, a version's or Leitbild's text
(YAML, the exchange format) with what the checks find, a new version, a text saved over the
revision it was read at, an upload, the review before publishing, publishing and discarding.

Refusals answer 409 with what is wrong (English, values marked as code, never a command); the
problems of a text come each with its line, its path inside the text and what to do.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from survey.errors import N_, Code, Message, QuestionnaireFileError, SurveyError
from survey.services.draft_import import import_text
from survey.services.draft_review import review_draft
from survey.services.drafts import (
    DraftError,
    discard_version,
    may_edit_questionnaires,
    open_version_draft,
    publish_version,
    questionnaire_listings,
    save_version,
    start_version,
    version_yaml,
)
from survey.services.leitbild_drafts import (
    leitbild_lines,
)
from survey.web.api import STRICT_JSON_BODY, refusals
from survey.web.auth import CsrfChecked, CurrentViewer, Viewer, require
from survey.web.manage._common import ACTION_RESPONSES, ActionResult, api_result
from survey.web.manage._leitbild_api import LEITBILD_API_ROUTES
from survey.web.manage._questionnaire_schemas import (
    BODY_RESPONSES,
    CatalogOut,
    ChangeOut,
    ImportIn,
    ImportOut,
    LeitbildOut,
    QuestionnaireOut,
    ReviewOut,
    RevisionIn,
    TextIn,
    TextOut,
    ValueOut,
    VersionOut,
    draft_out,
    problems_out,
    refused,
    when,
)
from survey.web.manage._questionnaire_shared import office_only
from survey.web.manage._questionnaires import UPLOAD_BODY_BYTES
from survey.web.notices import Notice
from survey.web.security import PathText

__all__ = ["QUESTIONNAIRE_API_ROUTES"]


# --- the list, one text -------------------------------------------------------------------------


@get(
    "/api/v1/questionnaires",
    name="api-questionnaires",
    tags=["office"],
    summary="Questionnaires with their versions (drafts, published, in use) and the Leitbilder",
    responses=refusals(401, 403),
)
async def questionnaires_api(viewer: CurrentViewer) -> CatalogOut:
    await require(viewer, may_edit_questionnaires, "questionnaires")
    questionnaires = [
        QuestionnaireOut(
            q.questionnaire,
            q.audience,
            q.next_version,
            [
                VersionOut(
                    v.questionnaire,
                    v.version,
                    v.state,
                    v.title,
                    v.languages,
                    v.items,
                    when(v.published_at),
                    v.content_hash,
                    v.revision,
                    v.saved_by,
                    when(v.saved_at),
                    v.problems,
                )
                for v in q.versions
            ],
        )
        for q in await questionnaire_listings()
    ]
    leitbilder = [
        LeitbildOut(
            lb.key,
            lb.state,
            lb.name,
            lb.languages,
            lb.values,
            when(lb.published_at),
            lb.content_hash,
            lb.revision,
            lb.saved_by,
            when(lb.saved_at),
            lb.problems,
        )
        for lb in await leitbild_lines()
    ]
    return CatalogOut(questionnaires, leitbilder)


@get(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}",
    name="api-questionnaire-version",
    tags=["office"],
    summary="A version's text (YAML): a draft with its revision and problems, or a published version",
    responses=refusals(401, 403, 404),
)
async def version_api(
    viewer: CurrentViewer, questionnaire: PathText, version: FromPath[int]
) -> Response[TextOut] | Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"questionnaire {questionnaire} v{version}")
    try:
        state = await open_version_draft(questionnaire, version)
        return Response(draft_out(state, questionnaire, version))
    except DraftError:
        pass
    try:
        text, state_name = await version_yaml(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return Response(TextOut(questionnaire, version, state_name, text, None, []))


@get(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}/yaml",
    name="api-questionnaire-yaml",
    tags=["office"],
    summary="A version as a file (YAML): it reads back to the same content hash",
    media_type="text/plain",
    responses=refusals(401, 403, 404),
)
async def version_yaml_api(
    viewer: CurrentViewer, questionnaire: PathText, version: FromPath[int]
) -> Response[str]:
    await require(viewer, may_edit_questionnaires, f"questionnaire download {questionnaire} v{version}")
    try:
        text, _state = await version_yaml(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return Response(text, media_type="text/plain; charset=utf-8")


# --- actions -----------------------------------------------------------------------------------


@post(
    "/api/v1/questionnaires",
    name="api-questionnaire-import",
    tags=["office"],
    summary="Upload a version or Leitbild file (YAML) as a draft, checked as `survey questionnaires check`",
    status_code=200,
    request_max_body_size=UPLOAD_BODY_BYTES,
    guards=[office_only],
    responses={
        409: ResponseSpec(ImportOut, generate_examples=False, description="Refused: `problems` names each"),
        **refusals(401, 403, 413, 415),
    },
)
async def import_api(
    viewer: CurrentViewer, csrf: CsrfChecked, data: Annotated[ImportIn, STRICT_JSON_BODY]
) -> Response[ImportOut]:
    try:
        outcome = await import_text(
            data.text, data.filename[:200], viewer.username, replace=data.replace, publish=data.publish
        )
    except QuestionnaireFileError as exc:
        message = Message(
            N_("the file %(file)s cannot be read as a questionnaire version or a Leitbild"),
            {"file": Code(data.filename[:200])},
        )
        return Response(
            ImportOut(False, message.text(code=True), problems=problems_out(exc.problems)), status_code=409
        )
    except SurveyError as exc:
        return Response(ImportOut(False, exc.message.text(code=True)), status_code=409)
    return Response(
        ImportOut(
            True,
            outcome.message.text(code=True),
            [],
            outcome.kind,
            outcome.key,
            outcome.version,
            problems_out(outcome.problems),
        )
    )


@post(
    "/api/v1/questionnaires/{questionnaire:str}/versions",
    name="api-questionnaire-new-version",
    tags=["office"],
    summary="Start the next version as a draft, a copy of the newest published one",
    status_code=200,
    responses={
        **ACTION_RESPONSES,
        200: ResponseSpec(TextOut, generate_examples=False, description="The new draft"),
    },
)
async def new_version_api(
    viewer: CurrentViewer, csrf: CsrfChecked, questionnaire: PathText
) -> Response[TextOut] | Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"questionnaire new version {questionnaire}")
    try:
        draft = await start_version(questionnaire, viewer.username)
        state = await open_version_draft(questionnaire, draft.version)
    except SurveyError as exc:
        return refused(exc)
    return Response(draft_out(state, questionnaire, draft.version))


@post(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}/text",
    name="api-questionnaire-save",
    tags=["office"],
    summary="Save a draft's text (YAML) over the revision it was read at; the check's problems come back",
    status_code=200,
    request_max_body_size=UPLOAD_BODY_BYTES,
    guards=[office_only],
    responses={
        **BODY_RESPONSES,
        200: ResponseSpec(TextOut, generate_examples=False, description="Saved, with the check"),
    },
)
async def save_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    questionnaire: PathText,
    version: FromPath[int],
    data: Annotated[TextIn, STRICT_JSON_BODY],
) -> Response[TextOut] | Response[ActionResult]:
    try:
        state = await save_version(questionnaire, version, data.text, data.revision, viewer.username)
    except SurveyError as exc:
        return refused(exc)
    return Response(draft_out(state, questionnaire, version))


@get(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}/review",
    name="api-questionnaire-review",
    tags=["office"],
    summary="Before publishing: the diff against the version before, and which value trends stay comparable",
    responses=refusals(401, 403, 404),
)
async def review_api(
    viewer: CurrentViewer, questionnaire: PathText, version: FromPath[int]
) -> Response[ReviewOut] | Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"questionnaire review {questionnaire} v{version}")
    try:
        review = await review_draft(questionnaire, version)
    except DraftError as exc:
        raise NotFoundException(exc.message.text(code=True)) from None
    return Response(
        ReviewOut(
            questionnaire,
            version,
            review.can_publish,
            [m.text(code=True) for m in review.blockers],
            review.needs_approval,
            [ChangeOut(c.kind, c.item, c.old) for c in review.changes],
            [ValueOut(v.value, v.comparable, list(v.keeping), list(v.breaking)) for v in review.values],
        )
    )


async def _publish(viewer: Viewer, questionnaire: str, version: int, revision: int) -> Notice:
    try:
        frozen = await publish_version(questionnaire, version, revision, viewer.username)
    except SurveyError as exc:
        return Notice(False, exc.message)
    return Notice(
        True,
        Message(
            N_("%(questionnaire)s version %(version)s is published with the content hash %(hash)s"),
            {"questionnaire": Code(questionnaire), "version": version, "hash": frozen.content_hash},
        ),
    )


@post(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}/publish",
    name="api-questionnaire-publish",
    tags=["office"],
    summary="Publish a draft: the version is frozen with its content hash, the draft deleted",
    status_code=200,
    guards=[office_only],
    responses=BODY_RESPONSES,
)
async def publish_api(
    viewer: CurrentViewer,
    csrf: CsrfChecked,
    questionnaire: PathText,
    version: FromPath[int],
    data: Annotated[RevisionIn, STRICT_JSON_BODY],
) -> Response[ActionResult]:
    return api_result(await _publish(viewer, questionnaire, version, data.revision))


@post(
    "/api/v1/questionnaires/{questionnaire:str}/versions/{version:int}/discard",
    name="api-questionnaire-discard",
    tags=["office"],
    summary="Discard a draft (published versions stay as they are)",
    status_code=200,
    responses=ACTION_RESPONSES,
)
async def discard_api(
    viewer: CurrentViewer, csrf: CsrfChecked, questionnaire: PathText, version: FromPath[int]
) -> Response[ActionResult]:
    await require(viewer, may_edit_questionnaires, f"questionnaire discard {questionnaire} v{version}")
    try:
        await discard_version(questionnaire, version, viewer.username)
    except SurveyError as exc:
        return refused(exc)
    message = Message(
        N_("the draft of %(questionnaire)s version %(version)s is discarded"),
        {"questionnaire": Code(questionnaire), "version": version},
    )
    return api_result(Notice(True, message))


QUESTIONNAIRE_API_ROUTES = [
    questionnaires_api,
    version_api,
    version_yaml_api,
    import_api,
    new_version_api,
    save_api,
    review_api,
    publish_api,
    discard_api,
    *LEITBILD_API_ROUTES,
]
